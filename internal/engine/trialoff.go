package engine

import (
	"errors"
	"fmt"

	"github.com/cutover-net/cutover/switchdrivers"
)

// TrialOffRecorder is an optional capability of a Recorder: it journals
// that a step's batch on a switch that was to go on trial is sent
// without one, and why (the switch cannot take a trial:
// switchdrivers.ErrTrialUnavailable).
type TrialOffRecorder interface {
	TrialOff(step, sw, reason string) error
}

// trialOff returns why sw takes no trial in this run ("" while it may).
func (e *Engine) trialOff(sw string) string {
	e.offMu.Lock()
	defer e.offMu.Unlock()
	return e.trialsOff[sw]
}

// unavailable reports whether err says that the switch cannot take a
// trial at all and the batch, untouched, may go without one.
func (e *Engine) unavailable(err error) bool {
	return !e.RequireTrials && errors.Is(err, switchdrivers.ErrTrialUnavailable) && switchdrivers.IsUntouched(err)
}

// markTrialOff records, for the rest of the run, that sw cannot take a
// trial (err says why) and returns the reason.
func (e *Engine) markTrialOff(sw string, err error) string {
	e.offMu.Lock()
	defer e.offMu.Unlock()
	if e.trialsOff == nil {
		e.trialsOff = map[string]string{}
	}
	if why, ok := e.trialsOff[sw]; ok {
		return why
	}
	e.trialsOff[sw] = err.Error()
	return e.trialsOff[sw]
}

// noTrial journals and reports that step's batch on sw goes without a
// trial. A forward batch whose decision cannot be journaled is not sent.
func (e *Engine) noTrial(step, sw, why string) error {
	if tr, ok := e.Recorder.(TrialOffRecorder); ok {
		if err := tr.TrialOff(step, sw, why); err != nil {
			return switchdrivers.Untouched(wrap(sw, fmt.Errorf("not sent: %w", err)))
		}
	}
	e.emit(Event{Step: step, Switch: sw, Kind: "trial-off", Err: errors.New(why)})
	return nil
}

// required marks the error of a batch refused because its switch cannot
// take a trial while trials are required.
func (e *Engine) required(err error) error {
	if e.RequireTrials && errors.Is(err, switchdrivers.ErrTrialUnavailable) {
		return fmt.Errorf("%w (--require-trials: no batch is sent without its trial)", err)
	}
	return err
}
