package decode

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"

	"github.com/sysgate/sysgate/observation"
)

func init() {
	register(Net, socketEntry, nil, "socket")
	register(Net, socketpairEntry, nil, "socketpair")
	register(Net, addrEntry, nil, "connect", "bind")
	register(Net, sendtoEntry, nil, "sendto")
	register(Net, sendmsgEntry, nil, "sendmsg")
	register(Net, sendmmsgEntry, nil, "sendmmsg")
	register(Net, socketcallEntry, nil, "socketcall")
}

// Address families (linux/socket.h).
const (
	afUnix    = 1
	afInet    = 2
	afInet6   = 10
	afNetlink = 16
	afPacket  = 17
)

var families = map[int64]string{
	0: "AF_UNSPEC", afUnix: "AF_UNIX", afInet: "AF_INET", 3: "AF_AX25",
	4: "AF_IPX", 5: "AF_APPLETALK", 6: "AF_NETROM", 7: "AF_BRIDGE",
	8: "AF_ATMPVC", 9: "AF_X25", afInet6: "AF_INET6", 11: "AF_ROSE",
	12: "AF_DECnet", 13: "AF_NETBEUI", 14: "AF_SECURITY", 15: "AF_KEY",
	afNetlink: "AF_NETLINK", afPacket: "AF_PACKET", 18: "AF_ASH",
	19: "AF_ECONET", 20: "AF_ATMSVC", 21: "AF_RDS", 22: "AF_SNA",
	23: "AF_IRDA", 24: "AF_PPPOX", 25: "AF_WANPIPE", 26: "AF_LLC",
	27: "AF_IB", 28: "AF_MPLS", 29: "AF_CAN", 30: "AF_TIPC",
	31: "AF_BLUETOOTH", 32: "AF_IUCV", 33: "AF_RXRPC", 34: "AF_ISDN",
	35: "AF_PHONET", 36: "AF_IEEE802154", 37: "AF_CAIF", 38: "AF_ALG",
	39: "AF_NFC", 40: "AF_VSOCK", 41: "AF_KCM", 42: "AF_QIPCRTR",
	43: "AF_SMC", 44: "AF_XDP", 45: "AF_MCTP",
}

var sockTypes = map[int64]string{
	1: "SOCK_STREAM", 2: "SOCK_DGRAM", 3: "SOCK_RAW", 4: "SOCK_RDM",
	5: "SOCK_SEQPACKET", 6: "SOCK_DCCP", 10: "SOCK_PACKET",
}

var sockTypeFlags = []flag{{oNonblock, "SOCK_NONBLOCK"}, {oCloexec, "SOCK_CLOEXEC"}}

var ipProtos = map[int64]string{
	0: "IPPROTO_IP", 1: "IPPROTO_ICMP", 2: "IPPROTO_IGMP", 4: "IPPROTO_IPIP",
	6: "IPPROTO_TCP", 8: "IPPROTO_EGP", 12: "IPPROTO_PUP", 17: "IPPROTO_UDP",
	22: "IPPROTO_IDP", 29: "IPPROTO_TP", 33: "IPPROTO_DCCP",
	41: "IPPROTO_IPV6", 46: "IPPROTO_RSVP", 47: "IPPROTO_GRE",
	50: "IPPROTO_ESP", 51: "IPPROTO_AH", 58: "IPPROTO_ICMPV6",
	92: "IPPROTO_MTP", 94: "IPPROTO_BEETPH", 98: "IPPROTO_ENCAP",
	103: "IPPROTO_PIM", 108: "IPPROTO_COMP", 115: "IPPROTO_L2TP",
	132: "IPPROTO_SCTP", 136: "IPPROTO_UDPLITE", 137: "IPPROTO_MPLS",
	143: "IPPROTO_ETHERNET", 255: "IPPROTO_RAW", 262: "IPPROTO_MPTCP",
}

var netlinkProtos = map[int64]string{
	0: "NETLINK_ROUTE", 1: "NETLINK_UNUSED", 2: "NETLINK_USERSOCK",
	3: "NETLINK_FIREWALL", 4: "NETLINK_SOCK_DIAG", 5: "NETLINK_NFLOG",
	6: "NETLINK_XFRM", 7: "NETLINK_SELINUX", 8: "NETLINK_ISCSI",
	9: "NETLINK_AUDIT", 10: "NETLINK_FIB_LOOKUP", 11: "NETLINK_CONNECTOR",
	12: "NETLINK_NETFILTER", 13: "NETLINK_IP6_FW", 14: "NETLINK_DNRTMSG",
	15: "NETLINK_KOBJECT_UEVENT", 16: "NETLINK_GENERIC",
	18: "NETLINK_SCSITRANSPORT", 19: "NETLINK_ECRYPTFS", 20: "NETLINK_RDMA",
	21: "NETLINK_CRYPTO", 22: "NETLINK_SMC",
}

