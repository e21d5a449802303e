// Package vsphere moves virtual machine network adapters between
// portgroups (standard or distributed) through the vSphere API (govmomi):
// the virtualised form of the same cut-over.
//
// The address is a vCenter or ESXi URL or host name. A port names one
// adapter of a VM by its label, "VM/Network adapter 1", or by MAC,
// "VM/00:50:56:aa:bb:cc". A segment is a portgroup name; the empty segment means the adapter
// is disconnected (Connectable.Connected=false), which is how isolate
// works where there is no Shadow portgroup.
//
// Apply edits each VM's adapters in one reconfigure task per VM, VMs in
// parallel, and reads back. Changing an adapter's backing is atomic: it is
// never on two portgroups.
//
// TLS is verified: against the system's roots, option ca_file (PEM), or a
// pinned certificate thumbprint (option thumbprint). Option insecure=true
// switches verification off, explicitly.
package vsphere

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"

	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cutover-net/cutover/internal/secret"
	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// Name is the registry name of this driver.
const Name = "vsphere"

// Registration returns this driver's registry entry.
func Registration() switchdrivers.Registration {
	return switchdrivers.Registration{Name: Name, Open: Open, ValidatePort: ValidatePort, AdminDown: true, NamedSegments: true}
}

var (
	// Adapter labels are "Network adapter 1" in English, localised on
	// other vCenters ("Netzwerkadapter 1"); or a MAC address.
	adapterRE = regexp.MustCompile(`^([\p{L}\p{N}][\p{L}\p{N} _.-]{0,39}|[0-9a-f]{2}(:[0-9a-f]{2}){5})$`)
	vmNameRE  = regexp.MustCompile(`^[^\x00-\x1f\x7f]{1,80}$`)
)

// ValidatePort accepts "VM/<adapter label>" (e.g. "web01/Network adapter 1")
// and "VM/aa:bb:cc:dd:ee:ff".
func ValidatePort(name string) error {
	vm, adapter, ok := splitPort(name)
	dotted := slices.ContainsFunc(strings.Split(vm, "/"), func(c string) bool { return c == "." || c == ".." || c == "" })
	if !ok || dotted || !vmNameRE.MatchString(vm) || strings.TrimSpace(vm) != vm || !adapterRE.MatchString(adapter) {
		return fmt.Errorf("%w %q: want VM/adapter label (e.g. web01/Network adapter 1) or VM/MAC (lower-case aa:bb:cc:dd:ee:ff), without control characters", switchdrivers.ErrBadPortName, name)
	}
	return nil
}

// splitPort splits at the last '/': VM names may contain '/', adapters not.
func splitPort(name string) (vm, adapter string, ok bool) {
	i := strings.LastIndexByte(name, '/')
	if i <= 0 || i == len(name)-1 {
		return "", "", false
	}
	return name[:i], name[i+1:], true
}

var segmentRE = regexp.MustCompile(`^[^\x00-\x1f\x7f]{1,80}$`)

// Driver is an open vsphere driver.
type Driver struct {
	name       string
	u          *url.URL
	username   string
	password   secret.Secret
	datacenter string
	caFile     string
	thumbprint string
	insecure   bool
	timeout    time.Duration
	scope      map[string][]string // VM -> port names the inventory uses

	mu     sync.Mutex
	client *vim25.Client
	sm     *session.Manager
}

// Open validates cfg. It performs no I/O.
func Open(cfg switchdrivers.Config) (switchdrivers.Driver, error) {
	fail := func(format string, a ...any) error {
		return fmt.Errorf("switch %s: vsphere: %s", cfg.Name, fmt.Sprintf(format, a...))
	}
	if cfg.Address == "" {
		return nil, fail("address (vCenter or ESXi URL) is required")
	}
	withScheme := cfg.Address
	if !strings.Contains(withScheme, "://") {
		withScheme = "https://" + withScheme
	}
	if raw, err := url.Parse(withScheme); err != nil {
		return nil, fail("address is not a URL or host name")
	} else if raw.User != nil {
		return nil, fail("put credentials in username/password (or password_file), not in the address")
	}
	u, err := soap.ParseURL(cfg.Address)
	if err != nil || u == nil {
		return nil, fail("address %q is not a URL or host name", cfg.Address)
	}
	u.User = nil // ParseURL adds an empty one
	d := &Driver{name: cfg.Name, u: u, username: cfg.Username, password: cfg.Password, timeout: 60 * time.Second, scope: map[string][]string{}}
	for k, v := range cfg.Options {
		switch k {
		case "datacenter":
			d.datacenter = v
		case "ca_file":
			d.caFile = v
		case "thumbprint":
			d.thumbprint = v
		case "insecure":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fail("option insecure %q is not true or false", v)
			}
			d.insecure = b
		case "timeout":
			t, err := time.ParseDuration(v)
			if err != nil || t <= 0 {
				return nil, fail("option timeout %q is not a positive duration", v)
			}
			d.timeout = t
		default:
			return nil, fail("unknown option %q (known: datacenter, ca_file, thumbprint, insecure, timeout)", k)
		}
	}
	if d.insecure && (d.caFile != "" || d.thumbprint != "") {
		return nil, fail("insecure=true contradicts ca_file/thumbprint")
	}
	if d.username == "" || d.password.IsZero() {
		return nil, fail("username and password (or password_file) are required")
	}
	for _, p := range cfg.Ports {
		if err := ValidatePort(p); err != nil {
			return nil, fail("%v", err)
		}
		vm, _, _ := splitPort(p)
		d.scope[vm] = append(d.scope[vm], p)
	}
	return d, nil
}

