package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/cutover-net/cutover/switchdrivers/showparse"
	"github.com/spf13/cobra"
)

func newImport() *cobra.Command {
	var platform, command, format string
	var strict bool
	cmd := &cobra.Command{
		Use:   "import --platform P [--command C] [--strict] FILE...",
		Short: "Parse saved show output offline (interfaces, VLANs, MAC and ARP tables)",
		Long: `import reads saved CLI output — single commands or a whole session or
show-tech with prompts ("sw1#show vlan") — and prints the ports, VLANs,
MAC and ARP entries it finds: the raw material of an inventory. The
command is taken from the prompt lines, or from --command, or detected
from the output itself (every known header is scored; the best wins).

A row it cannot read is skipped and reported with its file, line, text
and reason (on stderr, or under "warnings" with -o json, beside each
table's count of rows read and skipped); --strict makes any such line an
error (exit 1). A command import does not read is an error that lists
the ones it does; in a session, that command's output is skipped with a
warning.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if platform == "" {
				return fmt.Errorf("--platform is required (supported: %s)", strings.Join(showparse.Platforms, ", "))
			}
			r := showparse.Result{Ports: []showparse.Port{}, VLANs: []showparse.VLAN{}, MACs: []showparse.MAC{}, ARP: []showparse.ARP{},
				Tables: []showparse.Report{}, Warnings: []showparse.Warning{}}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				if err := showparse.ImportFile(platform, command, f, string(b), &r); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				if err := writeJSON(out, r); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(out, "%d ports, %d VLANs, %d MAC entries, %d ARP entries\n", len(r.Ports), len(r.VLANs), len(r.MACs), len(r.ARP))
				for _, t := range r.Tables {
					fmt.Fprintf(out, "  %s:%d: %s: %d rows read, %d skipped\n", t.File, t.Line, t.Command, t.Read, t.Skipped)
				}
				for _, p := range r.Ports {
					fmt.Fprintf(out, "  %-14s %-7s %-6s %-12s %s\n", p.Name, p.Mode, p.VLAN, p.Status, p.Description)
				}
				for _, w := range r.Warnings {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s\n", w)
				}
			}
			records := len(r.Ports) + len(r.VLANs) + len(r.MACs) + len(r.ARP)
			switch {
			case strict && len(r.Warnings) > 0:
				return fmt.Errorf("--strict: %d unreadable line(s)", len(r.Warnings))
			case records == 0 && len(r.Warnings) > 0:
				return fmt.Errorf("nothing could be read: %d unreadable line(s)", len(r.Warnings))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&platform, "platform", "", "platform of the output: "+strings.Join(showparse.Platforms, ", "))
	cmd.Flags().StringVar(&command, "command", "", "the command that produced output no prompt names (default: detected)")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	cmd.Flags().BoolVar(&strict, "strict", false, "exit 1 if any line could not be read")
	return cmd
}
