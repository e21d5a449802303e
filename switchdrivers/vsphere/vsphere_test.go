package vsphere_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/cutover-net/cutover/switchdrivers/drivertest"
	"github.com/cutover-net/cutover/switchdrivers/vsphere"
	"github.com/vmware/govmomi"
	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// The three-network layout of a VMware cut-over, as standard portgroups on
// every host and as distributed portgroups.
var (
	standard    = []string{"NetXXXX66", "MigrationNet66", "ShadowNet66"}
	distributed = []string{"dvNetXXXX66", "dvMigrationNet66", "dvShadowNet66"}
)

type sim struct {
	model  *simulator.Model
	server *simulator.Server
	url    *url.URL // without credentials
	user   string
	pass   string
	caFile string
	client *govmomi.Client // the test's own, independent connection
	vms    []string
}

func newSim(t testing.TB, machines int) *sim {
	t.Helper()
	model := simulator.VPX()
	model.Machine = machines
	if err := model.Create(); err != nil {
		t.Fatal(err)
	}
	model.Service.TLS = new(tls.Config)
	// Real credentials: vcsim's default accepts any user and password.
	model.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword("cutover", "vcsim-pass")}
	server := model.Service.NewServer()
	t.Cleanup(func() { server.Close(); model.Remove() })
	ca, err := server.CertificateFile()
	if err != nil {
		t.Fatal(err)
	}
	s := &sim{model: model, server: server, caFile: ca}
	s.user = server.URL.User.Username()
	s.pass, _ = server.URL.User.Password()
	u := *server.URL
	u.User = nil
	s.url = &u
	ctx := context.Background()
	if s.client, err = govmomi.NewClient(ctx, server.URL, true); err != nil {
		t.Fatal(err)
	}
	finder := find.NewFinder(s.client.Client, true)
	dc, err := finder.DefaultDatacenter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	finder.SetDatacenter(dc)
	hosts, err := finder.HostSystemList(ctx, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hosts {
		ns, err := h.ConfigManager().NetworkSystem(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for i, name := range standard {
			// One Network object serves every host with that portgroup name;
			// vcsim says DuplicateName for the second host.
			err := ns.AddPortGroup(ctx, types.HostPortGroupSpec{Name: name, VlanId: int32(66 + 100*i), VswitchName: "vSwitch0"})
			if err != nil && !strings.Contains(err.Error(), "DuplicateName") {
				t.Fatal(err)
			}
		}
	}
	dvsNet, err := finder.Network(ctx, "DVS0")
	if err != nil {
		t.Fatal(err)
	}
	dvs := dvsNet.(*object.DistributedVirtualSwitch)
	var specs []types.DVPortgroupConfigSpec
	for _, name := range distributed {
		specs = append(specs, types.DVPortgroupConfigSpec{Name: name, Type: string(types.DistributedVirtualPortgroupPortgroupTypeEarlyBinding), NumPorts: 64})
	}
	task, err := dvs.AddPortgroup(ctx, specs)
	if err != nil || task.Wait(ctx) != nil {
		t.Fatalf("adding distributed portgroups: %v", err)
	}
	vms, err := finder.VirtualMachineList(ctx, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, vm := range vms {
		s.vms = append(s.vms, vm.Name())
	}
	return s
}

func (s *sim) config(opts map[string]string, ports ...string) switchdrivers.Config {
	if opts == nil {
		opts = map[string]string{"ca_file": s.caFile}
	}
	return switchdrivers.Config{Name: "vc1", Address: s.url.String(), Username: s.user, Password: secret.New(s.pass), Options: opts, Ports: ports}
}

func (s *sim) open(t testing.TB, ports ...string) switchdrivers.Driver {
	t.Helper()
	d, err := vsphere.Open(s.config(nil, ports...))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// peer reads an adapter's portgroup through the test's own connection ("" if disconnected).
func (s *sim) peer(ctx context.Context, port string) (string, error) {
	i := strings.LastIndexByte(port, '/')
	vmName, label := port[:i], port[i+1:]
	finder := find.NewFinder(s.client.Client, true)
	dc, _ := finder.DefaultDatacenter(ctx)
	finder.SetDatacenter(dc)
	vm, err := finder.VirtualMachine(ctx, vmName)
	if err != nil {
		return "", err
	}
	var mvm mo.VirtualMachine
	if err := vm.Properties(ctx, vm.Reference(), []string{"config.hardware.device"}, &mvm); err != nil {
		return "", err
	}
	for _, dev := range object.VirtualDeviceList(mvm.Config.Hardware.Device).SelectByType((*types.VirtualEthernetCard)(nil)) {
		ec := dev.(types.BaseVirtualEthernetCard).GetVirtualEthernetCard()
		if ec.DeviceInfo.GetDescription().Label != label && ec.MacAddress != label {
			continue
		}
		if ec.Connectable != nil && !ec.Connectable.Connected {
			return "", nil
		}
		switch b := ec.Backing.(type) {
		case *types.VirtualEthernetCardNetworkBackingInfo:
			return b.DeviceName, nil
		case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
			nets, _ := finder.NetworkList(ctx, "*")
			for _, n := range nets {
				if pg, ok := n.(*object.DistributedVirtualPortgroup); ok {
					var mpg mo.DistributedVirtualPortgroup
					pg.Properties(ctx, pg.Reference(), []string{"key", "name"}, &mpg)
					if mpg.Key == b.Port.PortgroupKey {
						return mpg.Name, nil
					}
				}
			}
		}
	}
	return "", fmt.Errorf("peer: no adapter %s", port)
}

// place puts ports on segment through the driver, from wherever they are.
func place(t testing.TB, d switchdrivers.Driver, segment string, ports ...string) {
	t.Helper()
	ctx := context.Background()
	live, err := d.Ports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var cs []switchdrivers.Change
	for _, p := range live {
		for _, want := range ports {
			if p.Name == want && p.Segment != segment {
				cs = append(cs, switchdrivers.Change{Port: p.Name, From: p.Segment, To: segment})
			}
		}
	}
	if err := d.Apply(ctx, cs); err != nil {
		t.Fatal(err)
	}
}

// adapters names the first adapter of the first n VMs (vcsim labels its
// adapters "ethernet-0"; vCenter says "Network adapter 1").
func adapters(s *sim, n int) []string {
	var out []string
	for _, vm := range s.vms[:n] {
		out = append(out, vm+"/ethernet-0")
	}
	return out
}

func TestConformance(t *testing.T) {
	for name, segments := range map[string][]string{
		"standard":           standard,
		"distributed":        distributed,
		"standard-to-dvport": {standard[0], distributed[1], standard[2]},
	} {
		t.Run(name, func(t *testing.T) {
			s := newSim(t, 2)
			ports := adapters(s, 3)
			place(t, s.open(t, ports...), segments[0], ports...)
			drivertest.Run(t, drivertest.Harness{
				Open:     func(t *testing.T) switchdrivers.Driver { return s.open(t, ports...) },
				Ports:    ports,
				Segments: segments,
				Peer:     s.peer,
			})
		})
	}
}

func TestDisconnectIsolatesAndReconnects(t *testing.T) {
	s := newSim(t, 2)
	ports := adapters(s, 2)
	d := s.open(t, ports...)
	place(t, d, "NetXXXX66", ports...)
	ctx := context.Background()
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: ports[0], From: "NetXXXX66", To: ""}}); err != nil {
		t.Fatal(err)
	}
	if seg, _ := s.peer(ctx, ports[0]); seg != "" {
		t.Fatalf("still connected to %q", seg)
	}
	live, _ := d.Ports(ctx)
	for _, p := range live {
		if p.Name == ports[0] && (p.Segment != "" || p.Admin != "down" || !strings.Contains(p.Description, "NetXXXX66")) {
			t.Fatalf("disconnected adapter reads %+v", p)
		}
	}
	// Park: reconnect on another portgroup.
	if err := d.Apply(ctx, []switchdrivers.Change{{Port: ports[0], From: "", To: "MigrationNet66"}}); err != nil {
		t.Fatal(err)
	}
	if seg, _ := s.peer(ctx, ports[0]); seg != "MigrationNet66" {
		t.Fatalf("peer: %q", seg)
	}
	cmds, _ := d.Render([]switchdrivers.Change{{Port: ports[1], From: "NetXXXX66", To: ""}})
	if len(cmds) != 1 || !strings.Contains(cmds[0], "disconnect") {
		t.Fatalf("render %q", cmds)
	}
}