func (d *Driver) errf(port, command string, err error) error {
	return &switchdrivers.Error{Switch: d.name, Port: port, Command: command, Err: err}
}

// connect logs in once; the session is reused until Close.
func (d *Driver) connect(ctx context.Context) (*vim25.Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.client != nil {
		return d.client, nil
	}
	sc := soap.NewClient(d.u, d.insecure)
	if d.caFile != "" {
		if err := sc.SetRootCAs(d.caFile); err != nil {
			return nil, d.errf("", "", fmt.Errorf("ca_file: %w", err))
		}
	}
	if d.thumbprint != "" {
		sc.SetThumbprint(d.u.Host, d.thumbprint)
	}
	sc.Timeout = d.timeout
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, d.errf("", "", fmt.Errorf("connecting to %s: %w", d.u.Host, err))
	}
	sm := session.NewManager(c)
	if err := sm.Login(ctx, url.UserPassword(d.username, d.password.Reveal())); err != nil {
		// govmomi's fault text names no credentials; ours neither.
		return nil, d.errf("", "", fmt.Errorf("login to %s as %s: %w", d.u.Host, d.username, err))
	}
	d.client, d.sm = c, sm
	return c, nil
}

// Close logs out.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sm == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := d.sm.Logout(ctx)
	d.client, d.sm = nil, nil
	return err
}

// adapter is one VM network adapter as read.
type adapter struct {
	vm      mo.VirtualMachine
	port    string
	label   string
	mac     string
	card    types.BaseVirtualEthernetCard
	segment string // portgroup name; "" when disconnected
	network string // portgroup name even when disconnected
}

type inventory struct {
	client   *vim25.Client
	vms      map[string]mo.VirtualMachine // by name
	networks map[string]types.ManagedObjectReference
	dvpgKey  map[string]string // portgroup key -> name
	adapters map[string]*adapter
	order    []string
}

