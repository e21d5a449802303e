package nokiasrl_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
	"github.com/cutover-net/cutover/switchdrivers/nokiasrl"
)

const (
	types = `{
  "network-instance": [
    {"name": "default", "type": "srl_nokia-network-instance:default"},
    {"name": "mac-vrf-10", "type": "srl_nokia-network-instance:mac-vrf"},
    {"name": "mac-vrf-20", "type": 5},
    {"name": "mac-vrf-30", "type": "srl_nokia-network-instance:mac-vrf"}
  ]
}`
	members = `{
  "network-instance": [
    {
      "name": "mac-vrf-10",
      "interface": [
        {"name": "ethernet-1/1.0"},
        {"nam": "ethernet-1/4.0"},
        {"name": "ethernet-1/5.0"}
      ]
    },
    {"name": "mac-vrf-20", "interface": [{"name": "ethernet-1/2.0"}]},
    {
      "name": "mac-vrf-30",
      "interface": [
        {"name": "ethernet-1/3.0"},
        {"name": "ethernet-1/5.0"}
      ]
    }
  ]
}`
	states = `{
  "interface": [
    {"name": "mgmt0", "admin-state": "enable", "oper-state": "up"},
    {"name": "ethernet-1/1", "admin-state": "enable", "oper-state": "up"},
    {"name": "ethernet-1/2", "admin-state": "enable", "oper-state": "up"},
    {"name": "ethernet-1/3", "admin-state": "enable", "oper-state": "down"},
    {"name": "ethernet-1/4", "admin-state": "enable", "oper-state": "up"},
    {"name": "ethernet-1/5", "admin-state": "enable", "oper-state": "up"},
    {"admin-state": "enable", "oper-state": "up", "description": "no name"}
  ]
}`
)

// TestReadPortRows: an entry that cannot be read (a field of the wrong
// type, no name) is returned with its command, the line it starts on and
// its JSON, and concerns the ports it may be: a network-instance whose
// type is unknown, its members; a membership without a name, every port
// no membership was read for; a subinterface in two mac-vrfs, its port
// (which is not read); an interface without a name is no port, so a port
// of the plan not read at all is refused too. Output that is not JSON is
// an error naming the command.
func TestReadPortRows(t *testing.T) {
	tr := drivertest.Transcript{nokiasrl.CmdInstances: types, nokiasrl.CmdMembers: members, nokiasrl.CmdInterfaces: states}
	pr, err := nokiasrl.ReadPortRows(tr)
	if err != nil {
		t.Fatal(err)
	}
	modes := map[string]string{}
	for _, p := range pr.Ports {
		modes[p.Name] = p.Mode + "/" + p.Segment
	}
	if len(pr.Ports) != 4 || modes["ethernet-1/1"] != "access/mac-vrf-10" || modes["ethernet-1/3"] != "access/mac-vrf-30" || modes["ethernet-1/4"] != "routed/" {
		t.Fatalf("ports %v", modes)
	}
	type at struct {
		command string
		line    int
	}
	rows := map[at]switchdrivers.UnreadableRow{}
	for _, u := range pr.Unreadable {
		rows[at{u.Command, u.Line}] = u
	}
	for where, want := range map[at]struct {
		text  string
		ports []string
	}{
		{nokiasrl.CmdInstances, 5}:  {`{"name":"mac-vrf-20","type":5}`, []string{"ethernet-1/2"}},
		{nokiasrl.CmdMembers, 7}:    {`{"nam":"ethernet-1/4.0"}`, []string{"ethernet-1/2", "ethernet-1/4"}},
		{nokiasrl.CmdMembers, 16}:   {`{"name":"ethernet-1/5.0"}`, []string{"ethernet-1/5"}}, // its second mac-vrf
		{nokiasrl.CmdInterfaces, 9}: {`{"admin-state":"enable","oper-state":"up","description":"no name"}`, nil},
	} {
		u, ok := rows[where]
		if !ok || u.Text != want.text || !slices.Equal(u.Ports, want.ports) || u.Reason == "" {
			t.Errorf("line %d of %s: %+v, want %q %v (rows %+v)", where.line, where.command, u, want.text, want.ports, pr.Unreadable)
		}
	}
	if len(pr.Unreadable) != 4 {
		t.Errorf("%d rows: %+v", len(pr.Unreadable), pr.Unreadable)
	}
	same := func(a, b string) bool { return nokiasrl.Short(a) == nokiasrl.Short(b) }
	if err := pr.Check("sw5", []string{"ethernet-1/1", "ethernet-1/3"}, same); err != nil {
		t.Errorf("ports no row concerns: %v", err)
	}
	for _, port := range []string{"ethernet-1/2", "ethernet-1/4", "ethernet-1/5", "ethernet-1/6"} {
		var u *switchdrivers.UnreadablePortError
		if err := pr.Check("sw5", []string{"ethernet-1/1", port}, same); !errors.As(err, &u) || u.Port != port || u.Unread != (port == "ethernet-1/6") {
			t.Errorf("%s: %v", port, err)
		}
	}
	for _, bad := range []string{`{"interface": [{"name": "ethernet-1/1"}`, `{"interface": {"name": "ethernet-1/1"}}`, "Parsing error: Unknown token 'infoo'"} {
		tr[nokiasrl.CmdInterfaces] = bad
		if _, err := nokiasrl.ReadPortRows(tr); err == nil || !strings.Contains(err.Error(), nokiasrl.CmdInterfaces) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// An empty answer has no entry.
	tr[nokiasrl.CmdInterfaces] = "\n"
	if pr, err := nokiasrl.ReadPortRows(tr); err != nil || len(pr.Ports) != 0 {
		t.Errorf("empty: %+v %v", pr, err)
	}
}
