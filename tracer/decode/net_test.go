package decode

import (
	"testing"

	"github.com/sysgate/sysgate/tracer/systab"
)

const addrA = 0x60000

func sockaddrIn(port uint16, ip [4]byte) []byte {
	b := []byte{2, 0, byte(port >> 8), byte(port)}
	b = append(b, ip[:]...)
	return append(b, make([]byte, 8)...)
}

func sockaddrIn6(port uint16, ip [16]byte, scope uint32) []byte {
	b := []byte{10, 0, byte(port >> 8), byte(port), 0, 0, 0, 0}
	b = append(b, ip[:]...)
	return append(b, le32(scope)...)
}

func sockaddrUn(path string) []byte {
	return append([]byte{1, 0}, path...)
}

var (
	loopback4 = [4]byte{127, 0, 0, 1}
	loopback6 = [16]byte{15: 1}
	linkLocal = [16]byte{0: 0xfe, 1: 0x80, 15: 1}
	netlink0  = []byte{16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	netlinkX  = []byte{16, 0, 0, 0, 0x39, 0x30, 0, 0, 0x11, 0, 0, 0}
)

// sockaddrOf128 is a unix path sockaddr padded to 128 bytes.
func sockaddrOf128() []byte {
	b := sockaddrUn("/run/x.sock")
	return append(b, make([]byte, 128-len(b))...)
}

func TestConnect(t *testing.T) {
	un := sockaddrUn("/run/x.sock\x00")
	runCases(t, []decodeCase{{
		name: "inet",
		call: "connect", args: [6]uint64{3, addrA, 16},
		mem:  newMem().put(addrA, sockaddrIn(80, loopback4)),
		want: kv("addr", "127.0.0.1:80"),
	}, {
		name: "inet6",
		call: "connect", args: [6]uint64{3, addrA, 28},
		mem:  newMem().put(addrA, sockaddrIn6(443, loopback6, 0)),
		want: kv("addr", "[::1]:443"),
	}, {
		name: "inet6 with scope, RFC 2133 length",
		call: "connect", args: [6]uint64{3, addrA, 28},
		mem:  newMem().put(addrA, sockaddrIn6(22, linkLocal, 2)),
		want: kv("addr", "[fe80::1%2]:22"),
	}, {
		name: "inet6 of 24 bytes has no scope",
		call: "connect", args: [6]uint64{3, addrA, 24},
		mem:  newMem().put(addrA, sockaddrIn6(22, linkLocal, 2)),
		want: kv("addr", "[fe80::1]:22"),
	}, {
		name: "abstract unix",
		call: "connect", args: [6]uint64{3, addrA, 2 + 1 + 12},
		mem:  newMem().put(addrA, sockaddrUn("\x00sysgate-test")),
		want: kv("addr", "@sysgate-test"),
	}, {
		name: "abstract unix with odd bytes",
		call: "connect", args: [6]uint64{3, addrA, 2 + 6},
		mem:  newMem().put(addrA, sockaddrUn("\x00a\x00b\\\xff")),
		want: kv("addr", `@a\x00b\x5c\xff`),
	}, {
		name: "unix path",
		call: "connect", args: [6]uint64{3, addrA, uint64(len(un))},
		mem:  newMem().put(addrA, un),
		want: kv("addr", "/run/x.sock"),
	}, {
		name: "unix path without NUL",
		call: "bind", args: [6]uint64{3, addrA, 2 + 11},
		mem:  newMem().put(addrA, sockaddrUn("/run/x.sock")),
		want: kv("addr", "/run/x.sock"),
	}, {
		name: "relative unix path",
		call: "bind", args: [6]uint64{3, addrA, 2 + 7},
		mem:  newMem().put(addrA, sockaddrUn("s.sock\x00")),
		want: kv("addr", "/home/u/s.sock"),
	}, {
		name: "unnamed unix",
		call: "bind", args: [6]uint64{3, addrA, 2},
		mem:  newMem().put(addrA, sockaddrUn("")),
		want: kv("addr", "unix:unnamed"),
	}, {
		name: "netlink",
		call: "bind", args: [6]uint64{3, addrA, 12},
		mem:  newMem().put(addrA, netlink0),
		want: kv("addr", "netlink:pid=0,groups=0x0"),
	}, {
		name: "netlink with pid and groups",
		call: "bind", args: [6]uint64{3, addrA, 12},
		mem:  newMem().put(addrA, netlinkX),
		want: kv("addr", "netlink:pid=12345,groups=0x11"),
	}, {
		name: "packet",
		call: "bind", args: [6]uint64{3, addrA, 20},
		mem:  newMem().put(addrA, []byte{17, 0, 0x08, 0x00, 2, 0, 0, 0, 1, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0}),
		want: kv("addr", "packet:protocol=ETH_P_IP,ifindex=2"),
	}, {
		name: "other family",
		call: "connect", args: [6]uint64{3, addrA, 16},
		mem:  newMem().put(addrA, []byte{40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
		want: kv("addr", "family:40"),
	}, {
		name: "inet too short",
		call: "connect", args: [6]uint64{3, addrA, 4},
		mem:  newMem().put(addrA, sockaddrIn(80, loopback4)),
		want: kv("addr", "family:2"),
	}, {
		name: "length below 2",
		call: "connect", args: [6]uint64{3, addrA, 1},
		mem: newMem().put(addrA, sockaddrIn(80, loopback4)),
	}, {
		name: "negative length",
		call: "connect", args: [6]uint64{3, addrA, 0xffffffff},
		mem: newMem().put(addrA, sockaddrIn(80, loopback4)),
	}, {
		name: "length over 128",
		call: "connect", args: [6]uint64{3, addrA, 200},
		mem:  newMem().put(addrA, sockaddrOf128()),
		want: kv("addr", "/run/x.sock", "truncated", "addr"),
	}, {
		name: "EFAULT",
		call: "connect", args: [6]uint64{3, badAddr, 16},
		want: kv("unreadable", "addr: EFAULT"),
	}, {
		name: "partly mapped",
		call: "connect", args: [6]uint64{3, 2*page - 8, 16},
		mem:  newMem().put(2*page-8, sockaddrIn(80, loopback4)[:8]),
		want: kv("unreadable", "addr: EFAULT"),
	}, {
		name: "NULL",
		call: "connect", args: [6]uint64{3, 0, 16},
		want: kv("unreadable", "addr: NULL"),
	}, {
		name: "i386 connect",
		call: "connect", abi: systab.I386, args: [6]uint64{3, 0xffffffff00000000 | addrA, 16},
		mem:  newMem().put(addrA, sockaddrIn(53, [4]byte{10, 0, 0, 1})),
		want: kv("addr", "10.0.0.1:53"),
	}})
}

func msghdr(ps int, name uint64, namelen uint32) []byte {
	var b []byte
	if ps == 4 {
		b = append(le32(uint32(name)), le32(namelen)...)
		return append(b, make([]byte, 20)...) // 28 bytes in all
	}
	b = append(le64(name), le32(namelen)...)
	return append(b, make([]byte, 44)...) // 56 bytes in all
}

func TestSend(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "sendto NULL address",
		call: "sendto", args: [6]uint64{3, structA, 10, 0, 0, 0},
	}, {
		name: "sendto address",
		call: "sendto", args: [6]uint64{3, structA, 10, 0, addrA, 16},
		mem:  newMem().put(addrA, sockaddrIn(53, [4]byte{8, 8, 8, 8})),
		want: kv("addr", "8.8.8.8:53"),
	}, {
		name: "sendmsg x86_64",
		call: "sendmsg", args: [6]uint64{3, structA, 0},
		mem:  newMem().put(structA, msghdr(8, addrA, 16)).put(addrA, sockaddrIn(123, loopback4)),
		want: kv("addr", "127.0.0.1:123"),
	}, {
		name: "sendmsg i386",
		call: "sendmsg", abi: systab.I386, args: [6]uint64{3, structA, 0},
		mem:  newMem().put(structA, msghdr(4, addrA, 28)).put(addrA, sockaddrIn6(123, loopback6, 0)),
		want: kv("addr", "[::1]:123"),
	}, {
		name: "sendmsg x32 has the 32-bit msghdr",
		call: "sendmsg", abi: systab.X32, args: [6]uint64{3, structA, 0},
		mem:  newMem().put(structA, msghdr(4, addrA, 16)).put(addrA, sockaddrIn(1, loopback4)),
		want: kv("addr", "127.0.0.1:1"),
	}, {
		name: "sendmsg without name",
		call: "sendmsg", args: [6]uint64{3, structA, 0},
		mem: newMem().put(structA, msghdr(8, 0, 0)),
	}, {
		name: "sendmsg msghdr unreadable",
		call: "sendmsg", args: [6]uint64{3, badAddr, 0},
		want: kv("unreadable", "addr: EFAULT"),
	}, {
		name: "sendmsg name unreadable",
		call: "sendmsg", args: [6]uint64{3, structA, 0},
		mem:  newMem().put(structA, msghdr(8, badAddr, 16)),
		want: kv("unreadable", "addr: EFAULT"),
	}, {
		name: "sendmmsg first message",
		call: "sendmmsg", args: [6]uint64{3, structA, 2, 0},
		mem:  newMem().put(structA, msghdr(8, addrA, 2+1+12)).put(addrA, sockaddrUn("\x00sysgate-test")),
		want: kv("addr", "@sysgate-test"),
	}, {
		name: "sendmmsg no message",
		call: "sendmmsg", args: [6]uint64{3, structA, 0, 0},
		mem: newMem().put(structA, msghdr(8, addrA, 16)).put(addrA, sockaddrIn(1, loopback4)),
	}})
}

