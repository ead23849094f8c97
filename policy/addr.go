package policy

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// addrKind is what an observed socket address is.
type addrKind uint8

const (
	addrNone     addrKind = iota
	addrIP                // inet or inet6, with a port
	addrUnix              // a unix socket path
	addrAbstract          // an abstract unix name ("@name")
	addrOther             // unix:unnamed, netlink:..., packet:..., family:N
)

// sockAddr is a decoded "addr" argument, parsed once per call.
type sockAddr struct {
	kind addrKind
	raw  string
	ip   netip.Addr // unmapped (::ffff:127.0.0.1 is 127.0.0.1), zone dropped
	port uint16
}

// parseSockAddr reads the decoders' address formats: "127.0.0.1:80",
// "[::1]:443", "[fe80::1%2]:80", "/run/x.sock", "@name", "unix:unnamed",
// "netlink:pid=0,groups=0x0", "packet:...", "family:N".
func parseSockAddr(s string) sockAddr {
	a := sockAddr{raw: s, kind: addrOther}
	switch {
	case s == "":
		a.kind = addrNone
	case strings.HasPrefix(s, "/"):
		a.kind = addrUnix
	case strings.HasPrefix(s, "@"):
		a.kind = addrAbstract
	default:
		if ap, err := netip.ParseAddrPort(s); err == nil {
			a.kind, a.ip, a.port = addrIP, ap.Addr().Unmap().WithZone(""), ap.Port()
		}
	}
	return a
}

// family is the AF_* name the address belongs to, or "".
func (a sockAddr) family() string {
	switch a.kind {
	case addrIP:
		if a.ip.Is4() {
			return "AF_INET"
		}
		return "AF_INET6"
	case addrUnix, addrAbstract:
		return "AF_UNIX"
	}
	switch {
	case a.raw == "unix:unnamed":
		return "AF_UNIX"
	case strings.HasPrefix(a.raw, "netlink:"):
		return "AF_NETLINK"
	case strings.HasPrefix(a.raw, "packet:"):
		return "AF_PACKET"
	}
	return ""
}

// addrPattern is one entry of an addr condition.
type addrPattern struct {
	raw      string
	prefixes []netip.Prefix // IP patterns: any of these
	ports    *portRange     // IP patterns with ":PORT" or ":LO-HI"
	path     *pathGlob      // unix socket paths
	text     *strGlob       // abstract names (after "@") and other addresses
	abstract bool
}