func TestErrorsLeaveNothingMoved(t *testing.T) {
	s := newSim(t, 2)
	ports := adapters(s, 2)
	d := s.open(t, append(ports, "NoSuchVM/ethernet-0", s.vms[0]+"/ethernet-7")...)
	place(t, d, "NetXXXX66", ports...)
	ctx := context.Background()
	cases := map[string]struct {
		changes []switchdrivers.Change
		want    []string
	}{
		"missing portgroup": {[]switchdrivers.Change{{Port: ports[0], From: "NetXXXX66", To: "ShadowNet66"}, {Port: ports[1], From: "NetXXXX66", To: "NoSuchNet"}}, []string{"portgroup \"NoSuchNet\" not found", ports[1]}},
		"unknown VM":        {[]switchdrivers.Change{{Port: ports[0], From: "NetXXXX66", To: "ShadowNet66"}, {Port: "NoSuchVM/ethernet-0", From: "NetXXXX66", To: "ShadowNet66"}}, []string{"NoSuchVM/ethernet-0", "no such port"}},
		"unknown adapter":   {[]switchdrivers.Change{{Port: s.vms[0] + "/ethernet-7", From: "NetXXXX66", To: "ShadowNet66"}}, []string{"ethernet-7", "no such port"}},
	}
	for name, c := range cases {
		err := d.Apply(ctx, c.changes)
		if err == nil || !switchdrivers.IsUntouched(err) {
			t.Errorf("%s: want an untouched error, got %v", name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error lacks %q: %v", name, w, err)
			}
		}
	}
	for _, p := range ports {
		if seg, _ := s.peer(ctx, p); seg != "NetXXXX66" {
			t.Fatalf("%s moved to %s", p, seg)
		}
	}
}

