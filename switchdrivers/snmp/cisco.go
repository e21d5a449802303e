package snmp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/cutover-net/cutover/switchdrivers"
	"github.com/gosnmp/gosnmp"
)

// Cisco is an open snmp_cisco driver.
type Cisco struct {
	*conn
	writeMem bool
}

// OpenCisco validates cfg. It performs no I/O.
func OpenCisco(cfg switchdrivers.Config) (switchdrivers.Driver, error) {
	c, err := openConn(CiscoName, cfg, "save")
	if err != nil {
		return nil, err
	}
	d := &Cisco{conn: c}
	switch s := c.options["save"]; s {
	case "", "copy":
	case "writemem":
		d.writeMem = true
	default:
		return nil, fmt.Errorf("switch %s: %s: option save=%q: want copy or writemem", cfg.Name, CiscoName, s)
	}
	return d, nil
}

type ciscoState struct {
	ports   []switchdrivers.PortState
	rows    []switchdrivers.UnreadableRow // what the read could not use, and the ports it may be
	ifIndex map[string]int
	vlans   map[int]int // VLAN -> vtpVlanState (1 operational, 2 suspended, …)
}

func (d *Cisco) read(ctx context.Context) (*ciscoState, error) {
	var w warnings
	defer d.keep(&w)
	cols, err := d.columns(ctx, &w, append([]string{oidVmVlan, oidTrunkDynStatus, oidVtpVlanState}, ifColumns...)...)
	if err != nil {
		d.keepRows(nil)
		return nil, err
	}
	st, err := decodeCisco(cols, &w)
	if err != nil {
		d.keepRows(nil)
		return nil, d.errorf("", "", "%v", err)
	}
	d.keepRows(st.rows)
	return st, nil
}

// ReadPorts reads the ports and the values it could not use
// (switchdrivers.PortReader).
func (d *Cisco) ReadPorts(ctx context.Context) (switchdrivers.PortRead, error) {
	st, err := d.read(ctx)
	if err != nil {
		return switchdrivers.PortRead{}, err
	}
	return switchdrivers.PortRead{Ports: st.ports, Unreadable: st.rows}, nil
}

// decodeCisco makes one read of the switch out of the columns walked:
// IF-MIB, vmVlan, vlanTrunkPortDynamicStatus and vtpVlanState.
func decodeCisco(cols map[string][]gosnmp.SnmpPDU, w *warnings) (*ciscoState, error) {
	ifs := interfaces(cols, w)
	st := &ciscoState{ifIndex: map[string]int{}, vlans: map[int]int{}}
	for _, v := range cols[oidVtpVlanState] {
		vlan, err := rowIndex(v.Name, 4094)
		if err != nil {
			w.skip(oidVtpVlanState, v, noPort, 0, "%v; row skipped", err)
			continue
		}
		n, err := intValue(v)
		if err != nil {
			w.skip(oidVtpVlanState, v, noPort, 0, "%v; the state of VLAN %d is unknown", err, vlan)
			continue
		}
		st.vlans[vlan] = int(n)
	}
	seen := map[int]bool{}
	vm := map[int]int{}
	for _, v := range cols[oidVmVlan] {
		idx, err := rowIndex(v.Name, 2147483647)
		if err != nil {
			w.skip(oidVmVlan, v, lackingRow, 0, "%v; row skipped", err)
			continue
		}
		seen[idx] = true
		vlan, err := vlanValue(v)
		if err != nil {
			w.skip(oidVmVlan, v, ifIndexRow, idx, "%v; the VLAN of ifIndex %d is unknown", err, idx)
			continue
		}
		vm[idx] = vlan
	}
	trunking := map[int]bool{}
	for _, v := range cols[oidTrunkDynStatus] {
		idx, err := rowIndex(v.Name, 2147483647)
		if err != nil {
			w.skip(oidTrunkDynStatus, v, lackingRow, 0, "%v; row skipped", err)
			continue
		}
		seen[idx] = true
		n, err := intValue(v)
		if err != nil {
			w.skip(oidTrunkDynStatus, v, ifIndexRow, idx, "%v; whether ifIndex %d trunks is unknown", err, idx)
			continue
		}
		trunking[idx] = n == 1 // trunking(1), notTrunking(2)
	}
	if len(seen) == 0 {
		return nil, fmt.Errorf("the agent lists no ports in vmVlan or vlanTrunkPortDynamicStatus (CISCO-VLAN-MEMBERSHIP-MIB, CISCO-VTP-MIB): no port to report")
	}
	// A trunking port is a trunk whatever its vmVlan; otherwise vmVlan
	// is its access VLAN.
	for idx := range seen {
		mode := switchdrivers.ModeAccess
		if trunking[idx] {
			mode = switchdrivers.ModeTrunk
		}
		st.ports = append(st.ports, portState(idx, ifs[idx], mode, vm[idx]))
	}
	sortPorts(st.ports)
	uniqueNames(st.ports)
	for _, p := range st.ports {
		st.ifIndex[p.Name] = p.IfIndex
	}
	st.rows = rowsOf(w.bad, cols, st.ports, nil, indexedBy(map[string]concern{oidVtpVlanState: noPort}))
	return st, nil
}

// Ports implements switchdrivers.Driver: the interfaces with a vmVlan
// (access) or a trunk status, named by ifName. It fails where a value
// it could not use may concern a port of the plan.
func (d *Cisco) Ports(ctx context.Context) ([]switchdrivers.PortState, error) {
	return d.ports(ctx, d.ReadPorts)
}

