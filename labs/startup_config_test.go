package labs

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/plan"
	"github.com/cutover-net/cutover/switchdrivers/all"
	"github.com/cutover-net/cutover/switchdrivers/showparse"
)

// The startup-config files of the default topology are what containerlab
// boots the real images with. This file reads them with cutover's own
// import (the interface and VLAN sections of `show running-config`, which
// IOS-XE and EOS print in the syntax they are written in), strictly: a
// line import warns about, or does not read (but for the hostname and
// user lines the NOS needs), is an error, so the file says nothing this
// test did not check.

// switchState is a switch's VLANs and its ports' modes ("access 66",
// "trunk"), by the NOS's full port name.
type switchState struct {
	vlans []int
	ports map[string]string
}

func (s switchState) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "vlans %v", s.vlans)
	for _, p := range slices.Sorted(maps.Keys(s.ports)) {
		fmt.Fprintf(&b, "; %s %s", p, s.ports[p])
	}
	return b.String()
}

func (s switchState) equal(o switchState) bool {
	return slices.Equal(s.vlans, o.vlans) && maps.Equal(s.ports, o.ports)
}

// readIOSConfig reads an IOS-XE or EOS configuration with `cutover
// import` for the driver's platform: the VLANs it creates and its
// ports' modes and access VLANs (import's ports and VLANs), the port
// names checked with the driver's grammar. Beyond what import reports,
// it refuses what the rehearsal's state does not model: an interface
// configured twice, a switchport without an explicit mode, a trunk with
// an access VLAN or a restricted VLAN list, and lines import does not
// read (hostname, username: the NOS's own).
func readIOSConfig(text, driver string) (switchState, error) {
	st := switchState{ports: map[string]string{}}
	var r showparse.Result
	if err := showparse.ImportFile(driver, showparse.CmdRunningConfig, "", text, &r); err != nil {
		return st, err
	}
	if len(r.Warnings) > 0 {
		w := r.Warnings[0]
		return st, fmt.Errorf("line %d: %q: %s", w.Line, w.Text, w.Reason)
	}
	cfg, _ := showparse.IOSRunningConfig(text)
	for _, u := range cfg.Unread {
		f := strings.Fields(u.Text)
		switch {
		case cfg.End > 0 && u.Line > cfg.End:
			return st, fmt.Errorf("line %d: %q: after end", u.Line, u.Text)
		case u.Text[0] == ' ' || u.Text[0] == '\t':
			return st, fmt.Errorf("line %d: %q: not an interface line import reads", u.Line, u.Text)
		case f[0] == "hostname" && len(f) == 2, f[0] == "username" && len(f) >= 2:
		default:
			return st, fmt.Errorf("line %d: %q: not a line import reads", u.Line, u.Text)
		}
	}
	seen := map[string]bool{}
	for _, i := range cfg.Interfaces {
		errf := func(why string) error { return fmt.Errorf("line %d: interface %s: %s", i.Line, i.Interface, why) }
		if err := all.Registry().ValidatePort(driver, i.Interface); err != nil {
			return st, errf(err.Error())
		}
		switch {
		case seen[i.Interface]:
			return st, errf("interface configured twice")
		case i.TrunkAllowedVLANs != "":
			return st, errf("restricts a trunk's VLANs: the rehearsal's trunks carry every VLAN")
		case i.SwitchportMode == "":
			return st, errf("no switchport mode")
		case i.SwitchportMode == "trunk" && i.AccessVLAN != "":
			return st, errf("a trunk with an access VLAN")
		}
		seen[i.Interface] = true
	}
	vlans := map[int]bool{}
	for _, v := range r.VLANs {
		id, err := strconv.Atoi(v.ID)
		if err != nil {
			return st, fmt.Errorf("VLAN %q", v.ID)
		}
		vlans[id] = true
	}
	st.vlans = slices.Sorted(maps.Keys(vlans))
	for _, p := range r.Ports {
		switch p.Mode {
		case "trunk":
			st.ports[p.Name] = "trunk"
		case "access":
			st.ports[p.Name] = "access " + p.VLAN
		default:
			return st, fmt.Errorf("interface %s: mode %q", p.Name, p.Mode)
		}
	}
	return st, nil
}