// read loads the VMs in scope (all VMs if the inventory names none), their
// adapters, and every network's name.
func (d *Driver) read(ctx context.Context) (*inventory, error) {
	c, err := d.connect(ctx)
	if err != nil {
		return nil, err
	}
	m := view.NewManager(c)
	root := c.ServiceContent.RootFolder
	if d.datacenter != "" {
		var dcs []mo.Datacenter
		v, err := m.CreateContainerView(ctx, root, []string{"Datacenter"}, true)
		if err != nil {
			return nil, d.errf("", "", err)
		}
		err = v.Retrieve(ctx, []string{"Datacenter"}, []string{"name"}, &dcs)
		v.Destroy(ctx)
		if err != nil {
			return nil, d.errf("", "", err)
		}
		found := false
		for _, dc := range dcs {
			if dc.Name == d.datacenter {
				root, found = dc.Reference(), true
			}
		}
		if !found {
			return nil, d.errf("", "", fmt.Errorf("datacenter %q not found", d.datacenter))
		}
	}
	v, err := m.CreateContainerView(ctx, root, []string{"VirtualMachine", "Network"}, true)
	if err != nil {
		return nil, d.errf("", "", err)
	}
	defer v.Destroy(ctx)
	inv := &inventory{client: c, vms: map[string]mo.VirtualMachine{}, networks: map[string]types.ManagedObjectReference{}, dvpgKey: map[string]string{}, adapters: map[string]*adapter{}}

	var names []mo.VirtualMachine
	if err := v.Retrieve(ctx, []string{"VirtualMachine"}, []string{"name"}, &names); err != nil {
		return nil, d.errf("", "", fmt.Errorf("listing VMs: %w", err))
	}
	var refs []types.ManagedObjectReference
	seen := map[string]bool{}
	for _, vm := range names {
		if len(d.scope) > 0 && d.scope[vm.Name] == nil {
			continue
		}
		if seen[vm.Name] {
			return nil, d.errf("", "", fmt.Errorf("VM name %q is not unique; name the datacenter (option datacenter)", vm.Name))
		}
		seen[vm.Name] = true
		refs = append(refs, vm.Reference())
	}
	var vms []mo.VirtualMachine
	if len(refs) > 0 {
		pc := property.DefaultCollector(c)
		if err := pc.Retrieve(ctx, refs, []string{"name", "config.hardware.device", "runtime.powerState"}, &vms); err != nil {
			return nil, d.errf("", "", fmt.Errorf("reading VMs: %w", err))
		}
	}
	var nets []mo.Network
	if err := v.Retrieve(ctx, []string{"Network"}, []string{"name"}, &nets); err != nil {
		return nil, d.errf("", "", fmt.Errorf("listing portgroups: %w", err))
	}
	for _, n := range nets {
		if prev, dup := inv.networks[n.Name]; dup && prev != n.Reference() {
			inv.networks[n.Name] = types.ManagedObjectReference{} // ambiguous
			continue
		}
		inv.networks[n.Name] = n.Reference()
	}
	var pgs []mo.DistributedVirtualPortgroup
	if err := v.Retrieve(ctx, []string{"DistributedVirtualPortgroup"}, []string{"name", "key"}, &pgs); err == nil {
		for _, pg := range pgs {
			inv.dvpgKey[pg.Key] = pg.Name
		}
	}
	for _, vm := range vms {
		inv.vms[vm.Name] = vm
		if vm.Config == nil {
			continue
		}
		wanted := map[string]string{} // label or mac -> port name used
		for _, p := range d.scope[vm.Name] {
			_, a, _ := splitPort(p)
			wanted[a] = p
		}
		for _, dev := range object.VirtualDeviceList(vm.Config.Hardware.Device).SelectByType((*types.VirtualEthernetCard)(nil)) {
			card := dev.(types.BaseVirtualEthernetCard)
			ec := card.GetVirtualEthernetCard()
			label := ""
			if di := ec.DeviceInfo; di != nil {
				label = di.GetDescription().Label
			}
			a := &adapter{vm: vm, label: label, mac: strings.ToLower(ec.MacAddress), card: card}
			a.port = vm.Name + "/" + label
			if p, ok := wanted[a.mac]; ok {
				a.port = p
			}
			switch b := ec.Backing.(type) {
			case *types.VirtualEthernetCardNetworkBackingInfo:
				a.network = b.DeviceName
			case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
				a.network = inv.dvpgKey[b.Port.PortgroupKey]
			}
			if ec.Connectable == nil || ec.Connectable.Connected || ec.Connectable.StartConnected && vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
				a.segment = a.network
			}
			inv.adapters[a.port] = a
			inv.order = append(inv.order, a.port)
		}
	}
	return inv, nil
}

// Ports lists the adapters of the VMs the inventory names.
func (d *Driver) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	inv, err := d.read(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]switchdrivers.PortState, 0, len(inv.order))
	for _, name := range inv.order {
		a := inv.adapters[name]
		p := switchdrivers.PortState{Name: name, Mode: switchdrivers.ModeAccess, Segment: a.segment, Admin: "down", Oper: "down",
			Description: fmt.Sprintf("%s %s on %s", a.label, a.mac, a.network)}
		if a.segment != "" {
			p.Admin = "up"
			if a.vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
				p.Oper = "up"
			}
		}
		out = append(out, p)
	}
	return out, nil
}

func (d *Driver) validate(changes []switchdrivers.Change) error {
	for _, c := range changes {
		if err := ValidatePort(c.Port); err != nil {
			return d.errf(c.Port, "", err)
		}
		for _, seg := range []string{c.From, c.To} {
			if seg != "" && !segmentRE.MatchString(seg) {
				return d.errf(c.Port, "", fmt.Errorf("segment %q is not a portgroup name", seg))
			}
		}
	}
	return nil
}

func describe(c switchdrivers.Change) string {
	switch {
	case c.To == "":
		return fmt.Sprintf("%s: disconnect (connected=false, start connected=false), stays on %s", c.Port, c.From)
	case c.From == "":
		return fmt.Sprintf("%s: portgroup %s, connect", c.Port, c.To)
	}
	return fmt.Sprintf("%s: portgroup %s -> %s", c.Port, c.From, c.To)
}