// Render implements switchdrivers.Driver.
func (d *Cisco) Render(changes []switchdrivers.Change) ([]string, error) {
	if err := checkChanges(d.name, changes); err != nil {
		return nil, err
	}
	if len(changes) == 0 {
		return nil, nil
	}
	lines := []string{"# read ifName and vtpVlanState; refuse unless every target VLAN is operational"}
	for _, c := range changes {
		lines = append(lines, fmt.Sprintf("SET vmVlan.<ifIndex of %s> = %s (INTEGER)", c.Port, c.To))
	}
	how := fmt.Sprintf("# in one SET PDU (up to %d varbinds each); vmVlan replaces the membership at once", d.maxVarbinds)
	if d.oneVarbind {
		how = "# one varbind per SET PDU"
	}
	return append(lines, how, "# read back"), nil
}

// Apply implements switchdrivers.Driver.
func (d *Cisco) Apply(ctx context.Context, changes []switchdrivers.Change) error {
	read := func(ctx context.Context) (*ciscoState, switchdrivers.PortRead, error) {
		st, err := d.read(ctx)
		if err != nil {
			return nil, switchdrivers.PortRead{}, err
		}
		return st, switchdrivers.PortRead{Ports: st.ports, Unreadable: st.rows}, nil
	}
	return applyBatch(ctx, d.conn, changes, read, func(st *ciscoState) ([][]varbind, error) { return d.plan(st, changes) })
}

// plan sets vmVlan per port (INTEGER; it replaces the membership at once),
// refusing unless every target VLAN is operational.
func (d *Cisco) plan(st *ciscoState, changes []switchdrivers.Change) ([][]varbind, error) {
	if len(st.vlans) == 0 {
		return nil, d.errorf("", "", "the agent lists no VLANs (CISCO-VTP-MIB vtpVlanState is empty), so the target VLAN cannot be verified")
	}
	var vbs []varbind
	for _, c := range changes {
		from, _ := vlanSegment(c.From)
		to, _ := vlanSegment(c.To)
		switch state, ok := st.vlans[to]; {
		case !ok:
			return nil, d.errorf(c.Port, "", "VLAN %d does not exist on the switch", to)
		case state != 1:
			return nil, d.errorf(c.Port, "", "VLAN %d is not operational (vtpVlanState %d)", to, state)
		}
		oid := fmt.Sprintf("%s.%d", oidVmVlan, st.ifIndex[c.Port])
		vbs = append(vbs, varbind{
			set:    gosnmp.SnmpPDU{Name: oid, Type: gosnmp.Integer, Value: to},
			before: gosnmp.SnmpPDU{Name: oid, Type: gosnmp.Integer, Value: from},
			ports:  []string{c.Port},
		})
	}
	return pdus(vbs, d.maxVarbinds), nil
}

// CISCO-CONFIG-COPY-MIB values.
const (
	ccRunningConfig = 4
	ccStartupConfig = 3
	ccCreateAndGo   = 4
	ccDestroy       = 6
	ccSuccessful    = 3
	ccFailed        = 4
)

// Save implements switchdrivers.Saver: copy running-config to
// startup-config through a ccCopyTable row (created, polled until it
// succeeds or fails, then destroyed); agents without the table, or with
// options.save: writemem, get the legacy writeMem.
func (d *Cisco) Save(ctx context.Context) error {
	if d.writeMem {
		return d.saveWriteMem(ctx)
	}
	row := 1 + rand.IntN(999)
	col := func(n int) string { return fmt.Sprintf("%s.%d.%d", oidCcCopyEntry, n, row) }
	create := []gosnmp.SnmpPDU{
		{Name: col(3), Type: gosnmp.Integer, Value: ccRunningConfig},
		{Name: col(4), Type: gosnmp.Integer, Value: ccStartupConfig},
		{Name: col(14), Type: gosnmp.Integer, Value: ccCreateAndGo},
	}
	if err := d.set(ctx, create); err != nil {
		var refused *setError
		if errors.As(err, &refused) {
			switch refused.status {
			case gosnmp.NoSuchName, gosnmp.NotWritable, gosnmp.NoCreation, gosnmp.NoAccess:
				return d.saveWriteMem(ctx) // no CISCO-CONFIG-COPY-MIB
			}
		}
		return d.errorf("", fmt.Sprintf("SET ccCopyEntry.%d (running-config to startup-config)", row), "saving the configuration: %v", err)
	}
	defer d.set(context.WithoutCancel(ctx), []gosnmp.SnmpPDU{{Name: col(14), Type: gosnmp.Integer, Value: ccDestroy}})
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got, err := d.get(ctx, []string{col(10), col(13)})
		if err != nil {
			return fmt.Errorf("saving the configuration: %w", err)
		}
		if len(got) == 2 && !absent(got[0]) {
			state, err := intValue(got[0])
			if err != nil {
				return d.errorf("", "", "saving the configuration: %v", err)
			}
			switch state {
			case ccSuccessful:
				return nil
			case ccFailed:
				cause, _ := intValue(got[1])
				return d.errorf("", "", "saving the configuration: the copy failed (ccCopyFailCause %d)", cause)
			}
		}
		if time.Now().After(deadline) {
			return d.errorf("", "", "saving the configuration: the copy did not finish within 2 minutes")
		}
		select {
		case <-ctx.Done():
			return d.errorf("", "", "saving the configuration: %v", context.Cause(ctx))
		case <-tick.C:
		}
	}
}

func (d *Cisco) saveWriteMem(ctx context.Context) error {
	if err := d.set(ctx, []gosnmp.SnmpPDU{{Name: oidWriteMem, Type: gosnmp.Integer, Value: 1}}); err != nil {
		return d.errorf("", "SET writeMem.0 = 1", "saving the configuration: %v", err)
	}
	return nil
}
