package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/cutover-net/cutover/labs"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/spf13/cobra"
)

type labFlags struct {
	topology, name, runBase string
}

func (f *labFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.topology, "topology", "t", "containerlab.yml", "containerlab topology file")
	cmd.Flags().StringVar(&f.name, "name", "", "lab name (default: the topology's name)")
	cmd.Flags().StringVar(&f.runBase, "run-dir", labs.DefaultRunBase, "where labs keep their state")
}

// open builds the lab. Emulated switches of a lab brought up by `lab up`
// run as daemons (`lab emulate`) so they outlive the command.
func (f *labFlags) open(progress io.Writer, daemons ...bool) (*labs.Lab, error) {
	t, err := labs.LoadTopology(f.topology)
	if err != nil {
		return nil, err
	}
	l, err := labs.New(t, f.name, f.runBase)
	if err != nil {
		return nil, err
	}
	if progress != nil {
		l.Progress = func(s string) { fmt.Fprintln(progress, s) }
	}
	if len(daemons) > 0 && daemons[0] {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		l.EmulatorCommand = []string{exe, "lab", "emulate"}
	}
	return l, nil
}

func newLab() *cobra.Command {
	cmd := &cobra.Command{Use: "lab", Short: "Run the local rehearsal lab (network namespaces + Open vSwitch)"}
	var up, down, status labFlags
	upCmd := &cobra.Command{
		Use: "up", Short: "Create the lab (idempotent; a failed start cleans up)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := up.open(cmd.ErrOrStderr(), true)
			if err != nil {
				return err
			}
			if err := l.Up(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "lab %s is up; switches at %s\n", l.Name, l.DB())
			return nil
		},
	}
	downCmd := &cobra.Command{
		Use: "down", Short: "Remove everything the lab created", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := down.open(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			// Removal must finish even if interrupted.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(cmd.Context()), time.Minute)
			defer cancel()
			return l.Down(ctx)
		},
	}
	var format string
	statusCmd := &cobra.Command{
		Use: "status", Short: "Show the lab's processes, namespaces and switch ports", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			l, err := status.open(nil)
			if err != nil {
				return err
			}
			st, err := l.Status(cmd.Context())
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			printLabStatus(cmd.OutOrStdout(), st)
			return nil
		},
	}
	statusCmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	var env labFlags
	envCmd := &cobra.Command{
		Use: "env", Short: "Print the variables an inventory of the lab uses (eval $(cutover lab env))", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := env.open(nil)
			if err != nil {
				return err
			}
			vars := l.Env()
			keys := make([]string, 0, len(vars))
			for k := range vars {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(cmd.OutOrStdout(), "export %s=%q\n", k, vars[k])
			}
			return nil
		},
	}
	var emu labFlags
	var node string
	emulateCmd := &cobra.Command{
		Use: "emulate --node NAME", Short: "Run one emulated switch of a lab (started by lab up)", Args: cobra.NoArgs, Hidden: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			l, err := emu.open(nil)
			if err != nil {
				return err
			}
			return l.RunEmulator(cmd.Context(), node)
		},
	}
	emulateCmd.Flags().StringVar(&node, "node", "", "the switch node")
	up.add(upCmd)
	down.add(downCmd)
	status.add(statusCmd)
	env.add(envCmd)
	emu.add(emulateCmd)
	cmd.AddCommand(upCmd, downCmd, statusCmd, envCmd, emulateCmd, newLabValidate())
	return cmd
}

