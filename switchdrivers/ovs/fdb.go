package ovs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cutover-net/cutover/switchdrivers"
)

// vswitchdTarget is the ovs-appctl target: option vswitchd_ctl, else the
// ovs-vswitchd.ctl beside a unix: database socket, else the default.
func (d *Driver) vswitchdTarget() string {
	if d.ctl != "" {
		return d.ctl
	}
	if sock, ok := strings.CutPrefix(d.db, "unix:"); ok {
		ctl := filepath.Join(filepath.Dir(sock), "ovs-vswitchd.ctl")
		if _, err := os.Stat(ctl); err == nil {
			return ctl
		}
	}
	return "ovs-vswitchd"
}

// MACTable reads the bridge's learned MAC addresses (ovs-appctl fdb/show)
// and names each entry's port.
func (d *Driver) MACTable(ctx context.Context) ([]switchdrivers.MACEntry, error) {
	ports, err := d.Ports(ctx)
	if err != nil {
		return nil, err
	}
	member := map[string]bool{}
	for _, p := range ports {
		member[p.Name] = true
	}
	out, err := d.run(ctx, append(d.baseArgs(), "--", "--columns=name,ofport", "list", "Interface"))
	if err != nil {
		return nil, &switchdrivers.Error{Switch: d.name, Command: "ovs-vsctl list Interface", Err: err}
	}
	var t table
	if err := json.Unmarshal(out, &t); err != nil {
		return nil, &switchdrivers.Error{Switch: d.name, Command: "ovs-vsctl list Interface", Err: err}
	}
	byOfport := map[string]string{}
	for _, r := range t.rows() {
		if name := str(r["name"]); member[name] {
			byOfport[str(r["ofport"])] = name
		}
	}
	fdb, err := d.runProgram(ctx, "ovs-appctl", []string{"-t", d.vswitchdTarget(), "fdb/show", d.bridge})
	if err != nil {
		return nil, &switchdrivers.Error{Switch: d.name, Command: "ovs-appctl fdb/show " + d.bridge, Err: err}
	}
	return parseFDB(fdb, byOfport), nil
}

// parseFDB reads `ovs-appctl fdb/show` output:
//
//	port  VLAN  MAC                Age
//	   1    66  fe:e8:c0:3c:ff:fe    0
func parseFDB(out []byte, byOfport map[string]string) []switchdrivers.MACEntry {
	var entries []switchdrivers.MACEntry
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 4 || f[0] == "port" {
			continue
		}
		vlan, err := strconv.Atoi(f[1])
		if err != nil {
			continue
		}
		name, ok := byOfport[f[0]]
		if !ok {
			continue // LOCAL or a port of another bridge
		}
		entries = append(entries, switchdrivers.MACEntry{MAC: strings.ToLower(f[2]), VLAN: vlan, Port: name})
	}
	return entries
}