// ethProtos names the ETH_P_* values (host order) of AF_PACKET.
var ethProtos = map[int64]string{
	0x0003: "ETH_P_ALL", 0x0800: "ETH_P_IP", 0x0806: "ETH_P_ARP",
	0x86dd: "ETH_P_IPV6", 0x8100: "ETH_P_8021Q", 0x88cc: "ETH_P_LLDP",
}

func ethProto(v uint16) string {
	if s, ok := ethProtos[int64(v)]; ok {
		return s
	}
	return "0x" + strconv.FormatUint(uint64(v)|0x10000, 16)[1:]
}

// sockType names a socket type with its SOCK_NONBLOCK and SOCK_CLOEXEC bits.
func sockType(v uint32) string {
	s := enum(int64(v&0xf), sockTypes)
	if rest := uint64(v &^ 0xf); rest != 0 {
		s += "|" + flags(rest, sockTypeFlags)
	}
	return s
}

// protocol names a socket protocol as its family defines them.
func protocol(family, proto int32) string {
	switch family {
	case afInet, afInet6:
		return enum(int64(proto), ipProtos)
	case afNetlink:
		return enum(int64(proto), netlinkProtos)
	case afPacket:
		return ethProto(bswap16(uint16(proto)))
	}
	return dec(int64(proto))
}

func bswap16(v uint16) uint16 { return v<<8 | v>>8 }

// socketEntry: socket(family, type, protocol).
func socketEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	fam := c.i32(0)
	b.set("family", enum(int64(fam), families))
	b.set("type", sockType(c.u32(1)))
	b.set("protocol", protocol(fam, c.i32(2)))
	return b.done()
}

// socketpairEntry: socketpair(family, type, protocol, sv).
func socketpairEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.set("family", enum(int64(c.i32(0)), families))
	b.set("type", sockType(c.u32(1)))
	return b.done()
}

// addrEntry serves connect and bind: (fd, addr, addrlen).
func addrEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.sockaddr(c.ptr(1), c.i32(2), false)
	return b.done()
}

// sendtoEntry: sendto(fd, buf, len, flags, addr, addrlen); a NULL addr is a
// plain send.
func sendtoEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.sockaddr(c.ptr(4), c.i32(5), true)
	return b.done()
}

// sendmsgEntry: sendmsg(fd, msg, flags).
func sendmsgEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	b.msgName(c.ptr(1))
	return b.done()
}

// sendmmsgEntry: sendmmsg(fd, msgvec, vlen, flags). The first struct mmsghdr
// starts with a struct msghdr: only its address is decoded (none for vlen 0).
func sendmmsgEntry(c *Call, m Memory, p Proc) observation.Args {
	b := newBuilder(c, m, p)
	if c.u32(2) != 0 {
		b.msgName(c.ptr(1))
	}
	return b.done()
}

// msgName sets "addr" from the msg_name of the struct msghdr at addr:
// {void *msg_name; int msg_namelen; ...}, with the ABI's pointer size.
func (b *builder) msgName(addr uint64) {
	ps := ptrSize(b.c.ABI)
	var hdr [12]byte
	if !b.read("addr", addr, hdr[:ps+4]) {
		return
	}
	name := word(hdr[:], 0, ps)
	namelen := int32(binary.LittleEndian.Uint32(hdr[ps:]))
	b.sockaddr(name, namelen, true)
}

// sockaddr sets "addr" from the socket address at addr of length n. A NULL
// addr gives nothing when nullOK, else it is unreadable.
func (b *builder) sockaddr(addr uint64, n int32, nullOK bool) {
	if addr == 0 {
		if !nullOK {
			b.fail("addr", errNULL)
		}
		return
	}
	if n < 2 {
		return
	}
	if n > maxSockaddr {
		n = maxSockaddr
		b.trunc("addr")
	}
	var buf [maxSockaddr]byte
	if !b.read("addr", addr, buf[:n]) {
		return
	}
	b.set("addr", b.formatAddr(buf[:n]))
}