// addrKeywords name address ranges.
var addrKeywords = map[string][]string{
	"loopback":   {"127.0.0.0/8", "::1/128"},
	"private":    {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"},
	"link-local": {"169.254.0.0/16", "fe80::/10"},
	"multicast":  {"224.0.0.0/4", "ff00::/8"},
	"any":        {"0.0.0.0/0", "::/0"},
}

func addrKeywordNames() []string {
	return []string{"any", "link-local", "loopback", "multicast", "private"}
}

// compileAddrPattern reads an address pattern (see docs/policy.md).
func compileAddrPattern(s string) (*addrPattern, error) {
	p := &addrPattern{raw: s}
	var err error
	switch {
	case s == "":
		return nil, errors.New("empty address pattern")
	case strings.HasPrefix(s, "/"):
		p.path, err = compilePathGlob(s)
	case strings.HasPrefix(s, "@"):
		p.abstract = true
		p.text, err = compileStrGlob(s[1:])
	case strings.HasPrefix(s, "unix:") || strings.HasPrefix(s, "netlink:") || strings.HasPrefix(s, "packet:") || strings.HasPrefix(s, "family:"):
		p.text, err = compileStrGlob(s)
	default:
		err = p.compileIP(s)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// compileIP reads KEYWORD, IP, CIDR, IPv4[/N]:PORT, [IPv6[/N]]:PORT.
func (p *addrPattern) compileIP(s string) error {
	host, port, err := splitHostPort(s)
	if err != nil {
		return err
	}
	if port != "" {
		r, err := parsePortRange(port)
		if err != nil {
			return err
		}
		p.ports = &r
	}
	if cidrs, ok := addrKeywords[host]; ok {
		for _, c := range cidrs {
			p.prefixes = append(p.prefixes, netip.MustParsePrefix(c))
		}
		return nil
	}
	pfx, err := parsePrefix(host)
	if err != nil {
		return err
	}
	p.prefixes = []netip.Prefix{pfx}
	return nil
}

// splitHostPort separates a port: "[v6]:P", "v4:P", or none.
func splitHostPort(s string) (host, port string, err error) {
	if strings.HasPrefix(s, "[") {
		end := strings.Index(s, "]")
		if end < 0 {
			return "", "", fmt.Errorf("address %q: missing ]", s)
		}
		host, rest := s[1:end], s[end+1:]
		if rest == "" {
			return host, "", nil
		}
		if !strings.HasPrefix(rest, ":") {
			return "", "", fmt.Errorf("address %q: want [ADDRESS]:PORT", s)
		}
		return host, rest[1:], nil
	}
	if strings.Count(s, ":") == 1 {
		host, port, _ := strings.Cut(s, ":")
		return host, port, nil
	}
	return s, "", nil
}

// parsePrefix reads an IP or a CIDR; an IP is a prefix of its full length.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		pfx, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("bad CIDR %q: %w", s, err)
		}
		if pfx.Masked() != pfx {
			return netip.Prefix{}, fmt.Errorf("bad CIDR %q: host bits set (the network is %s)", s, pfx.Masked())
		}
		return unmapPrefix(pfx), nil
	}
	ip, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("bad address %q: want an IP, a CIDR, a unix socket path, an @abstract name or one of %s", s, strings.Join(addrKeywordNames(), ", "))
	}
	if ip.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("bad address %q: zones are not matched", s)
	}
	ip = ip.Unmap()
	return netip.PrefixFrom(ip, ip.BitLen()), nil
}

// unmapPrefix turns ::ffff:a.b.c.d/N (N >= 96) into a.b.c.d/(N-96), since
// observed addresses are unmapped before matching.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p
}

func (p *addrPattern) match(a *sockAddr) bool {
	switch {
	case p.path != nil:
		return a.kind == addrUnix && p.path.match(a.raw)
	case p.abstract:
		return a.kind == addrAbstract && p.text.match(a.raw[1:])
	case p.text != nil:
		return a.kind == addrOther && p.text.match(a.raw)
	}
	if a.kind != addrIP || (p.ports != nil && !p.ports.has(a.port)) {
		return false
	}
	for _, pfx := range p.prefixes {
		if pfx.Contains(a.ip) {
			return true
		}
	}
	return false
}

// portRange is LO-HI, inclusive.
type portRange struct{ lo, hi uint16 }

func (r portRange) has(p uint16) bool { return p >= r.lo && p <= r.hi }

// parsePortRange reads "443" or "8000-8999".
func parsePortRange(s string) (portRange, error) {
	lo, hi, isRange := strings.Cut(s, "-")
	l, err := parsePort(lo)
	if err != nil {
		return portRange{}, err
	}
	if !isRange {
		return portRange{l, l}, nil
	}
	h, err := parsePort(hi)
	if err != nil {
		return portRange{}, err
	}
	if h < l {
		return portRange{}, fmt.Errorf("bad port range %q: %d is below %d", s, h, l)
	}
	return portRange{l, h}, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("bad port %q: want a number from 0 to 65535", s)
	}
	return uint16(n), nil
}

// escapeAddr writes an observed address as a pattern that matches exactly it.
func escapeAddr(a sockAddr) string {
	switch a.kind {
	case addrIP:
		if a.ip.Is4() {
			return fmt.Sprintf("%s:%d", a.ip, a.port)
		}
		return fmt.Sprintf("[%s]:%d", a.ip, a.port)
	case addrUnix:
		return escapePathGlob(a.raw)
	case addrAbstract:
		return "@" + escapeStrGlob(a.raw[1:])
	}
	return escapeStrGlob(a.raw)
}
