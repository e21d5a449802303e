package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats accepted by Render.
var Formats = []string{"text", "json", "markdown"}

// Render writes p in format (text, json or markdown).
func Render(w io.Writer, p *Plan, format string) error {
	switch format {
	case "text", "":
		return renderText(w, p)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	case "markdown", "md":
		return renderMarkdown(w, p)
	}
	return fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats, ", "))
}

func segment(role, seg string) string {
	if seg == "" {
		seg = "disconnected"
	}
	return fmt.Sprintf("%s(%s)", role, seg)
}

func renderText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s plan %q: %d moves in %d steps, addresses %s (plan %s)\n", p.Kind, p.Name, p.Moves(), len(p.Steps), strings.Join(p.Addresses, ", "), p.Hash)
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "\nstep %d %s: %s\n", i+1, s.Name, s.Purpose)
		for _, bt := range s.Batches {
			fmt.Fprintf(&b, "  switch %s (%d ports, one batch)\n", bt.Switch, len(bt.Moves))
			for _, m := range bt.Moves {
				fmt.Fprintf(&b, "    %-20s %s %s -> %s\n", m.Port, m.System, segment(m.FromRole, m.From), segment(m.ToRole, m.To))
			}
			for _, c := range bt.Commands {
				fmt.Fprintf(&b, "      > %s\n", c)
			}
			for _, c := range bt.RollbackCommands {
				fmt.Fprintf(&b, "      rollback> %s\n", c)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func renderMarkdown(w io.Writer, p *Plan) error {
	var b strings.Builder
	title := "Cut-over"
	if p.Kind == KindFallback {
		title = "Fallback"
	} else if p.Kind == KindRollback {
		title = "Rollback"
	}
	fmt.Fprintf(&b, "# %s method of procedure: %s\n\n", title, p.Name)
	fmt.Fprintf(&b, "- Inventory: `%s`\n- Plan hash: `%s`\n- Addresses moved: %s\n- Moves: %d in %d steps; steps run strictly in order, switches within a step in parallel, one session per switch.\n\n",
		p.Inventory, p.Hash, strings.Join(p.Addresses, ", "), p.Moves(), len(p.Steps))
	b.WriteString("Every change is read back before the next step starts. If a step fails, the steps already done are undone in reverse order with the rollback commands below.\n")
	for i, s := range p.Steps {
		fmt.Fprintf(&b, "\n## Step %d: %s\n\n%s.\n", i+1, s.Name, capitalise(s.Purpose))
		if len(s.Batches) == 0 {
			continue
		}
		b.WriteString("\n| switch | port | system | from | to |\n|---|---|---|---|---|\n")
		for _, bt := range s.Batches {
			for _, m := range bt.Moves {
				fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", bt.Switch, m.Port, m.System, mdSegment(m.FromRole, m.From), mdSegment(m.ToRole, m.To))
			}
		}
		for _, bt := range s.Batches {
			if len(bt.Commands) > 0 {
				fmt.Fprintf(&b, "\nCommands on **%s**:\n\n```\n%s\n```\n", bt.Switch, strings.Join(bt.Commands, "\n"))
			}
			if len(bt.RollbackCommands) > 0 {
				fmt.Fprintf(&b, "\nRollback on **%s**:\n\n```\n%s\n```\n", bt.Switch, strings.Join(bt.RollbackCommands, "\n"))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdSegment(role, seg string) string {
	if seg == "" {
		seg = "disconnected"
	}
	return fmt.Sprintf("%s (%s)", role, seg)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