func TestSocket(t *testing.T) {
	runCases(t, []decodeCase{{
		name: "tcp",
		call: "socket", args: [6]uint64{2, 1 | 0x80000, 6},
		want: kv("family", "AF_INET", "type", "SOCK_STREAM|SOCK_CLOEXEC", "protocol", "IPPROTO_TCP"),
	}, {
		name: "udp6 nonblocking",
		call: "socket", args: [6]uint64{10, 2 | 0x800, 0},
		want: kv("family", "AF_INET6", "type", "SOCK_DGRAM|SOCK_NONBLOCK", "protocol", "IPPROTO_IP"),
	}, {
		name: "netlink audit",
		call: "socket", args: [6]uint64{16, 3, 9},
		want: kv("family", "AF_NETLINK", "type", "SOCK_RAW", "protocol", "NETLINK_AUDIT"),
	}, {
		name: "packet",
		call: "socket", args: [6]uint64{17, 3, 0x0300},
		want: kv("family", "AF_PACKET", "type", "SOCK_RAW", "protocol", "ETH_P_ALL"),
	}, {
		name: "unix",
		call: "socket", args: [6]uint64{1, 5, 0},
		want: kv("family", "AF_UNIX", "type", "SOCK_SEQPACKET", "protocol", "0"),
	}, {
		name: "unknown family and type",
		call: "socket", args: [6]uint64{99, 9 | 0x40000000, 7},
		want: kv("family", "99", "type", "9|0x40000000", "protocol", "7"),
	}, {
		name: "socketpair",
		call: "socketpair", args: [6]uint64{1, 1 | 0x80000, 0, structA},
		want: kv("family", "AF_UNIX", "type", "SOCK_STREAM|SOCK_CLOEXEC"),
	}})
}

