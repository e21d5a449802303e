package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/cutover-net/cutover/switchdrivers/showparse"
	"github.com/spf13/cobra"
)

func newImport() *cobra.Command {
	var platform, command, format string
	cmd := &cobra.Command{
		Use:   "import --platform P [--command C] FILE...",
		Short: "Parse saved show output offline (interfaces, VLANs, MAC and ARP tables)",
		Long: `import reads saved CLI output — single commands or a whole session or
show-tech with prompts ("sw1#show vlan") — and prints the ports, VLANs,
MAC and ARP entries it finds: the raw material of an inventory. The
command is taken from the prompt lines, or from --command, or detected
from the output itself.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if platform == "" {
				return fmt.Errorf("--platform is required (supported: %s)", strings.Join(showparse.Platforms, ", "))
			}
			r := showparse.Result{Ports: []showparse.Port{}, VLANs: []showparse.VLAN{}, MACs: []showparse.MAC{}, ARP: []showparse.ARP{}}
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				for _, s := range showparse.Split(string(b)) {
					c := s.Command
					if command != "" {
						c = command
					}
					if err := showparse.Import(platform, c, s.Text, &r); err != nil {
						var pe *showparse.Error
						if errors.As(err, &pe) {
							return fmt.Errorf("%s:%d: %s: %q", f, s.Line+pe.Line-1, pe.Msg, pe.Text)
						}
						return fmt.Errorf("%s:%d: %w", f, s.Line, err)
					}
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(out, r)
			}
			fmt.Fprintf(out, "%d ports, %d VLANs, %d MAC entries, %d ARP entries\n", len(r.Ports), len(r.VLANs), len(r.MACs), len(r.ARP))
			for _, p := range r.Ports {
				fmt.Fprintf(out, "  %-14s %-7s %-6s %-12s %s\n", p.Name, p.Mode, p.VLAN, p.Status, p.Description)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&platform, "platform", "", "platform of the output: "+strings.Join(showparse.Platforms, ", "))
	cmd.Flags().StringVar(&command, "command", "", "the command that produced the files (default: from prompts or detected)")
	cmd.Flags().StringVarP(&format, "output", "o", "text", "output format: text or json")
	return cmd
}
