package showparse

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/corpus"
)

// campusParsers are the FastIron/ICX, SG/CBS, PowerConnect, Force10,
// EXOS, RouterOS and EdgeSwitch parsers, tables and records, each with
// its records' key.
var campusParsers = map[string]func(string) ([]string, Report){
	"fastiron brief":     keyed(FastIronInterfacesBrief, func(r FastIronBrief) string { return r.Interface }),
	"smb status":         keyed(SMBInterfacesStatus, func(r SMBStatus) string { return r.Port }),
	"smb channels":       keyed(SMBChannelsStatus, func(r SMBStatus) string { return r.Port }),
	"smb mac":            keyed(SMBMACTable, func(r SMBMAC) string { return r.MAC }),
	"smb vlan":           keyed(SMBShowVLAN, func(r SMBVLAN) string { return r.VLANID }),
	"force10 vlan brief": keyed(Force10ShowVLANBrief, func(r Force10VLANBrief) string { return r.ID }),
	"force10 vlan":       keyed(Force10ShowVLAN, func(r Force10VLAN) string { return r.ID }),
	"force10 arp":        keyed(Force10ARPTable, func(r Force10ARP) string { return r.IP }),
	"edgeswitch vlan":    keyed(EdgeSwitchShowVLAN, func(r EdgeSwitchVLAN) string { return r.ID }),
	"edgeswitch arp":     keyed(EdgeSwitchARPTable, func(r EdgeSwitchARP) string { return r.IP }),
	"exos vlan":          keyed(EXOSShowVLANDescription, func(r EXOSVLANDescription) string { return r.ID }),
	"exos arp":           keyed(EXOSIPARP, func(r EXOSARP) string { return r.Destination }),
	"exos ports":         keyed(EXOSPortsInformation, func(r EXOSPortInfo) string { return r.Interface }),
	"mikrotik arp":       keyed(MikroTikARPTable, func(r MikroTikARP) string { return r.IP }),
	// Records.
	"fastiron vlan": keyed(FastIronShowVLAN, func(v FastIronVLAN) string {
		for _, m := range v.Members {
			if m.Port == "" || m.Status == "" || m.Name() == "" {
				return "" // a member without its port
			}
		}
		return validVLAN(v.ID)
	}),
	"fastiron config": keyed(FastIronRunningConfigVLAN, func(v FastIronConfigVLAN) string {
		for _, p := range append(v.Tagged, v.Untagged...) {
			if p == "" {
				return ""
			}
		}
		return validVLAN(v.VLANID)
	}),
	"smb switchport": keyed(SMBInterfacesSwitchport, func(s SMBSwitchport) string {
		if len(s.VLANs) != len(s.EgressRules) || len(s.VLANs) != len(s.VLANNames) || len(s.ForbiddenVLANs) != len(s.ForbiddenNames) {
			return "" // lists out of step
		}
		return s.Interface
	}),
	"exos detail": keyed(EXOSPortsInformationDetail, func(d EXOSPortDetail) string {
		for _, v := range d.VLANs {
			if v.Name == "" || !isEXOSVID(v.Tag) {
				return ""
			}
		}
		return d.Interface
	}),
	"mikrotik vlan": keyed(MikroTikInterfaceVLAN, func(v MikroTikVLAN) string {
		if v.Name == "" || v.ID == "" {
			return ""
		}
		return validVLAN(v.VLANID)
	}),
}

// validVLAN is id if it is a VLAN ID, else "" (a record without its key).
func validVLAN(id string) string {
	if !isVLANID(id) {
		return ""
	}
	return id
}

// campusPlatforms are the platforms these parsers serve.
var campusPlatforms = []string{"brocade_fastiron", "cisco_s300", "dell_powerconnect", "dell_force10", "extreme_exos", "mikrotik_routeros", "ubiquiti_edgeswitch"}

// FuzzCampusParsers feeds these parsers anything and checks what must
// hold whatever the input: no panic, no record without its key (nor a
// record parser's member, VLAN or list out of step), every warning naming
// a line of the input with that line's text, each skipped row counted
// once; and import of every platform yields no port, VLAN, MAC or ARP
// entry without its key.
func FuzzCampusParsers(f *testing.F) {
	root := filepath.Join(corpus.Dir(f), "ntc")
	for dir := range campusFolders {
		raws, _ := filepath.Glob(filepath.Join(root, dir, "*.raw"))
		for _, raw := range raws {
			if b, err := os.ReadFile(raw); err == nil && len(b) < 2500 {
				f.Add(string(b))
			}
		}
	}
	f.Add("PORT-VLAN 1, Name x, Priority level0, Off\n Untagged Ports: (U1/M1)  1 to 3\n   Tagged Ports: (LAG) 1\n DualMode Ports: (U1\nPORT-VLAN 0\n")
	f.Add("vlan 10 name a b by port\n tagged ethe 1/1/1 to 1/1/9 lag 2\n untagged ethe 2 to 1\n!\nvlan\n")
	f.Add("Port : gi1\nPort Mode: Access\nPort is member in:\nVlan Name Egress rule\n---- ---- -----------\n 1 a Untagged\nPort : \n")
	f.Add("Port:\t1\n\tVLAN cfg:\n\t\t Name: a, 802.1Q Tag = 5\n\tVLAN cfg:\nPort:\n")
	f.Add(" 0 R ;;; c\nd\n     name=\"a b\" vlan-id=5 interface=x\n 1 X name=\"unterminated vlan-id=6\n")
	f.Fuzz(func(t *testing.T, text string) {
		for name, parse := range campusParsers {
			keys, rep := parse(text)
			checkParsed(t, name, text, keys, rep)
		}
		for _, p := range campusPlatforms {
			var r Result
			if err := Import(p, "", text, &r); err != nil {
				continue
			}
			checkResult(t, p, r)
		}
	})
}

// checkResult checks that every record of an import has its key.
func checkResult(t *testing.T, platform string, r Result) {
	t.Helper()
	for _, p := range r.Ports {
		if strings.TrimSpace(p.Name) == "" {
			t.Fatalf("%s: a port without a name: %+v", platform, p)
		}
	}
	for _, v := range r.VLANs {
		if v.ID == "" {
			t.Fatalf("%s: a VLAN without an ID: %+v", platform, v)
		}
		for _, p := range v.Ports {
			if strings.TrimSpace(p) == "" {
				t.Fatalf("%s: VLAN %s has a port without a name", platform, v.ID)
			}
		}
	}
	for _, m := range r.MACs {
		if m.MAC == "" {
			t.Fatalf("%s: a MAC entry without an address: %+v", platform, m)
		}
	}
	for _, a := range r.ARP {
		if a.IP == "" {
			t.Fatalf("%s: an ARP entry without an address: %+v", platform, a)
		}
	}
	if len(r.Tables) != 1 {
		t.Fatalf("%s: %d tables", platform, len(r.Tables))
	}
	if rep := r.Tables[0]; rep.Skipped != len(r.Warnings) {
		t.Fatal(fmt.Sprintf("%s: %d skipped, %d warnings", platform, rep.Skipped, len(r.Warnings)))
	}
}
