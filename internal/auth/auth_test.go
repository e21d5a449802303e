package auth

import (
	"errors"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/cutover-net/cutover/internal/secret"
)

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		role Role
		can  []Permission
		not  []Permission
	}{
		{Viewer, []Permission{Read}, []Permission{Plan, Request, Halt, Approve, Recover}},
		{Operator, []Permission{Read, Plan, Request, Halt}, []Permission{Approve, Recover}},
		{Approver, []Permission{Read, Plan, Approve, Recover, Halt}, []Permission{Request}},
	} {
		for _, p := range tc.can {
			if !tc.role.Can(p) {
				t.Errorf("%s cannot %s", tc.role, p)
			}
		}
		for _, p := range tc.not {
			if tc.role.Can(p) {
				t.Errorf("%s can %s", tc.role, p)
			}
		}
	}
}

func TestNewRefusesWeakOrSharedTokens(t *testing.T) {
	long := secret.New("a-long-enough-token-value")
	_, err := New([]Token{
		{Name: "a", Role: Viewer, Value: long},
		{Name: "b", Role: Approver, Value: long},
		{Name: "c", Role: "root", Value: secret.New("another-long-token-value")},
		{Name: "d", Role: Viewer, Value: secret.New("short")},
		{Name: "a", Role: Viewer, Value: secret.New("yet-another-long-token")},
	})
	for _, want := range []string{"tokens a and b have the same value", `token c: role "root"`, "token d: the token is shorter", "token a: the name is given twice"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("want %q in %v", want, err)
		}
	}
	if strings.Contains(err.Error(), long.Reveal()) || strings.Contains(err.Error(), "short\"") {
		t.Errorf("a token value is in the error: %v", err)
	}
}

func TestAuthenticate(t *testing.T) {
	a, err := New([]Token{
		{Name: "ops", Role: Operator, Value: secret.New("operator-token-abcdefgh")},
		{Name: "lan", Role: Approver, Value: secret.New("approver-token-abcdefgh"), Allow: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		header, remote string
		name           string
		status         int
	}{
		{"Bearer operator-token-abcdefgh", "192.0.2.1:1", "ops", 0},
		{"bearer  operator-token-abcdefgh ", "192.0.2.1:1", "ops", 0},
		{"Bearer approver-token-abcdefgh", "10.1.2.3:1", "lan", 0},
		{"Bearer approver-token-abcdefgh", "[::1]:1", "lan", 0},
		{"Bearer approver-token-abcdefgh", "[::ffff:10.1.2.3]:1", "lan", 0},
		{"Bearer approver-token-abcdefgh", "192.0.2.1:1", "", 403},
		{"Bearer operator-token-abcdefg", "192.0.2.1:1", "", 401},
		{"", "192.0.2.1:1", "", 401},
		{"Bearer ", "192.0.2.1:1", "", 401},
		{"Token operator-token-abcdefgh", "192.0.2.1:1", "", 401},
	} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = tc.remote
		if tc.header != "" {
			req.Header.Set("Authorization", tc.header)
		}
		p, err := a.Authenticate(req)
		var ae *Error
		switch {
		case tc.status == 0 && (err != nil || p.Name != tc.name):
			t.Errorf("%q from %s: %v %+v", tc.header, tc.remote, err, p)
		case tc.status != 0 && (!errors.As(err, &ae) || ae.Status != tc.status):
			t.Errorf("%q from %s: want %d, got %v", tc.header, tc.remote, tc.status, err)
		case err != nil && strings.Contains(err.Error(), "token-abcdefg"):
			t.Errorf("the error shows the token: %v", err)
		}
	}
	p := &Principal{Name: "ops", Role: Operator}
	if err := Authorize(p, Approve); err == nil || !strings.Contains(err.Error(), "token ops has role operator, which may not approve (needs approver)") {
		t.Errorf("%v", err)
	}
}
