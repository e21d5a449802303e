// Package auth authenticates the daemon's API clients by bearer token:
// each token has a name, a role (viewer, operator or approver) and,
// optionally, the client addresses it may be used from. Tokens are compared
// in constant time (every configured token is compared, whichever matches)
// and never appear in an error, a log line or a response: a client is
// known by its token's name. There are no cookies and no sessions.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"github.com/cutover-net/cutover/internal/secret"
)

// Role is what a token may do.
type Role string

// Roles.
const (
	Viewer   Role = "viewer"   // read everything
	Operator Role = "operator" // read, compile plans, request runs, halt
	Approver Role = "approver" // read, compile plans, approve or deny, recover, halt
)

// Roles lists the roles, for messages.
var Roles = []Role{Viewer, Operator, Approver}

// Permission is one kind of action.
type Permission string

// Permissions.
const (
	Read    Permission = "read"
	Plan    Permission = "plan"
	Request Permission = "request" // request a run
	Halt    Permission = "halt"
	Approve Permission = "approve" // approve or deny a run
	Recover Permission = "recover" // choose how an unfinished run is recovered
)

var grants = map[Role][]Permission{
	Viewer:   {Read},
	Operator: {Read, Plan, Request, Halt},
	Approver: {Read, Plan, Approve, Recover, Halt},
}

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool { return slices.Contains(grants[r], p) }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := grants[r]; return ok }

// MinTokenLength is the shortest token accepted: a bearer token is a
// password that is sent with every request.
const MinTokenLength = 16

// Token is one configured credential.
type Token struct {
	Name  string
	Role  Role
	Value secret.Secret
	// Allow, if not empty, limits the client addresses the token is
	// accepted from.
	Allow []netip.Prefix
}

// Principal is an authenticated client.
type Principal struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Addr is the client's address.
	Addr netip.Addr `json:"address"`
}

// Can reports whether the principal has permission p.
func (p *Principal) Can(perm Permission) bool { return p != nil && p.Role.Can(perm) }

// Error is an authentication or authorisation failure: Status is 401 (no
// or unknown token) or 403 (a known token that may not do this, or not
// from here). The message never contains a token.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

// Authenticator checks bearer tokens.
type Authenticator struct {
	tokens []token
}

type token struct {
	Token
	sum [sha256.Size]byte
}

// New checks the tokens (names unique and non-empty, known roles, values
// at least MinTokenLength long and all different) and returns an
// Authenticator. Errors name the token, never its value.
func New(tokens []Token) (*Authenticator, error) {
	a := &Authenticator{}
	var errs []error
	names := map[string]bool{}
	sums := map[[sha256.Size]byte]string{}
	for _, t := range tokens {
		switch {
		case t.Name == "":
			errs = append(errs, errors.New("a token has no name"))
			continue
		case names[t.Name]:
			errs = append(errs, fmt.Errorf("token %s: the name is given twice", t.Name))
			continue
		case !t.Role.Valid():
			errs = append(errs, fmt.Errorf("token %s: role %q (known: %s)", t.Name, t.Role, roleList()))
			continue
		case len(t.Value.Reveal()) < MinTokenLength:
			errs = append(errs, fmt.Errorf("token %s: the token is shorter than %d characters", t.Name, MinTokenLength))
			continue
		}
		names[t.Name] = true
		sum := sha256.Sum256([]byte(t.Value.Reveal()))
		if other, dup := sums[sum]; dup {
			// Two names for one token would let one person be two
			// approvers.
			errs = append(errs, fmt.Errorf("tokens %s and %s have the same value; every token must be different", other, t.Name))
			continue
		}
		sums[sum] = t.Name
		a.tokens = append(a.tokens, token{t, sum})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return a, nil
}

func roleList() string {
	s := make([]string, len(Roles))
	for i, r := range Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

// ClientAddr is the address of the request's peer (the TCP connection's;
// forwarding headers are not trusted).
func ClientAddr(r *http.Request) netip.Addr {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, _ := netip.ParseAddr(host)
	return a.Unmap()
}

// Authenticate identifies the request's client from its Authorization
// header. Every configured token is compared, in constant time, whether or
// not an earlier one matched.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, &Error{http.StatusUnauthorized, "no bearer token: send the header Authorization: Bearer <token>"}
	}
	scheme, value, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(value) == "" {
		return nil, &Error{http.StatusUnauthorized, "the Authorization header is not of the form: Bearer <token>"}
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(value)))
	found := -1
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], a.tokens[i].sum[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil, &Error{http.StatusUnauthorized, "the bearer token is not valid"}
	}
	t := a.tokens[found]
	addr := ClientAddr(r)
	if len(t.Allow) > 0 && !slices.ContainsFunc(t.Allow, func(p netip.Prefix) bool { return p.Contains(addr) }) {
		return nil, &Error{http.StatusForbidden, fmt.Sprintf("token %s may not be used from %s", t.Name, addr)}
	}
	return &Principal{Name: t.Name, Role: t.Role, Addr: addr}, nil
}

// Authorize checks that p may do perm.
func Authorize(p *Principal, perm Permission) error {
	if p.Can(perm) {
		return nil
	}
	var roles []string
	for _, r := range Roles {
		if r.Can(perm) {
			roles = append(roles, string(r))
		}
	}
	return &Error{http.StatusForbidden, fmt.Sprintf("token %s has role %s, which may not %s (needs %s)", p.Name, p.Role, perm, strings.Join(roles, " or "))}
}
