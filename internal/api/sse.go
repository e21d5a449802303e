package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/auth"
	"github.com/cutover-net/cutover/internal/runrequest"
)

// Heartbeat is how often an idle event stream sends a comment line, so
// that proxies keep it open.
const Heartbeat = 15 * time.Second

// Coalesce is how long an event stream waits, after an event, for more
// to send with it.
const Coalesce = 50 * time.Millisecond

// maxBatch bounds the events of one frame.
const maxBatch = 256

// turnWait is how long the hub waits for a client to write a frame
// before it deals the next client its turn.
const turnWait = 5 * time.Millisecond

// A run's event stream is read once, however many clients follow it: a
// hub reads it, waits Coalesce after each event for the rest of its burst
// and encodes the burst once as one frame of server-sent events. Each
// client writes the frames it has not sent yet — the same bytes for
// every client, in one write per frame. The hub deals the clients their
// turns one after the other (a client writes, then hands the turn back),
// so that a burst costs one core at a time, not every core at once: a
// thousand clients woken together would fill the run queues and keep the
// run's own goroutines waiting behind them. A client that does not hand
// its turn back within turnWait (a full socket) is not waited for again
// until it has caught up, so it never holds the others up, and it never
// slows the hub, which is one reader of the run's event log.

// frame is the text of a burst of events, encoded once.
type frame struct {
	data []byte
	ids  []string // the events' IDs, in order
	ends []int    // where each event's text ends in data
	beat bool     // a keep-alive comment, no event
}

// hub holds one run's frames for its clients.
type hub struct {
	id      string
	cancel  context.CancelFunc
	clients int // under Server.hubsMu

	mu     sync.Mutex
	frames []frame
	err    error  // io.EOF after the last event, or why the stream broke
	subs   []*sub // the clients, in the order they came
}

// sub is one client of a hub.
type sub struct {
	turn chan struct{} // the client may write (capacity 1)
	done chan struct{} // the client has written what it had (capacity 1)
	gone chan struct{} // closed when the client leaves
	slow bool          // missed its turn; the dealer's only
}

// join adds a client.
func (h *hub) join() *sub {
	s := &sub{turn: make(chan struct{}, 1), done: make(chan struct{}, 1), gone: make(chan struct{})}
	h.mu.Lock()
	h.subs = append(h.subs, s)
	h.mu.Unlock()
	return s
}

// leave removes a client.
func (h *hub) leave(s *sub) {
	close(s.gone)
	h.mu.Lock()
	h.subs = slices.DeleteFunc(h.subs, func(x *sub) bool { return x == s })
	h.mu.Unlock()
}

// deal gives every client its turn, one after the other.
func (h *hub) deal(ctx context.Context, timer *time.Timer) {
	h.mu.Lock()
	subs := slices.Clone(h.subs)
	h.mu.Unlock()
	for _, s := range subs {
		select {
		case <-s.done: // from an earlier turn: it has caught up
			s.slow = false
		default:
		}
		select {
		case s.turn <- struct{}{}:
		default: // a turn is pending already
		}
		if s.slow {
			continue
		}
		timer.Reset(turnWait)
		select {
		case <-s.done:
		case <-s.gone:
		case <-timer.C:
			s.slow = true
		case <-ctx.Done():
			timer.Stop()
			return
		}
		timer.Stop()
	}
}

// acquireHub returns the hub of run id, started if it is new, with one
// more client; releaseHub gives the client back (the last one stops it).
func (s *Server) acquireHub(id string, b *runrequest.Board) (*hub, error) {
	s.hubsMu.Lock()
	defer s.hubsMu.Unlock()
	if h, ok := s.hubs[id]; ok {
		h.clients++
		return h, nil
	}
	stream, err := b.Events(id, "")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &hub{id: id, cancel: cancel, clients: 1}
	if s.hubs == nil {
		s.hubs = map[string]*hub{}
	}
	s.hubs[id] = h
	go h.read(ctx, stream)
	return h, nil
}

func (s *Server) releaseHub(h *hub) {
	s.hubsMu.Lock()
	defer s.hubsMu.Unlock()
	h.clients--
	if h.clients == 0 {
		delete(s.hubs, h.id)
		h.cancel()
	}
}

// read turns the run's events into frames until the stream ends, and
// deals the clients their turns after each.
func (h *hub) read(ctx context.Context, stream *runrequest.EventStream) {
	timer := time.NewTimer(turnWait)
	timer.Stop()
	add := func(f frame, err error) {
		h.add(f, err)
		h.deal(ctx, timer)
	}
	for {
		nctx, cancel := context.WithTimeout(ctx, Heartbeat)
		ev, err := stream.Next(nctx)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			add(frame{data: []byte(": keep-alive\n\n"), beat: true}, nil)
			continue
		}
		if err != nil {
			add(frame{}, err)
			return
		}
		f := frame{}
		f.append(ev)
		// The rest of the burst (a step's switches finishing, the guard's
		// lines) goes into the same frame.
		bctx, bcancel := context.WithTimeout(ctx, Coalesce)
		for len(f.ids) < maxBatch {
			more, err := stream.Next(bctx)
			if err != nil {
				if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
					break
				}
				bcancel()
				add(f, err)
				return
			}
			f.append(more)
		}
		bcancel()
		add(f, nil)
	}
}

