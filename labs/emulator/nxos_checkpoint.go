package emulator

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// NX-OS checkpoints and rollback, as Cisco documents them ("Configuring
// Rollback", Nexus 3548/3600/6000/9000 System Management Configuration
// Guides; the `checkpoint` command in the Nexus 5500 command reference):
//
//   - `checkpoint NAME [description TEXT]` (EXEC) snapshots the running
//     configuration; names are unique ("you cannot overwrite previously
//     saved checkpoints with the same name"), may not begin with
//     "system", and at most ten user checkpoints exist;
//   - `no checkpoint NAME` removes one;
//   - `rollback running-config checkpoint NAME` restores it, atomically
//     by default ("implement a rollback only if no errors occur"): every
//     change since the checkpoint, from any session, is undone;
//   - `show checkpoint summary` lists them as "N) NAME:", "Created by
//     USER", "Created at …", "Size is … bytes", "Description: TEXT"
//     (transcripts on networkqna.com and learnduty.com);
//   - checkpoints are kept on the switch: they outlive the session that
//     made them.
//
// Assumptions (no vendor text found; the driver relies on none of these
// texts, only on the error markers and its read-back): the "Done" that
// ends a checkpoint's creation, the lines a rollback prints, the texts
// of the refusals (a duplicate name, an eleventh checkpoint, an unknown
// name), which begin with "ERROR:" as other NX-OS refusals do.
type nxosState struct {
	checkpoints []*nxosCheckpoint
}

type nxosCheckpoint struct {
	name, user, desc string
	created          time.Time
	snapshot         map[string]int
}

// maxCheckpoints is NX-OS's limit of user checkpoints.
const maxCheckpoints = 10

func (srv *Server) findCheckpoint(name string) int {
	for i, c := range srv.nxos.checkpoints {
		if c.name == name {
			return i
		}
	}
	return -1
}

// checkpoint runs `checkpoint NAME [description TEXT]`.
func (d nxos) checkpoint(s *session, line string, f []string) string {
	srv := s.srv
	if len(f) < 2 || f[1] == "description" || f[1] == "file" {
		return d.invalid(line) // the emulator supports named checkpoints only
	}
	name := f[1]
	desc := ""
	if len(f) > 2 {
		if f[2] != "description" || len(f) < 4 {
			return d.invalid(line)
		}
		_, desc, _ = strings.Cut(line, " description ")
		desc = strings.TrimSpace(desc)
	}
	if len(name) > 32 || strings.HasPrefix(strings.ToLower(name), "system") {
		return "ERROR: Invalid checkpoint name " + name
	}
	snap, err := srv.snapshot(s.ctx)
	if err != nil {
		return "ERROR: " + err.Error()
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	switch {
	case srv.findCheckpoint(name) >= 0:
		return "ERROR: Checkpoint name " + name + " is already in use"
	case len(srv.nxos.checkpoints) >= maxCheckpoints:
		return fmt.Sprintf("ERROR: Maximum number of checkpoints (%d) reached; delete one first", maxCheckpoints)
	}
	srv.nxos.checkpoints = append(srv.nxos.checkpoints, &nxosCheckpoint{name: name, user: srv.cfg.Username, desc: desc, created: srv.now(), snapshot: snap})
	return "..........Done"
}

// deleteCheckpoint runs `no checkpoint NAME`.
func (d nxos) deleteCheckpoint(s *session, line string, f []string) string {
	if len(f) != 3 {
		return d.invalid(line)
	}
	srv := s.srv
	srv.mu.Lock()
	defer srv.mu.Unlock()
	i := srv.findCheckpoint(f[2])
	if i < 0 {
		return "ERROR: No checkpoint " + f[2]
	}
	srv.nxos.checkpoints = append(srv.nxos.checkpoints[:i], srv.nxos.checkpoints[i+1:]...)
	return ""
}

// rollback runs `rollback running-config checkpoint NAME [atomic]`.
func (d nxos) rollback(s *session, line string, f []string) string {
	if len(f) < 4 || len(f) > 5 || len(f) == 5 && f[4] != "atomic" {
		return d.invalid(line)
	}
	srv := s.srv
	srv.mu.Lock()
	i := srv.findCheckpoint(f[3])
	var snap map[string]int
	if i >= 0 {
		snap = srv.nxos.checkpoints[i].snapshot
	}
	srv.mu.Unlock()
	if i < 0 {
		return "ERROR: No checkpoint " + f[3]
	}
	if _, err := srv.restore(s.ctx, snap); err != nil {
		return "ERROR: Rollback failed, the running configuration is unchanged: " + err.Error()
	}
	return "Note: Applying config parallelly may fail Rollback verification\nCollecting Running-Config\n#Generating Rollback Patch\nExecuting Rollback Patch\n" +
		"Generating Running-config for verification\nGenerating Patch for verification\nVerification is Successful.\n\nRollback completed successfully."
}

// checkpointSummary prints `show checkpoint summary`.
func (d nxos) checkpointSummary(s *session) string {
	srv := s.srv
	srv.mu.Lock()
	cps := append([]*nxosCheckpoint(nil), srv.nxos.checkpoints...)
	srv.mu.Unlock()
	sort.SliceStable(cps, func(i, j int) bool { return cps[i].created.Before(cps[j].created) })
	var b strings.Builder
	b.WriteString("User Checkpoint Summary\n--------------------------------------------------------------------------------\n")
	for i, c := range cps {
		fmt.Fprintf(&b, "%d) %s:\nCreated by %s\nCreated at %s\nSize is %s bytes\nDescription: %s\n\n", i+1, c.name, c.user,
			c.created.Format("Mon, 15:04:05 02 Jan 2006"), "15,568", c.desc)
	}
	return b.String()
}

// Checkpoints lists the NX-OS checkpoints on the switch (for tests).
func (srv *Server) Checkpoints() []string {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	var out []string
	for _, c := range srv.nxos.checkpoints {
		out = append(out, c.name)
	}
	return out
}
