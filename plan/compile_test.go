package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
)

// state simulates switch ports: "sw:port" -> segment.
type state map[string]string

func initial(inv *Inventory, newRole string) state {
	s := state{}
	for _, r := range inv.Systems.Old.Ports {
		s[r.String()] = inv.Segment(r.Switch, Production)
	}
	for _, r := range inv.Systems.New.Ports {
		s[r.String()] = inv.Segment(r.Switch, newRole)
	}
	return s
}

// apply runs one step on the simulated state, checking each move's From.
func (s state) apply(t *testing.T, st Step) {
	t.Helper()
	for _, b := range st.Batches {
		for _, m := range b.Moves {
			k := b.Switch + ":" + m.Port
			if s[k] != m.From {
				t.Fatalf("step %s: %s is in %s, move expects %s", st.Name, k, s[k], m.From)
			}
			s[k] = m.To
		}
	}
}

// segmentsOf lists the segments holding a system's ports.
func (s state) segmentsOf(refs []PortRef) map[string]bool {
	out := map[string]bool{}
	for _, r := range refs {
		out[s[r.String()]] = true
	}
	return out
}

// checkSafe fails if any segment holds ports of both systems (they share
// every address).
func checkSafe(t *testing.T, inv *Inventory, s state, after string) {
	t.Helper()
	o, n := s.segmentsOf(inv.Systems.Old.Ports), s.segmentsOf(inv.Systems.New.Ports)
	for seg := range o {
		if n[seg] {
			t.Fatalf("after %s: segment %s holds both systems", after, seg)
		}
	}
}