// preState is the state a rehearsal of topo with inv stages: the local
// lab's start (trunks to switches and probe hosts, hosts' ports in their
// cutover.vlan, cutover.vlans on each switch), then the old system's
// ports in Production and the new system's in Migration (Rehearsal.stage).
func preState(t *testing.T, topo *Topology, inv *plan.Inventory) map[string]switchState {
	t.Helper()
	out := map[string]switchState{}
	for _, name := range topo.NodeNames() {
		n := topo.Topology.Nodes[name]
		if n.Dialect() == "" {
			continue
		}
		vlans, err := parseVLANList(n.Labels[LabelVLANs])
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(vlans)
		out[name] = switchState{vlans: vlans, ports: map[string]string{}}
	}
	for _, l := range topo.Topology.Links {
		a, _ := ParseEndpoint(l.Endpoints[0])
		b, _ := ParseEndpoint(l.Endpoints[1])
		for _, pair := range [][2]Endpoint{{a, b}, {b, a}} {
			sw, other := pair[0], pair[1]
			st, ok := out[sw.Node]
			if !ok {
				continue
			}
			p, _ := topo.Port(sw)
			on := topo.Topology.Nodes[other.Node]
			if on.IsSwitch() || on.Trunked() {
				st.ports[p.Name] = "trunk"
				continue
			}
			vlan := DefaultVLAN
			if v, ok := on.Labels[LabelVLAN]; ok {
				vlan, _ = parseVLAN(v)
			}
			st.ports[p.Name] = "access " + strconv.Itoa(vlan)
		}
	}
	stage := func(refs []plan.PortRef, role string) {
		for _, ref := range refs {
			p := findPort(topo, ref.Switch, ref.Port)
			if p == nil {
				t.Fatalf("%s: no such port in the topology", ref)
			}
			out[ref.Switch].ports[p.Name] = "access " + inv.Segment(ref.Switch, role)
		}
	}
	stage(inv.Systems.Old.Ports, plan.Production)
	stage(inv.Systems.New.Ports, plan.Migration)
	return out
}

func TestStartupConfigsSetTheRehearsalsPreState(t *testing.T) {
	topo, err := LoadTopology("../containerlab.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := preState(t, topo, loadLabInventory(t, "rehearsal.yml"))
	// The SNMP inventory rehearses the same state.
	if snmp := preState(t, topo, loadLabInventory(t, "rehearsal-snmp.yml")); !maps.EqualFunc(want, snmp, switchState.equal) {
		t.Fatalf("rehearsal.yml stages %v, rehearsal-snmp.yml %v", want, snmp)
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		n := topo.Topology.Nodes[name]
		if n.StartupConfig == "" {
			t.Errorf("%s has no startup-config: containerlab would boot it without the pre-state", name)
			continue
		}
		b, err := os.ReadFile(filepath.Join("..", n.StartupConfig))
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.Contains(text, "{{") || strings.Contains(text, "$") {
			t.Errorf("%s: containerlab expands templates ({{ }}) and environment variables ($) in a startup-config", n.StartupConfig)
		}
		got, err := readIOSConfig(text, n.Dialect())
		if err != nil {
			t.Fatalf("%s: %v", n.StartupConfig, err)
		}
		if !got.equal(want[name]) {
			t.Errorf("%s sets\n  %v\nthe rehearsal stages\n  %v", n.StartupConfig, got, want[name])
		}
		t.Logf("%s: %v", n.StartupConfig, got)
	}
}

// The reader refuses what it does not understand, and sees every change
// of state: variants of the shipped file, each changed in one way.
func TestStartupConfigReaderIsStrict(t *testing.T) {
	b, err := os.ReadFile("startup-config/sw1.cisco_cat9kv.cfg")
	if err != nil {
		t.Fatal(err)
	}
	base := string(b)
	orig, err := readIOSConfig(base, "cisco_iosxe")
	if err != nil {
		t.Fatal(err)
	}
	refused := map[string]string{
		"spanning-tree mode rapid-pvst":                                                     "not a line import reads",
		"interface GigabitEthernet1/0/5\n switchport nonegotiate":                           "not an interface line",
		"interface GigabitEthernet1/0/5\n switchport trunk allowed vlan 66":                 "restricts a trunk's VLANs",
		"interface Gi1/0/x\n switchport mode trunk":                                         "want an IOS Ethernet interface",
		"interface GigabitEthernet1/0/1\n switchport mode trunk":                            "configured twice",
		"interface GigabitEthernet1/0/6":                                                    "no switchport mode",
		"interface GigabitEthernet1/0/6\n switchport mode trunk\n switchport access vlan 5": "a trunk with an access VLAN",
		"vlan 66,5000": `"5000" is not a VLAN ID`,
		"end\nvlan 7":  "after end",
	}
	for extra, want := range refused {
		_, err := readIOSConfig(base+extra+"\n", "cisco_iosxe")
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", extra, err, want)
		}
	}
	// Every line that sets state changes what is read when it is dropped.
	lines := strings.Split(base, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 || strings.HasPrefix(f[0], "!") || f[0] == "interface" {
			continue
		}
		variant := strings.Join(slices.Delete(slices.Clone(lines), i, i+1), "\n")
		got, err := readIOSConfig(variant, "cisco_iosxe")
		if err == nil && got.equal(orig) {
			t.Errorf("dropping line %d (%q) changes nothing the test sees", i+1, l)
		}
	}
	// Each access VLAN, changed, is seen.
	for _, v := range []int{1, 2, 166, 266, 4094} {
		variant := strings.Replace(base, "switchport access vlan 66", "switchport access vlan "+strconv.Itoa(v), 1)
		got, err := readIOSConfig(variant, "cisco_iosxe")
		if err != nil || got.ports["GigabitEthernet1/0/1"] != "access "+strconv.Itoa(v) {
			t.Errorf("vlan %d: %v %v", v, got, err)
		}
	}
}