// Render lists, per VM, the reconfigure task Apply runs.
func (d *Driver) Render(changes []switchdrivers.Change) ([]string, error) {
	if err := d.validate(changes); err != nil {
		return nil, err
	}
	byVM := map[string][]string{}
	var vms []string
	for _, c := range changes {
		vm, _, _ := splitPort(c.Port)
		if byVM[vm] == nil {
			vms = append(vms, vm)
		}
		byVM[vm] = append(byVM[vm], describe(c))
	}
	sort.Strings(vms)
	var out []string
	for _, vm := range vms {
		out = append(out, fmt.Sprintf("ReconfigVM_Task %q: %s", vm, strings.Join(byVM[vm], "; ")))
	}
	return out, nil
}

// Apply reconfigures each VM once, in parallel, and reads back.
func (d *Driver) Apply(ctx context.Context, changes []switchdrivers.Change) error {
	if err := d.validate(changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	if len(changes) == 0 {
		return nil
	}
	inv, err := d.read(ctx)
	if err != nil {
		return switchdrivers.Untouched(err)
	}
	live := make([]switchdrivers.PortState, 0, len(inv.adapters))
	for name, a := range inv.adapters {
		live = append(live, switchdrivers.PortState{Name: name, Mode: switchdrivers.ModeAccess, Segment: a.segment})
	}
	if err := switchdrivers.CheckFrom(d.name, live, changes); err != nil {
		return switchdrivers.Untouched(err)
	}
	// Resolve every target portgroup before touching anything.
	backing := map[string]types.BaseVirtualDeviceBackingInfo{}
	for _, c := range changes {
		if c.To == "" || backing[c.To] != nil {
			continue
		}
		ref, ok := inv.networks[c.To]
		if !ok {
			return switchdrivers.Untouched(d.errf(c.Port, "", fmt.Errorf("portgroup %q not found", c.To)))
		}
		if ref.Value == "" {
			return switchdrivers.Untouched(d.errf(c.Port, "", fmt.Errorf("portgroup name %q is not unique; name the datacenter (option datacenter)", c.To)))
		}
		b, err := object.NewReference(inv.client, ref).(object.NetworkReference).EthernetCardBackingInfo(ctx)
		if err != nil {
			return switchdrivers.Untouched(d.errf(c.Port, "", fmt.Errorf("portgroup %q: %w", c.To, err)))
		}
		backing[c.To] = b
	}
	byVM := map[string][]switchdrivers.Change{}
	for _, c := range changes {
		vm, _, _ := splitPort(c.Port)
		byVM[vm] = append(byVM[vm], c)
	}
	trace := switchdrivers.ContextApplyTrace(ctx)
	trace.TraceConfiguring()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var errs []error
	for vmName, cs := range byVM {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.reconfigure(ctx, inv, vmName, cs, backing); err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		// Some VMs may have been reconfigured: not untouched. The engine
		// reads the ports back and undoes what did land.
		sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
		return errors.Join(errs...)
	}
	trace.TraceCommitted() // every ReconfigVM_Task succeeded
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

func (d *Driver) reconfigure(ctx context.Context, inv *inventory, vmName string, cs []switchdrivers.Change, backing map[string]types.BaseVirtualDeviceBackingInfo) error {
	spec := types.VirtualMachineConfigSpec{}
	var ports []string
	for _, c := range cs {
		a := inv.adapters[c.Port]
		ec := a.card.GetVirtualEthernetCard()
		if ec.Connectable == nil {
			ec.Connectable = &types.VirtualDeviceConnectInfo{}
		}
		if c.To == "" {
			ec.Connectable.Connected, ec.Connectable.StartConnected = false, false
		} else {
			ec.Backing = backing[c.To]
			ec.Connectable.Connected, ec.Connectable.StartConnected = true, true
		}
		spec.DeviceChange = append(spec.DeviceChange, &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationEdit, Device: a.card.(types.BaseVirtualDevice)})
		ports = append(ports, c.Port)
	}
	vm := object.NewVirtualMachine(inv.client, inv.vms[vmName].Reference())
	command := fmt.Sprintf("ReconfigVM_Task %q", vmName)
	task, err := vm.Reconfigure(ctx, spec)
	if err != nil {
		return d.errf(strings.Join(ports, ", "), command, err)
	}
	if err := task.Wait(ctx); err != nil {
		return d.errf(strings.Join(ports, ", "), command, err)
	}
	return nil
}