func TestInjectedReconfigureFailure(t *testing.T) {
	s := newSim(t, 2)
	ports := adapters(s, 2)
	d := s.open(t, ports...)
	place(t, d, "NetXXXX66", ports...)
	s.model.Service.AddFaultRule(&simulator.FaultInjectionRule{
		MethodName: "ReconfigVM_Task", ObjectType: "VirtualMachine", ObjectName: s.vms[1],
		Probability: 1, FaultType: simulator.FaultTypeGeneric, Message: "injected: reconfigure refused", Enabled: true,
	})
	ctx := context.Background()
	err := d.Apply(ctx, []switchdrivers.Change{{Port: ports[0], From: "NetXXXX66", To: "ShadowNet66"}, {Port: ports[1], From: "NetXXXX66", To: "ShadowNet66"}})
	if err == nil || switchdrivers.IsUntouched(err) || !strings.Contains(err.Error(), "injected: reconfigure refused") ||
		!strings.Contains(err.Error(), ports[1]) || !strings.Contains(err.Error(), "ReconfigVM_Task") {
		t.Fatalf("err = %v", err)
	}
	// The other VM's task ran (VMs are reconfigured in parallel); the error
	// is not "untouched", so the engine reads back and undoes it.
	if seg, _ := s.peer(ctx, ports[0]); seg != "ShadowNet66" {
		t.Fatalf("%s: %q", ports[0], seg)
	}
	if seg, _ := s.peer(ctx, ports[1]); seg != "NetXXXX66" {
		t.Fatalf("%s: %q", ports[1], seg)
	}
}

func TestMACPortNames(t *testing.T) {
	s := newSim(t, 2)
	probe := s.open(t, adapters(s, 1)...)
	live, err := probe.Ports(context.Background())
	if err != nil || len(live) == 0 {
		t.Fatal(err)
	}
	mac := strings.Fields(live[0].Description)[1]
	port := s.vms[0] + "/" + mac
	d := s.open(t, port)
	place(t, d, "ShadowNet66", port)
	if seg, _ := s.peer(context.Background(), port); seg != "ShadowNet66" {
		t.Fatalf("peer: %q", seg)
	}
}

func TestTLSIsVerified(t *testing.T) {
	s := newSim(t, 1)
	ports := adapters(s, 1)
	ctx := context.Background()
	// No CA, not insecure: the simulator's self-signed certificate is refused.
	d, _ := vsphere.Open(s.config(map[string]string{}, ports...))
	if _, err := d.Ports(ctx); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("unverified TLS accepted: %v", err)
	}
	// A pinned thumbprint works, a wrong one does not.
	sum := sha256.Sum256(s.server.Certificate().Raw)
	var hexs []string
	for _, b := range sum {
		hexs = append(hexs, fmt.Sprintf("%02X", b))
	}
	for thumb, ok := range map[string]bool{strings.Join(hexs, ":"): true, strings.Repeat("AB:", 31) + "AB": false} {
		d, _ := vsphere.Open(s.config(map[string]string{"thumbprint": thumb}, ports...))
		_, err := d.Ports(ctx)
		if (err == nil) != ok {
			t.Errorf("thumbprint %s: %v", thumb[:8], err)
		}
		d.Close()
	}
	d, _ = vsphere.Open(s.config(map[string]string{"insecure": "true"}, ports...))
	if _, err := d.Ports(ctx); err != nil {
		t.Fatalf("explicit insecure: %v", err)
	}
	d.Close()
}

func TestPasswordNeverInErrors(t *testing.T) {
	s := newSim(t, 1)
	const pw = "S3cret-Wrong-Passw0rd"
	cfg := s.config(nil, adapters(s, 1)...)
	cfg.Password = secret.New(pw)
	d, _ := vsphere.Open(cfg)
	_, err := d.Ports(context.Background())
	if err == nil || strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "login") {
		t.Fatalf("err = %v", err)
	}
	if _, err := vsphere.Open(switchdrivers.Config{Name: "vc1", Address: "https://u:" + pw + "@vc/sdk", Username: "u", Password: secret.New(pw)}); err == nil || strings.Contains(err.Error(), pw) {
		t.Fatalf("credentials in the address: %v", err)
	}
}

func TestValidatePort(t *testing.T) {
	for _, ok := range []string{"web01/Network adapter 1", "MX-ONE SN 1/Network adapter 10", "a/b/Network adapter 2", "vm/00:50:56:aa:bb:cc", "vm/Netzwerkadapter 1", "vm/ethernet-0"} {
		if err := vsphere.ValidatePort(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"web01", "web01/", "/Network adapter 1", "web01/adapter;reboot", "web01/ Network adapter 1", "web01/00:50:56:AA:BB:CC", "web\n01/Network adapter 1", " web01/Network adapter 1", "web01/Network\tadapter"} {
		if err := vsphere.ValidatePort(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