func mustInventory(t testing.TB, park string, shadowOverride bool) *Inventory {
	text := strings.Replace(good, "park: migration", "park: "+park, 1)
	if shadowOverride {
		text = strings.Replace(text, "    username: admin", "    username: admin\n    segments: {shadow: \"999\"}", 1)
	}
	// No password file beside this in-memory inventory: use a literal.
	text = strings.Replace(text, "password_file: sw2.pw", "password: y", 1)
	inv, err := Parse("inv.yml", []byte(text), LoadOptions{Catalog: catalog{}, LookupEnv: env(map[string]string{"SW1_PASSWORD": "x"})})
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func TestCompileOrderAndMoves(t *testing.T) {
	inv := mustInventory(t, Migration, false)
	p, err := Compile(inv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		for _, b := range s.Batches {
			for _, m := range b.Moves {
				got = append(got, fmt.Sprintf("%s %s:%s %s %s->%s", s.Name, b.Switch, m.Port, m.System, m.From, m.To))
			}
		}
	}
	want := []string{
		"isolate sw1:Gi1/0/1 old 66->266", "isolate sw1:Gi1/0/2 old 66->266",
		"promote sw2:Gi1/0/1 new 166->66", "promote sw2:Gi1/0/2 new 166->66",
		"park sw1:Gi1/0/1 old 266->166", "park sw1:Gi1/0/2 old 266->166",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("moves:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(p.Steps[0].Batches) != 1 || p.Steps[0].Batches[0].Switch != "sw1" {
		t.Fatalf("isolate should be one batch on sw1: %+v", p.Steps[0].Batches)
	}
}

func TestPlansNeverShareASegment(t *testing.T) {
	for _, park := range []string{Migration, Shadow} {
		for _, override := range []bool{false, true} {
			t.Run(fmt.Sprintf("park=%s,override=%v", park, override), func(t *testing.T) {
				inv := mustInventory(t, park, override)
				p, err := Compile(inv)
				if err != nil {
					t.Fatal(err)
				}
				s := initial(inv, Migration)
				start := fmt.Sprint(s)
				checkSafe(t, inv, s, "start")
				for _, st := range p.Steps {
					s.apply(t, st)
					checkSafe(t, inv, s, st.Name)
				}
				for _, r := range inv.Systems.New.Ports {
					if s[r.String()] != inv.Segment(r.Switch, Production) {
						t.Fatalf("%s not in Production after cut-over", r)
					}
				}
				for _, r := range inv.Systems.Old.Ports {
					if s[r.String()] != inv.Segment(r.Switch, park) {
						t.Fatalf("%s not parked in %s: %s", r, park, s[r.String()])
					}
				}
				afterCutover := maps.Clone(s)
				// The inverse restores the start, safely.
				for _, st := range p.Inverse().Steps {
					s.apply(t, st)
					checkSafe(t, inv, s, st.Name)
				}
				if fmt.Sprint(s) != start {
					t.Fatalf("inverse did not restore: %v, want %v", s, start)
				}
				// Fallback from the finished cut-over puts old back in Production.
				s2 := afterCutover
				fb, err := Fallback(inv)
				if err != nil {
					t.Fatal(err)
				}
				for _, st := range fb.Steps {
					s2.apply(t, st)
					checkSafe(t, inv, s2, "fallback "+st.Name)
				}
				for _, r := range inv.Systems.Old.Ports {
					if s2[r.String()] != inv.Segment(r.Switch, Production) {
						t.Fatalf("fallback: %s not back in Production", r)
					}
				}
				for _, r := range inv.Systems.New.Ports {
					if s2[r.String()] != inv.Segment(r.Switch, park) {
						t.Fatalf("fallback: %s not parked in %s", r, park)
					}
				}
			})
		}
	}
}

func TestParkShadowHasEmptyParkStep(t *testing.T) {
	p, err := Compile(mustInventory(t, Shadow, false))
	if err != nil {
		t.Fatal(err)
	}
	if p.Steps[2].Name != StepPark || p.Steps[2].Moves() != 0 || !strings.Contains(p.Steps[2].Purpose, "nothing to move") {
		t.Fatalf("park step: %+v", p.Steps[2])
	}
}

func TestHash(t *testing.T) {
	a, _ := Compile(mustInventory(t, Migration, false))
	b, _ := Compile(mustInventory(t, Migration, false))
	c, _ := Compile(mustInventory(t, Shadow, false))
	if a.Hash != b.Hash || a.Hash == c.Hash || len(a.Hash) != 16 {
		t.Fatalf("hashes %s %s %s", a.Hash, b.Hash, c.Hash)
	}
	// The commands are part of what is approved: rendering them hashes
	// the plan again, and other commands give another hash.
	if err := a.RenderCommands(fakeRenderer{}); err != nil {
		t.Fatal(err)
	}
	if a.Hash == b.Hash || a.Hash != a.hash() {
		t.Fatalf("rendered %s, unrendered %s: the commands must change the hash", a.Hash, b.Hash)
	}
	if err := b.RenderCommands(fakeRenderer{}); err != nil || a.Hash != b.Hash {
		t.Fatalf("the same commands, hashes %s and %s (%v)", a.Hash, b.Hash, err)
	}
	if err := b.RenderCommands(fakeRenderer{trial: "commit confirmed 2"}); err != nil || a.Hash == b.Hash {
		t.Fatalf("other commands, the same hash %s (%v)", a.Hash, err)
	}
	if !a.SameCompilation(b) || a.SameCompilation(c) {
		t.Fatal("SameCompilation must set the commands aside, nothing else")
	}
	if inv := a.Inverse(); inv.Hash == a.Hash || inv.Basis != a.Basis {
		t.Fatalf("inverse: hash %s, basis %v", inv.Hash, inv.Basis)
	}
}

// TestHashCoversTheBasis changes one thing of the inventory at a time
// that changes what a run does or what its guard checks, none of which
// moves a port differently, and requires another hash each time; changes
// of secrets (and of usernames) keep the hash.
func TestHashCoversTheBasis(t *testing.T) {
	base := strings.Replace(good, "password_file: sw2.pw", "password: y", 1)
	compile := func(t *testing.T, text string, env0 map[string]string) *Plan {
		t.Helper()
		inv, err := Parse("inv.yml", []byte(text), LoadOptions{Catalog: catalog{}, LookupEnv: env(env0)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(inv)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.RenderCommands(fakeRenderer{}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secretEnv := map[string]string{"SW1_PASSWORD": "x"}
	ref := compile(t, base, secretEnv)
	changes := map[string][2]string{
		"an old address":         {"192.168.66.31]", "192.168.66.32]"},
		"an added address":       {"192.168.66.31]", "192.168.66.31, \"fd66::31\"]"},
		"a switch address":       {"address: 10.0.0.11", "address: 10.0.0.21"},
		"a switch driver":        {"    driver: ovs\n    address: 10.0.0.12", "    driver: downable\n    address: 10.0.0.12"},
		"a switch option":        {"    username: admin\n", "    username: admin\n    options: {timeout: 5s}\n"},
		"the guard's trunk":      {"  trunk: eth1", "  trunk: eth2"},
		"the guard's window":     {"  trunk: eth1", "  trunk: eth1\n  window: 1s"},
		"the guard's namespace":  {"  trunk: eth1", "  trunk: eth1\n  netns: probe"},
		"the guard's sources":    {"  trunk: eth1", "  trunk: eth1\n  sources: {production: 192.168.66.250}"},
		"the guard's interfaces": {"  trunk: eth1", "  interfaces: {production: eth1, migration: eth2, shadow: eth3}"},
	}
	for what, c := range changes {
		text := strings.Replace(base, c[0], c[1], 1)
		if text == base {
			t.Fatalf("%s: %q not in the inventory", what, c[0])
		}
		p := compile(t, text, secretEnv)
		if p.Hash == ref.Hash {
			t.Errorf("%s changed, the hash (%s) did not", what, p.Hash)
		}
		if p.SameCompilation(ref) {
			t.Errorf("%s changed, SameCompilation still says the same", what)
		}
	}
	for what, p := range map[string]*Plan{
		"another password":   compile(t, base, map[string]string{"SW1_PASSWORD": "another"}),
		"a literal password": compile(t, strings.Replace(base, "password: ${SW1_PASSWORD}", "password: literal", 1), secretEnv),
		"another username":   compile(t, strings.Replace(base, "username: admin", "username: netops", 1), secretEnv),
	} {
		if p.Hash != ref.Hash {
			t.Errorf("%s: the hash changed (%s, was %s): secrets and logins are not part of the plan", what, p.Hash, ref.Hash)
		}
	}
	js, _ := json.Marshal(ref)
	for _, secret := range []string{`"x"`, "password"} {
		if strings.Contains(string(js), secret) {
			t.Errorf("the plan's JSON holds %s: %s", secret, js)
		}
	}
	if !strings.Contains(string(js), `"basis":{"vlans":{"production":66`) || !strings.Contains(string(js), `"address":"10.0.0.11"`) {
		t.Errorf("the plan's JSON does not show its basis: %s", js)
	}
}

type fakeRenderer struct{ trial string }

func (f fakeRenderer) RenderMoves(sw string, moves []Move) ([]string, error) {
	var out []string
	for _, m := range moves {
		out = append(out, fmt.Sprintf("%s: interface %s / vlan %s", sw, m.Port, m.To))
	}
	if f.trial != "" {
		out = append(out, f.trial)
	}
	return out, nil
}

func TestRender(t *testing.T) {
	p, _ := Compile(mustInventory(t, Migration, false))
	if err := p.RenderCommands(fakeRenderer{}); err != nil {
		t.Fatal(err)
	}
	var text, js, md bytes.Buffer
	for f, w := range map[string]*bytes.Buffer{"text": &text, "json": &js, "markdown": &md} {
		if err := Render(w, p, f); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(text.String(), "step 2 promote") || !strings.Contains(text.String(), "> sw2: interface Gi1/0/1 / vlan 66") ||
		!strings.Contains(text.String(), "rollback> sw2: interface Gi1/0/1 / vlan 166") {
		t.Fatalf("text:\n%s", text.String())
	}
	var back Plan
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Hash != p.Hash || back.Steps[1].Batches[0].Moves[0].To != "66" {
		t.Fatalf("json round trip: %v %+v", err, back)
	}
	for _, frag := range []string{"# Cut-over method of procedure: mxone-upgrade", "## Step 1: isolate", "| sw1 | `Gi1/0/1` | old | production (66) | shadow (266) |", "Rollback on **sw1**:"} {
		if !strings.Contains(md.String(), frag) {
			t.Fatalf("markdown lacks %q:\n%s", frag, md.String())
		}
	}
	if err := Render(&text, p, "yaml"); err == nil {
		t.Fatal("unknown format accepted")
	}
}

// BenchmarkCompileRender1000 compiles and renders a 1,000-port plan (500
// old and 500 new ports over 20 switches) as text and Markdown.
func BenchmarkCompileRender1000(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("version: 1\nvlans: {production: 66, migration: 166, shadow: 266}\nswitches:\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&sb, "  - {name: sw%d, driver: ovs, address: 10.0.0.%d}\n", i, i+1)
	}
	var oldp, newp, addrs []string
	for i := 0; i < 500; i++ {
		oldp = append(oldp, fmt.Sprintf("sw%d:Gi1/0/%d", i%10, i))
		newp = append(newp, fmt.Sprintf("sw%d:Gi1/0/%d", 10+i%10, i))
		addrs = append(addrs, fmt.Sprintf("10.%d.%d.%d", i/65536, (i/256)%256, 1+i%250))
	}
	fmt.Fprintf(&sb, "systems:\n  old: {ports: [%s], addresses: [%s]}\n  new: {ports: [%s]}\n",
		strings.Join(oldp, ","), strings.Join(addrs[:100], ","), strings.Join(newp, ","))
	data := []byte(sb.String())
	b.ReportAllocs()
	for b.Loop() {
		inv, err := Parse("bench.yml", data, LoadOptions{Catalog: catalog{}})
		if err != nil {
			b.Fatal(err)
		}
		p, err := Compile(inv)
		if err != nil {
			b.Fatal(err)
		}
		if p.Moves() != 1500 {
			b.Fatalf("moves %d", p.Moves())
		}
		if err := p.RenderCommands(fakeRenderer{}); err != nil {
			b.Fatal(err)
		}
		var out bytes.Buffer
		Render(&out, p, "text")
		Render(&out, p, "markdown")
	}
}

// A vSphere-like switch names its segments; without a Shadow portgroup
// the old adapters are disconnected, then reconnected in Migration.
func TestNamedSegmentsAndDisconnect(t *testing.T) {
	text := `version: 1
vlans: {production: 66, migration: 166}
switches:
  - name: vc
    driver: named
    address: vc.example
    segments: {production: NetXXXX66, migration: MigrationNet66}
  - {name: sw1, driver: downable, address: 10.0.0.1}
systems:
  old: {ports: ["vc:mx1/Network adapter 1", "sw1:Gi1/0/1"], addresses: [192.168.66.30]}
  new: {ports: ["vc:mx2/Network adapter 1", "sw1:Gi1/0/2"]}
`
	inv, err := Parse("vmware.yml", []byte(text), LoadOptions{Catalog: catalog{}, LookupEnv: env(nil)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compile(inv)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Steps {
		for _, b := range s.Batches {
			for _, m := range b.Moves {
				got = append(got, fmt.Sprintf("%s %s:%s %q->%q", s.Name, b.Switch, m.Port, m.From, m.To))
			}
		}
	}
	want := `isolate sw1:Gi1/0/1 "66"->""
isolate vc:mx1/Network adapter 1 "NetXXXX66"->""
promote sw1:Gi1/0/2 "166"->"66"
promote vc:mx2/Network adapter 1 "MigrationNet66"->"NetXXXX66"
park sw1:Gi1/0/1 ""->"166"
park vc:mx1/Network adapter 1 ""->"MigrationNet66"`
	if strings.Join(got, "\n") != want {
		t.Fatalf("moves:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
	var text2 bytes.Buffer
	Render(&text2, p, "text")
	if !strings.Contains(text2.String(), "production(NetXXXX66) -> shadow(disconnected)") {
		t.Fatalf("%s", text2.String())
	}
	// A named-segment switch must name the roles it uses.
	bad := strings.Replace(text, "segments: {production: NetXXXX66, migration: MigrationNet66}", "segments: {production: NetXXXX66}", 1)
	if _, err := Parse("vmware.yml", []byte(bad), LoadOptions{Catalog: catalog{}, LookupEnv: env(nil)}); err == nil ||
		!strings.Contains(err.Error(), "vmware.yml:4:5: switch vc: driver named names its segments (portgroups): segments.migration is missing") {
		t.Fatalf("err = %v", err)
	}
}
