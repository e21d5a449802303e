package showparse

import (
	"regexp"
	"strings"
)

// EXOSVLANDescription is one row of Extreme EXOS `show vlan description`.
type EXOSVLANDescription struct {
	Name        string `yaml:"vlan_name"`
	ID          string `yaml:"vlan_id"`
	Description string `yaml:"description"`
}

var exosVLANRow = regexp.MustCompile(`^(\S+)\s+(\d{1,4})(?:\s+(.*))?$`)

// EXOSShowVLANDescription parses EXOS `show vlan description`.
func EXOSShowVLANDescription(text string) ([]EXOSVLANDescription, error) {
	var out []EXOSVLANDescription
	for _, l := range lines(text) {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "Name ") || strings.HasPrefix(t, "Total ") || strings.HasPrefix(t, ">") || strings.Trim(t, "-") == "" {
			continue
		}
		if m := exosVLANRow.FindStringSubmatch(t); m != nil {
			out = append(out, EXOSVLANDescription{m[1], m[2], m[3]})
		}
	}
	return out, nil
}

// EXOSARP is one entry of EXOS `show iparp`.
type EXOSARP struct {
	VR          string `yaml:"vr"`
	Destination string `yaml:"destination"`
	MAC         string `yaml:"mac_address"`
	Age         string `yaml:"age"`
	Static      string `yaml:"static"`
	VLANName    string `yaml:"vlan_name"`
	VLANID      string `yaml:"vlan_id"`
	Port        string `yaml:"port"`
}

var exosARPRow = regexp.MustCompile(`^(\S+)\s+(\d{1,3}(?:\.\d{1,3}){3})\s+([0-9a-f]{2}(?::[0-9a-f]{2}){5})\s+(\d+)\s+(YES|NO)\s+(\S+)\s+(\d+)\s*(\S*)$`)

// EXOSIPARP parses EXOS `show iparp`.
func EXOSIPARP(text string) ([]EXOSARP, error) {
	var out []EXOSARP
	for _, l := range lines(text) {
		if m := exosARPRow.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			out = append(out, EXOSARP{m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]})
		}
	}
	return out, nil
}

// MikroTikARP is one entry of RouterOS `/ip arp print`.
type MikroTikARP struct {
	Num       string `yaml:"num"`
	Flags     string `yaml:"flags"`
	IP        string `yaml:"ip_address"`
	MAC       string `yaml:"mac_address"`
	Interface string `yaml:"interface"`
}

var mikrotikARPRow = regexp.MustCompile(`^\s*(\d+)\s([XIHDPC ]{0,6}?)\s*(\d{1,3}(?:\.\d{1,3}){3})(?:\s+([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}))?(?:\s+(\S+))?\s*$`)

// MikroTikARPTable parses RouterOS `/ip arp print`.
func MikroTikARPTable(text string) ([]MikroTikARP, error) {
	var out []MikroTikARP
	for _, l := range lines(text) {
		if m := mikrotikARPRow.FindStringSubmatch(l); m != nil {
			out = append(out, MikroTikARP{m[1], strings.TrimSpace(m[2]), m[3], m[4], m[5]})
		}
	}
	return out, nil
}