func TestSocketcall(t *testing.T) {
	words := func(w ...uint32) []byte {
		var b []byte
		for _, x := range w {
			b = append(b, le32(x)...)
		}
		return b
	}
	runCases(t, []decodeCase{{
		name: "connect",
		call: "socketcall", abi: systab.I386, args: [6]uint64{3, structA},
		mem:  newMem().put(structA, words(3, addrA, 16)).put(addrA, sockaddrIn(80, loopback4)),
		want: kv("op", "connect", "addr", "127.0.0.1:80"),
	}, {
		name: "socket",
		call: "socketcall", abi: systab.I386, args: [6]uint64{1, structA},
		mem:  newMem().put(structA, words(2, 2, 17)),
		want: kv("op", "socket", "family", "AF_INET", "type", "SOCK_DGRAM", "protocol", "IPPROTO_UDP"),
	}, {
		name: "sendto without address",
		call: "socketcall", abi: systab.I386, args: [6]uint64{11, structA},
		mem:  newMem().put(structA, words(3, addrA, 5, 0, 0, 0)),
		want: kv("op", "sendto"),
	}, {
		name: "sendmsg",
		call: "socketcall", abi: systab.I386, args: [6]uint64{16, structA},
		mem: newMem().put(structA, words(3, 0x70000, 0)).put(0x70000, msghdr(4, addrA, 2)).
			put(addrA, sockaddrUn("")),
		want: kv("op", "sendmsg", "addr", "unix:unnamed"),
	}, {
		name: "listen",
		call: "socketcall", abi: systab.I386, args: [6]uint64{4, structA},
		want: kv("op", "listen"),
	}, {
		name: "args unreadable",
		call: "socketcall", abi: systab.I386, args: [6]uint64{3, badAddr},
		want: kv("op", "connect", "unreadable", "args: EFAULT"),
	}, {
		name: "unknown call",
		call: "socketcall", abi: systab.I386, args: [6]uint64{99, structA},
		want: kv("op", "99"),
	}})
}
