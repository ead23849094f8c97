package policy

import (
	"strings"
	"testing"
)

func TestParseSockAddr(t *testing.T) {
	tests := []struct {
		in     string
		kind   addrKind
		family string
		port   uint16
	}{
		{"127.0.0.1:80", addrIP, "AF_INET", 80},
		{"[::1]:443", addrIP, "AF_INET6", 443},
		{"[fe80::1%2]:80", addrIP, "AF_INET6", 80},
		{"[::ffff:10.0.0.1]:53", addrIP, "AF_INET", 53}, // unmapped
		{"/run/x.sock", addrUnix, "AF_UNIX", 0},
		{"@abstract", addrAbstract, "AF_UNIX", 0},
		{"unix:unnamed", addrOther, "AF_UNIX", 0},
		{"netlink:pid=0,groups=0x0", addrOther, "AF_NETLINK", 0},
		{"packet:protocol=ETH_P_ALL,ifindex=2", addrOther, "AF_PACKET", 0},
		{"family:38", addrOther, "", 0},
		{"", addrNone, "", 0},
	}
	for _, tt := range tests {
		a := parseSockAddr(tt.in)
		if a.kind != tt.kind || a.family() != tt.family || a.port != tt.port {
			t.Errorf("parseSockAddr(%q) = kind %d family %q port %d, want %d %q %d", tt.in, a.kind, a.family(), a.port, tt.kind, tt.family, tt.port)
		}
	}
}

func TestAddrPatterns(t *testing.T) {
	tests := []struct {
		pattern string
		match   []string
		noMatch []string
	}{
		{"loopback", []string{"127.0.0.1:80", "127.1.2.3:1", "[::1]:443", "[::ffff:127.0.0.1]:5"}, []string{"10.0.0.1:80", "[::2]:1", "/run/x"}},
		{"10.0.0.0/8", []string{"10.1.2.3:443"}, []string{"11.0.0.1:443"}},
		{"10.0.0.0/8:443", []string{"10.1.2.3:443"}, []string{"10.1.2.3:80"}},
		{"10.0.0.0/8:8000-8999", []string{"10.0.0.1:8080"}, []string{"10.0.0.1:9000"}},
		{"192.168.1.10", []string{"192.168.1.10:1"}, []string{"192.168.1.11:1"}},
		{"[fd00::/8]:53", []string{"[fd12::1]:53"}, []string{"[fd12::1]:54", "[fe80::1]:53"}},
		{"fd00::/8", []string{"[fd12::1]:1"}, []string{"10.0.0.1:1"}},
		{"[::1]", []string{"[::1]:9"}, []string{"127.0.0.1:9"}},
		{"::ffff:10.0.0.0/104", []string{"10.9.9.9:1"}, []string{"11.0.0.0:1"}},
		{"private", []string{"192.168.0.1:1", "172.16.0.1:1", "[fc00::1]:1"}, []string{"8.8.8.8:53"}},
		{"loopback:53", []string{"127.0.0.53:53"}, []string{"127.0.0.53:54"}},
		{"/run/*.sock", []string{"/run/docker.sock"}, []string{"/run/a/b.sock", "@x"}},
		{"@dbus-*", []string{"@dbus-abc"}, []string{"/dbus-abc", "@x"}},
		{"unix:unnamed", []string{"unix:unnamed"}, []string{"/x"}},
		{"netlink:*", []string{"netlink:pid=0,groups=0x0"}, []string{"packet:x"}},
	}
	for _, tt := range tests {
		p, err := compileAddrPattern(tt.pattern)
		if err != nil {
			t.Fatalf("compile %q: %v", tt.pattern, err)
		}
		for _, v := range tt.match {
			a := parseSockAddr(v)
			if !p.match(&a) {
				t.Errorf("%q should match %q", tt.pattern, v)
			}
		}
		for _, v := range tt.noMatch {
			a := parseSockAddr(v)
			if p.match(&a) {
				t.Errorf("%q should not match %q", tt.pattern, v)
			}
		}
	}
}

func TestAddrPatternErrors(t *testing.T) {
	tests := map[string]string{
		"10.0.0.1/8":     "host bits set",
		"10.0.0.0/33":    "bad CIDR",
		"example.com":    "bad address",
		"10.0.0.1:99999": "bad port",
		"10.0.0.1:9-1":   "below",
		"[::1":           "missing ]",
		"[::1]x":         "want [ADDRESS]:PORT",
		"localhost":      "bad address",
		"/run/":          "not a clean path",
		"@[x":            "unterminated",
		"fe80::1%eth0":   "zones",
	}
	for p, want := range tests {
		_, err := compileAddrPattern(p)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("compile %q: err = %v, want %q", p, err, want)
		}
	}
}

func TestEscapeAddrRoundTrip(t *testing.T) {
	for _, s := range []string{"10.0.0.1:443", "[::1]:80", "/run/a*.sock", "@we[ird", "netlink:pid=0,groups=0x0", "unix:unnamed"} {
		a := parseSockAddr(s)
		p, err := compileAddrPattern(escapeAddr(a))
		if err != nil {
			t.Fatalf("escapeAddr(%q) = %q: %v", s, escapeAddr(a), err)
		}
		if !p.match(&a) {
			t.Errorf("escapeAddr(%q) = %q does not match it", s, escapeAddr(a))
		}
	}
}
