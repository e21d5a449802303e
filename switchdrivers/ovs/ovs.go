// Package ovs drives Open vSwitch access ports through ovs-vsctl.
//
// The switch's address is an OVSDB remote (unix:/path/db.sock, tcp:host:port,
// or a bare socket path); option "bridge" names the bridge (default: the
// switch's inventory name), option "ovs_vsctl" the binary, option "timeout"
// the per-call limit (a Go duration, default 10s).
//
// Apply sends one ovs-vsctl invocation, which OVSDB commits as one
// transaction. Each change is a compare-and-set: `wait-until Port P tag=FROM`
// followed by `set Port P tag=TO`, so a port moved by someone else between
// the read and the write makes the whole batch fail untouched. Setting an
// access port's tag replaces the previous one atomically: a port is never in
// two VLANs. ovs-vsctl waits for ovs-vswitchd to apply the change before it
// returns, so the read-back that follows sees what the datapath does.
package ovs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
)

// Name is the registry name of this driver.
const Name = "ovs"

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration {
	return switchdrivers.Registration{Name: Name, Open: Open, ValidatePort: ValidatePort}
}

var portGrammar = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$`)

// ValidatePort accepts Linux/OVS interface names: 1–15 characters of
// letters, digits, '_', '.', '-', not starting with punctuation.
func ValidatePort(name string) error {
	if !portGrammar.MatchString(name) {
		return fmt.Errorf("%w %q: ovs ports are 1-15 characters [A-Za-z0-9_.-], starting with a letter or digit", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// Driver is an open ovs driver. It holds no connection: each call runs
// ovs-vsctl once.
type Driver struct {
	name    string
	db      string
	bridge  string
	bin     string
	ctl     string
	timeout time.Duration
}

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) {
	d := &Driver{name: cfg.Name, bridge: cfg.Name, bin: "ovs-vsctl", timeout: 10 * time.Second}
	switch {
	case cfg.Address == "":
		return nil, fmt.Errorf("switch %s: ovs: address (OVSDB remote) is required", cfg.Name)
	case strings.HasPrefix(cfg.Address, "/"):
		d.db = "unix:" + cfg.Address
	case strings.HasPrefix(cfg.Address, "unix:"), strings.HasPrefix(cfg.Address, "tcp:"), strings.HasPrefix(cfg.Address, "ssl:"):
		d.db = cfg.Address
	default:
		return nil, fmt.Errorf("switch %s: ovs: address %q is not an OVSDB remote (unix:PATH, tcp:HOST:PORT)", cfg.Name, cfg.Address)
	}
	for k, v := range cfg.Options {
		switch k {
		case "bridge":
			if err := ValidatePort(v); err != nil {
				return nil, fmt.Errorf("switch %s: ovs: option bridge: %w", cfg.Name, err)
			}
			d.bridge = v
		case "ovs_vsctl":
			d.bin = v
		case "vswitchd_ctl":
			d.ctl = v
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return nil, fmt.Errorf("switch %s: ovs: option timeout %q is not a positive duration", cfg.Name, v)
			}
			d.timeout = t
		default:
			return nil, fmt.Errorf("switch %s: ovs: unknown option %q (known: bridge, ovs_vsctl, vswitchd_ctl, timeout)", cfg.Name, k)
		}
	}
	return d, nil
}

// Close implements switchdrivers.Driver; there is nothing to release.
func (d *Driver) Close() error { return nil }

func (d *Driver) baseArgs() []string {
	return []string{"--db=" + d.db, fmt.Sprintf("--timeout=%d", max(1, int(d.timeout.Seconds()))), "--format=json"}
}

func (d *Driver) run(ctx context.Context, args []string) ([]byte, error) {
	return d.runProgram(ctx, d.bin, args)
}

func (d *Driver) runProgram(ctx context.Context, bin string, args []string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout+2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = time.Second // do not wait for orphaned children
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == -1 || strings.Contains(msg, "Alarm clock") {
			msg = "timed out (" + d.timeout.String() + ")" + strings.TrimPrefix(" "+msg, " ")
		}
		if msg == "" {
			msg = err.Error()
		}
		return nil, errors.New(msg)
	}
	return out, nil
}

// Ports lists the bridge's ports except its own internal port.
func (d *Driver) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	args := append(d.baseArgs(),
		"--", "--columns=ports", "list", "Bridge", d.bridge,
		"--", "--columns=_uuid,name,tag,trunks,vlan_mode,interfaces,external_ids", "list", "Port",
		"--", "--columns=_uuid,admin_state,link_state", "list", "Interface")
	out, err := d.run(ctx, args)
	if err != nil {
		return nil, &switchdrivers.Error{Switch: d.name, Command: "ovs-vsctl list Bridge " + d.bridge, Err: err}
	}
	ports, err := parseListing(out, d.bridge)
	if err != nil {
		return nil, &switchdrivers.Error{Switch: d.name, Command: "ovs-vsctl list", Err: err}
	}
	return ports, nil
}

func (d *Driver) validate(changes []switchdrivers.Change) error {
	for _, c := range changes {
		if err := ValidatePort(c.Port); err != nil {
			return &switchdrivers.Error{Switch: d.name, Port: c.Port, Err: err}
		}
		for _, seg := range []string{c.From, c.To} {
			if _, err := ParseVLAN(seg); err != nil {
				return &switchdrivers.Error{Switch: d.name, Port: c.Port, Err: err}
			}
		}
	}
	return nil
}

// ParseVLAN parses a segment as an 802.1Q VLAN ID (1-4094).
func ParseVLAN(seg string) (int, error) {
	n, err := strconv.Atoi(seg)
	if err != nil || n < 1 || n > 4094 || strconv.Itoa(n) != seg {
		return 0, fmt.Errorf("segment %q is not a VLAN ID 1-4094", seg)
	}
	return n, nil
}

func (d *Driver) txnArgs(changes []switchdrivers.Change) []string {
	var args []string
	for _, c := range changes {
		args = append(args,
			"--", "wait-until", "Port", c.Port, "tag="+c.From,
			"--", "set", "Port", c.Port, "tag="+c.To)
	}
	return args
}

// Render returns the single ovs-vsctl invocation Apply sends.
func (d *Driver) Render(changes []switchdrivers.Change) ([]string, error) {
	if err := d.validate(changes); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	return []string{"ovs-vsctl --db=" + d.db + " " + strings.Join(d.txnArgs(changes), " ")}, nil
}

// Apply moves the ports in one OVSDB transaction and reads them back.
// OVSDB commits a transaction whole or not at all, so every failure before
// the read-back is reported as untouched.
func (d *Driver) Apply(ctx context.Context, changes []switchdrivers.Change) error {
	if err := d.validate(changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	if len(changes) == 0 {
		return nil
	}
	live, err := d.Ports(ctx)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	if err := switchdrivers.CheckFrom(d.name, live, changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	args := append(d.baseArgs(), d.txnArgs(changes)...)
	rendered, _ := d.Render(changes)
	trace := switchdrivers.ContextApplyTrace(ctx)
	trace.TraceConfiguring()
	if _, err := d.run(ctx, args); err != nil {
		if ctx.Err() != nil {
			// Cancelled while the transaction ran: it may have committed.
			return &switchdrivers.Error{Switch: d.name, Command: rendered[0], Err: fmt.Errorf("interrupted, outcome unknown: %w", context.Cause(ctx))}
		}
		// A timeout here usually means a wait-until did not hold: someone
		// moved a port since our read. Name it if we can.
		if now, rerr := d.Ports(ctx); rerr == nil {
			if serr := switchdrivers.CheckFrom(d.name, now, changes); serr != nil {
				return switchdrivers.Untouched(fmt.Errorf("%w (transaction aborted)", serr))
			}
		}
		return switchdrivers.Untouched(&switchdrivers.Error{Switch: d.name, Command: rendered[0], Err: err})
	}
	trace.TraceCommitted() // ovs-vsctl returns once ovs-vswitchd has applied the transaction
	after, err := d.Ports(ctx)
	if err != nil {
		return fmt.Errorf("read-back: %w", err)
	}
	if err := switchdrivers.CheckReadBack(d.name, after, changes); err != nil {
		return err
	}
	trace.TraceReadBack()
	return nil
}

// ovsdb JSON: {"data": [[...row...]], "headings": [...]}, one table per command.
type table struct {
	Data     [][]json.RawMessage `json:"data"`
	Headings []string            `json:"headings"`
}

func (t table) rows() []map[string]json.RawMessage {
	out := make([]map[string]json.RawMessage, 0, len(t.Data))
	for _, r := range t.Data {
		m := make(map[string]json.RawMessage, len(r))
		for i, h := range t.Headings {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// atoms decodes an OVSDB value into its atoms: a scalar, ["uuid",U],
// ["set",[...]] or ["map",[[k,v],...]] (map pairs are returned flattened).
func atoms(raw json.RawMessage) ([]any, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	return flatten(v), nil
}

func flatten(v any) []any {
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return []any{v}
	}
	tag, _ := arr[0].(string)
	switch tag {
	case "uuid", "named-uuid":
		return []any{arr[1]}
	case "set", "map":
		var out []any
		items, _ := arr[1].([]any)
		for _, it := range items {
			out = append(out, flatten(it)...)
		}
		return out
	}
	return []any{v}
}

func str(raw json.RawMessage) string {
	a, err := atoms(raw)
	if err != nil || len(a) == 0 {
		return ""
	}
	switch x := a[0].(type) {
	case string:
		return x
	case float64:
		return strconv.FormatInt(int64(x), 10)
	}
	return ""
}

func parseListing(out []byte, bridge string) ([]switchdrivers.PortState, error) {
	dec := json.NewDecoder(bytes.NewReader(out))
	var tables []table
	for dec.More() {
		var t table
		if err := dec.Decode(&t); err != nil {
			return nil, fmt.Errorf("decoding ovs-vsctl output: %w", err)
		}
		tables = append(tables, t)
	}
	if len(tables) != 3 || len(tables[0].Data) != 1 {
		return nil, fmt.Errorf("unexpected ovs-vsctl output (%d tables)", len(tables))
	}
	member := map[string]bool{}
	bridgeRow := tables[0].rows()[0]
	uuids, err := atoms(bridgeRow["ports"])
	if err != nil {
		return nil, err
	}
	for _, u := range uuids {
		member[fmt.Sprint(u)] = true
	}
	ifaces := map[string]map[string]json.RawMessage{}
	for _, r := range tables[2].rows() {
		ifaces[str(r["_uuid"])] = r
	}
	var ports []switchdrivers.PortState
	for _, r := range tables[1].rows() {
		if !member[str(r["_uuid"])] {
			continue
		}
		name := str(r["name"])
		if name == bridge {
			continue
		}
		p := switchdrivers.PortState{Name: name, Admin: "down", Oper: "down"}
		tag := str(r["tag"])
		trunks, _ := atoms(r["trunks"])
		mode := str(r["vlan_mode"])
		switch {
		case mode == "access" || (mode == "" && tag != "" && len(trunks) == 0):
			p.Mode, p.Segment = switchdrivers.ModeAccess, tag
		default:
			p.Mode = switchdrivers.ModeTrunk
		}
		if ext, err := atoms(r["external_ids"]); err == nil {
			for i := 0; i+1 < len(ext); i += 2 {
				if ext[i] == "description" {
					p.Description = fmt.Sprint(ext[i+1])
				}
			}
		}
		// A port has one interface in the access case; a bond is up if any member is.
		ifs, _ := atoms(r["interfaces"])
		for _, u := range ifs {
			ir := ifaces[fmt.Sprint(u)]
			if str(ir["admin_state"]) == "up" {
				p.Admin = "up"
			}
			if str(ir["link_state"]) == "up" {
				p.Oper = "up"
			}
		}
		ports = append(ports, p)
	}
	return ports, nil
}