// append encodes one event into the frame.
func (f *frame) append(ev runrequest.Event) {
	data := ev.JSON
	if data == nil {
		data = mustJSON(ev)
	}
	f.data = fmt.Appendf(f.data, "id: %s\nevent: %s\ndata: %s\n\n", ev.ID, ev.Kind, data)
	f.ids = append(f.ids, ev.ID)
	f.ends = append(f.ends, len(f.data))
}

// add appends a frame (if it has anything) and, with err, ends the hub.
func (h *hub) add(f frame, err error) {
	h.mu.Lock()
	if len(f.data) > 0 {
		h.frames = append(h.frames, f)
	}
	if err != nil {
		h.err = err
	}
	h.mu.Unlock()
}

// position is where a client is in the hub's frames: the frame, and the
// offset in its text.
type position struct{ frame, off int }

// locate finds the position after the event with ID last ("" the start);
// ok is false if the hub has not seen that ID.
func (h *hub) locate(last string) (position, bool) {
	if last == "" {
		return position{}, true
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for fi, f := range h.frames {
		for i, id := range f.ids {
			if id == last {
				return position{fi, f.ends[i]}, true
			}
		}
	}
	return position{}, false
}

// pending returns what a client at p has not written yet (keep-alives
// only when nothing else is new), the position after it and the hub's end
// (nil while it goes on).
func (h *hub) pending(p position) (out [][]byte, next position, end error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	next = p
	beat := false
	for ; next.frame < len(h.frames); next.frame, next.off = next.frame+1, 0 {
		f := h.frames[next.frame]
		if f.beat {
			beat = true
			continue
		}
		out = append(out, f.data[next.off:])
	}
	if len(out) == 0 && beat {
		out = append(out, []byte(": keep-alive\n\n"))
	}
	return out, next, h.err
}

// runEvents streams a run's events as server-sent events: id (a1, a2, …
// for the request's, the run's sequence number for the run's), event (the
// kind) and data (the event as JSON). A client resumes with Last-Event-ID.
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request, _ *auth.Principal) error {
	b, err := s.board()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	last := r.Header.Get("Last-Event-ID")
	if q := r.URL.Query().Get("last_event_id"); q != "" && last == "" {
		last = q
	}
	// Checks the run and the ID (404, 400); the stream itself is the
	// fallback for an ID the hub has not seen.
	stream, err := b.Events(id, last)
	if err != nil {
		return runError(err)
	}
	h, err := s.acquireHub(id, b)
	if err != nil {
		return runError(err)
	}
	defer s.releaseHub(h)
	rc := http.NewResponseController(w)
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "retry: 1000\n\n")
	if err := rc.Flush(); err != nil {
		return nil
	}
	ctx := r.Context()
	pos, found := h.locate(last)
	if !found {
		// A resume from an event the hub has not seen (it may not have
		// read that far yet, or it began after a cut-off): this client
		// reads the stream itself.
		followAlone(ctx, w, rc, stream)
		return nil
	}
	me := h.join()
	defer h.leave(me)
	for {
		out, next, end := h.pending(pos)
		for _, p := range out {
			if _, err := w.Write(p); err != nil {
				return nil
			}
		}
		pos = next
		if len(out) > 0 {
			if err := rc.Flush(); err != nil {
				return nil
			}
		}
		select {
		case me.done <- struct{}{}:
		default:
		}
		if end != nil {
			if !errors.Is(end, io.EOF) && ctx.Err() == nil {
				// The daemon shuts down, or the stream broke: the client
				// reconnects.
				fmt.Fprintf(w, "event: error\ndata: %s\n\n", mustJSON(map[string]string{"error": end.Error()}))
				rc.Flush()
			}
			return nil
		}
		select {
		case <-me.turn:
		case <-ctx.Done():
			return nil
		}
	}
}

// followAlone streams one client's own reading of the run's events, in
// bursts as the hub does.
func followAlone(ctx context.Context, w http.ResponseWriter, rc *http.ResponseController, stream *runrequest.EventStream) {
	for {
		nctx, cancel := context.WithTimeout(ctx, Heartbeat)
		ev, err := stream.Next(nctx)
		cancel()
		switch {
		case errors.Is(err, io.EOF):
			return
		case err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
			io.WriteString(w, ": keep-alive\n\n")
		case err != nil:
			// The client went away, the daemon shuts down, or the client
			// fell so far behind that it was cut off: it reconnects.
			if ctx.Err() == nil {
				fmt.Fprintf(w, "event: error\ndata: %s\n\n", mustJSON(map[string]string{"error": err.Error()}))
				rc.Flush()
			}
			return
		default:
			var f frame
			f.append(ev)
			bctx, bcancel := context.WithTimeout(ctx, Coalesce)
			for len(f.ids) < maxBatch {
				more, err := stream.Next(bctx)
				if err != nil {
					if errors.Is(err, io.EOF) {
						bcancel()
						w.Write(f.data)
						rc.Flush()
						return
					}
					break
				}
				f.append(more)
			}
			bcancel()
			w.Write(f.data)
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
