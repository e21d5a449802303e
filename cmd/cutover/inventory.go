package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cutover-net/cutover/internal/engine"
	"github.com/cutover-net/cutover/internal/runs"
	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/spf13/cobra"
)

func loadInventory(path string) (*plan.Inventory, *switchdrivers.Registry, error) {
	reg := all.Registry()
	inv, err := plan.Load(path, plan.LoadOptions{Catalog: reg})
	return inv, reg, err
}

func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	return fmt.Errorf("-o %s: want one of %s", format, strings.Join(allowed, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newValidate() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "validate INVENTORY",
		Short: "Check an inventory and report every problem with file:line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			inv, _, err := loadInventory(args[0])
			var ve *plan.ValidationError
			if err != nil && !errors.As(err, &ve) {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				res := struct {
					Valid    bool           `json:"valid"`
					Problems []plan.Problem `json:"problems"`
				}{Valid: err == nil, Problems: []plan.Problem{}}
				if ve != nil {
					res.Problems = ve.Problems
				}
				if werr := writeJSON(out, res); werr != nil {
					return werr
				}
				if err != nil {
					return &exitErr{code: exitError, err: err, quiet: true}
				}
				return nil
			}
			if err != nil {
				return &exitErr{code: exitError, err: err}
			}
			ports := len(inv.Systems.Old.Ports) + len(inv.Systems.New.Ports)
			fmt.Fprintf(out, "%s: valid: %d switches, %d ports, %d addresses, park in %s\n", args[0], len(inv.Switches), ports, len(inv.Systems.Old.Addresses), inv.Park)
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	return cmd
}

func newPlan() *cobra.Command {
	var format string
	var fallback bool
	var confirmTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "plan INVENTORY",
		Short: "Show the ordered steps, moves and exact commands (no switch is contacted)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, plan.Formats...); err != nil {
				return err
			}
			kind := runs.KindApply
			if fallback {
				kind = runs.KindFallback
			}
			// The plan is the same with or without the guard.
			prep, err := runs.Prepare(args[0], runs.Options{Kind: kind, Registry: all.Registry(), NoGuard: true, ConfirmTimeout: confirmTimeout})
			if err != nil {
				return err
			}
			defer prep.Close()
			return plan.Render(cmd.OutOrStdout(), prep.Plan, format)
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text, json or markdown (a method of procedure)")
	cmd.Flags().BoolVar(&fallback, "fallback", false, "show the fallback plan (new out, old back in) instead of the cut-over")
	addConfirmFlag(cmd, &confirmTimeout)
	return cmd
}

func newPorts() *cobra.Command {
	var format, only string
	cmd := &cobra.Command{
		Use:   "ports INVENTORY",
		Short: "Read the live port table of the inventory's switches",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			inv, reg, err := loadInventory(args[0])
			if err != nil {
				return err
			}
			if only != "" {
				if _, ok := inv.SwitchByName(only); !ok {
					return fmt.Errorf("--switch %s: no such switch in %s", only, args[0])
				}
			}
			drivers, err := engine.OpenDrivers(reg, inv)
			if err != nil {
				return err
			}
			defer engine.CloseDrivers(drivers)
			rows, warnings, err := engine.ReadPorts(cmd.Context(), inv, drivers, only)
			// Drivers that read past rows or values they could not use say
			// so, naming the switch, the command (or SNMP object), the
			// line, its text, why, and the ports it may be: on stderr, in
			// both formats (with -o json stdout is the table alone, an
			// array of ports, as it always was).
			for _, w := range warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning: "+w)
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				if rows == nil {
					rows = []engine.PortRow{}
				}
				if err := writeJSON(out, rows); err != nil {
					return err
				}
			} else {
				// SNMP switches add their ifIndex column.
				withIndex := slices.ContainsFunc(rows, func(r engine.PortRow) bool { return r.IfIndex != 0 })
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				header := "SWITCH\tPORT\tMODE\tSEGMENT\tADMIN\tOPER\tDESCRIPTION"
				if withIndex {
					header = "SWITCH\tPORT\tIFINDEX\tMODE\tSEGMENT\tADMIN\tOPER\tDESCRIPTION"
				}
				fmt.Fprintln(tw, header)
				for _, r := range rows {
					name := r.Name
					if withIndex {
						name = fmt.Sprintf("%s\t%d", r.Name, r.IfIndex)
						if r.IfIndex == 0 {
							name = r.Name + "\t-"
						}
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Switch, name, r.Mode, r.Segment, r.Admin, r.Oper, r.Description)
				}
				tw.Flush()
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	cmd.Flags().StringVar(&only, "switch", "", "only this switch")
	return cmd
}

// DefaultConfirmTimeout is how long a switch that can apply on trial
// waits for cutover's confirmation before it reverts a step by itself.
const DefaultConfirmTimeout = 2 * time.Minute

func addConfirmFlag(cmd *cobra.Command, d *time.Duration) {
	cmd.Flags().DurationVar(d, "confirm-timeout", DefaultConfirmTimeout,
		"on switches that can (EOS commit timer, IOS-XE revert timer), apply each step on trial and confirm it once its guard passes; the switch reverts by itself if cutover dies first (0: off)")
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