func newLabValidate() *cobra.Command {
	var topology, format string
	cmd := &cobra.Command{
		Use:   "validate [-t FILE]",
		Short: "Check a topology as containerlab, the local lab and a rehearsal need it; print its port names",
		Long: `validate checks a topology file against containerlab's schema and its
rules for each kind's link-endpoint names, that every switch kind has an
emulator dialect in the local lab, that its startup-config files exist,
and that its hosts carry the labels a rehearsal needs. Every problem is
reported with file:line and node. A valid file's switch ports are listed
with every name they have: the topology's endpoint, the interface
containerlab creates, the NOS's name (which inventories use) and the local
lab's OVS port.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			v, err := labs.Validate(topology)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				if err := writeJSON(out, v); err != nil {
					return err
				}
			} else {
				printLabValidation(out, v)
			}
			if !v.Valid {
				return &exitErr{code: exitError, err: fmt.Errorf("%s: %d problems", v.File, len(v.Problems)), quiet: format == "json"}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&topology, "topology", "t", "containerlab.yml", "containerlab topology file")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	return cmd
}

func printLabValidation(w io.Writer, v *labs.Validation) {
	for _, p := range v.Problems {
		fmt.Fprintln(w, p)
	}
	if !v.Valid {
		return
	}
	fmt.Fprintf(w, "%s: valid: a containerlab topology the local lab and a rehearsal can run\n", v.File)
	for _, sw := range v.Switches {
		emu := "OVS bridge"
		if sw.Dialect != "" {
			emu = "emulated " + sw.Dialect
		}
		fmt.Fprintf(w, "  %s (%s, %s):\n", sw.Node, sw.Kind, emu)
		for _, p := range sw.Ports {
			name := p.Name
			if name == "" {
				name = "-"
			}
			fmt.Fprintf(w, "    %-22s container %-8s NOS %-22s OVS %s\n", sw.Node+":"+p.Endpoint, p.Iface, name, p.OVS)
		}
	}
}

func printLabStatus(w io.Writer, st *labs.Status) {
	state := "down"
	if st.Healthy {
		state = "up"
	}
	fmt.Fprintf(w, "lab %s: %s (topology %s, run dir %s)\n", st.Name, state, st.Topology, st.RunDir)
	for _, p := range st.Processes {
		fmt.Fprintf(w, "  %-13s running=%v pid=%d\n", p.Name, p.Running, p.PID)
	}
	for _, n := range st.Nodes {
		fmt.Fprintf(w, "  %-8s %-11s present=%v %s %s%s\n", n.Name, n.Kind, n.Present, n.Role, n.Namespace, map[bool]string{true: "ssh " + n.SSH, false: ""}[n.SSH != ""])
		for _, p := range n.Ports {
			fmt.Fprintf(w, "      %-10s %-6s %-5s oper=%s\n", p.Name, p.Mode, p.Segment, p.Oper)
		}
	}
}

func newRehearse() *cobra.Command {
	var lf labFlags
	var inventory, format, scenario string
	var keep, noGuard, noAnnounce bool
	var confirmTimeout time.Duration
	cmd := &cobra.Command{
		Use:   "rehearse",
		Short: "Run a full cut-over in the local lab and measure the outage per address",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			stderr := cmd.ErrOrStderr()
			// A kept lab's emulated switches must outlive this command.
			l, err := lf.open(stderr, keep)
			if err != nil {
				return err
			}
			if inventory == "" {
				inventory = filepath.Join(filepath.Dir(lf.topology), "labs", "rehearsal.yml")
			}
			r := &labs.Rehearsal{Lab: l, Inventory: inventory, Registry: all.Registry(), Keep: keep,
				Scenario: scenario, NoGuard: noGuard, NoAnnounce: noAnnounce, ConfirmTimeout: confirmTimeout,
				Progress:       func(s string) { fmt.Fprintln(stderr, s) },
				EngineProgress: progressPrinter(stderr)}
			rep, err := r.Run(cmd.Context())
			if rep == nil {
				return err
			}
			if format == "json" {
				if werr := writeJSON(cmd.OutOrStdout(), rep); werr != nil {
					return werr
				}
			} else {
				printRehearsal(cmd.OutOrStdout(), rep)
			}
			if err != nil {
				return err
			}
			if rerr := resultError(rep.Result, fmt.Errorf("%s", rep.Error)); rerr != nil {
				return rerr
			}
			return nil
		},
	}
	lf.add(cmd)
	cmd.Flags().StringVarP(&inventory, "inventory", "i", "", "inventory of the lab's switches (default: labs/rehearsal.yml beside the topology)")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "report format: text or json")
	cmd.Flags().BoolVar(&keep, "keep", false, "leave the lab up afterwards")
	cmd.Flags().StringVar(&scenario, "scenario", "", "stage a fault: "+strings.Join(labs.ScenarioNames(), ", "))
	cmd.Flags().BoolVar(&noGuard, "no-guard", false, "run without the duplicate-address guard (to measure what it gains)")
	cmd.Flags().BoolVar(&noAnnounce, "no-announce", false, "guard without gratuitous-ARP announcements (to measure what they gain)")
	addConfirmFlag(cmd, &confirmTimeout)
	return cmd
}

func printRehearsal(w io.Writer, rep *labs.RehearsalReport) {
	title := "Rehearsal"
	if rep.Scenario != "" {
		title = fmt.Sprintf("Scenario %s (expected: %s)", rep.Scenario, rep.Expected)
	}
	guard := "guard on"
	if !rep.Guarded {
		guard = "guard OFF"
	}
	fmt.Fprintf(w, "\n%s in lab %s: %s (plan %s, %s)\n\n", title, rep.Lab, rep.Result, rep.Plan, guard)
	var t0 time.Time
	if len(rep.Steps) > 0 {
		t0 = rep.Steps[0].Started
	}
	for i, s := range rep.Steps {
		fmt.Fprintf(w, "  step %d %-8s %2d moves  +%6.1f ms .. +%6.1f ms", i+1, s.Name, s.Moves,
			float64(s.Started.Sub(t0).Microseconds())/1000, float64(s.Finished.Sub(t0).Microseconds())/1000)
		if s.Error != "" {
			fmt.Fprintf(w, "  FAILED: %s", s.Error)
		}
		fmt.Fprintln(w)
	}
	for _, s := range rep.Rollback {
		fmt.Fprintf(w, "  rollback %-12s %d ports %s\n", s.Name, s.Moves, s.Error)
	}
	if len(rep.Guard) > 0 {
		fmt.Fprintf(w, "\n  guard checks:\n")
		for _, c := range rep.Guard {
			status := "ok     "
			if !c.Passed {
				status = "BLOCKED"
			}
			fmt.Fprintf(w, "    %s %-10s VLAN %-4d %s: %s (%s)\n", status, c.Step, c.VLAN, c.Name, c.Detail, c.Duration.Round(time.Millisecond))
		}
	}
	fmt.Fprintf(w, "\n  downtime per address (longest gap between answered pings):\n")
	addrs := make([]string, 0, len(rep.DowntimeMS))
	for a := range rep.DowntimeMS {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		fmt.Fprintf(w, "    %-16s %7d ms\n", a, rep.DowntimeMS[a])
	}
	fmt.Fprintf(w, "  max downtime: %d ms; pings answered %d of %d; conflicts seen by the independent watcher: %d\n",
		rep.MaxDowntimeMS, rep.PingsAnswered, rep.PingsSent, rep.ConflictsObserved)
	printOutage(w, rep.Outage)
	if rep.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", rep.Error)
	}
}