// formatAddr formats a socket address (see the package doc).
func (b *builder) formatAddr(sa []byte) string {
	fam := binary.LittleEndian.Uint16(sa)
	switch {
	case fam == afUnix:
		return b.unixAddr(sa[2:])
	case fam == afInet && len(sa) >= 8:
		ip := netip.AddrFrom4([4]byte(sa[4:8]))
		return netip.AddrPortFrom(ip, binary.BigEndian.Uint16(sa[2:])).String()
	case fam == afInet6 && len(sa) >= 24:
		ip := netip.AddrFrom16([16]byte(sa[8:24]))
		if len(sa) >= 28 {
			if scope := binary.LittleEndian.Uint32(sa[24:]); scope != 0 {
				ip = ip.WithZone(strconv.FormatUint(uint64(scope), 10))
			}
		}
		return netip.AddrPortFrom(ip, binary.BigEndian.Uint16(sa[2:])).String()
	case fam == afNetlink && len(sa) >= 12:
		return "netlink:pid=" + strconv.FormatUint(uint64(binary.LittleEndian.Uint32(sa[4:])), 10) +
			",groups=" + hex(uint64(binary.LittleEndian.Uint32(sa[8:])))
	case fam == afPacket && len(sa) >= 8:
		return "packet:protocol=" + ethProto(binary.BigEndian.Uint16(sa[2:])) +
			",ifindex=" + dec(int64(int32(binary.LittleEndian.Uint32(sa[4:]))))
	}
	return "family:" + strconv.FormatUint(uint64(fam), 10)
}

// unixAddr formats sun_path: unnamed, abstract (all of its bytes count), or a
// NUL-terminated path made absolute against the cwd.
func (b *builder) unixAddr(sun []byte) string {
	switch {
	case len(sun) == 0:
		return "unix:unnamed"
	case sun[0] == 0:
		return "@" + escape(sun[1:])
	}
	if i := bytes.IndexByte(sun, 0); i >= 0 {
		sun = sun[:i]
	}
	s, _ := b.resolve(atFDCWD, string(sun))
	return s
}

// socketcall's calls (linux/net.h), with their argument counts.
var socketcalls = [...]struct {
	name  string
	nargs int
	entry entryFunc
}{
	1: {"socket", 3, socketEntry}, 2: {"bind", 3, addrEntry},
	3: {"connect", 3, addrEntry}, 4: {"listen", 2, nil},
	5: {"accept", 3, nil}, 6: {"getsockname", 3, nil},
	7: {"getpeername", 3, nil}, 8: {"socketpair", 4, socketpairEntry},
	9: {"send", 4, nil}, 10: {"recv", 4, nil}, 11: {"sendto", 6, sendtoEntry},
	12: {"recvfrom", 6, nil}, 13: {"shutdown", 2, nil},
	14: {"setsockopt", 5, nil}, 15: {"getsockopt", 5, nil},
	16: {"sendmsg", 3, sendmsgEntry}, 17: {"recvmsg", 3, nil},
	18: {"accept4", 4, nil}, 19: {"recvmmsg", 5, nil},
	20: {"sendmmsg", 4, sendmmsgEntry},
}

// socketcallEntry: i386's socketcall(call, args), args an array of longs.
// "op" is the call's name ("connect"), followed by what the direct call
// would decode; the array unreadable is "args".
func socketcallEntry(c *Call, m Memory, p Proc) observation.Args {
	call := c.i32(0)
	if call <= 0 || int(call) >= len(socketcalls) {
		return observation.Args{{Key: "op", Value: dec(int64(call))}}
	}
	sc := socketcalls[call]
	if sc.entry == nil {
		return observation.Args{{Key: "op", Value: sc.name}}
	}
	ps := ptrSize(c.ABI)
	var buf [6 * 8]byte
	if err := readFull(m, c.ptr(1), buf[:sc.nargs*ps]); err != nil {
		b := newBuilder(c, m, p)
		b.set("op", sc.name)
		b.fail("args", err)
		return b.done()
	}
	sub := Call{ABI: c.ABI, Nr: c.Nr, Name: sc.name}
	for i := 0; i < sc.nargs; i++ {
		sub.Args[i] = word(buf[:], i*ps, ps)
	}
	args := sc.entry(&sub, m, p)
	out := make(observation.Args, 0, len(args)+1)
	out = append(out, observation.Arg{Key: "op", Value: sc.name})
	return append(out, args...)
}
