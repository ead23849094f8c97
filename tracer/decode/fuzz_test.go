package decode

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sysgate/sysgate/observation"
	"github.com/sysgate/sysgate/tracer/systab"
)

// FuzzDecode feeds random arguments and memory to every Spec, on a random
// ABI, then to its Exit with a random return value. Nothing may panic, and
// the result must keep the conventions' shape.
func FuzzDecode(f *testing.F) {
	const base = 0x10000
	sa := sockaddrIn(80, loopback4)
	seed := append([]byte("/etc/passwd\x00"), make([]byte, 4)...)
	seed = append(seed, le64(base)...)
	seed = append(seed, le64(base+12)...)
	seed = append(seed, le64(0)...)
	seed = append(seed, sa...)
	f.Add(uint8(systab.X86_64), uint64(base), uint64(base), uint64(base+16), uint64(0x241), uint64(0o644), uint64(0x1000), seed, int64(3))
	f.Add(uint8(systab.I386), uint64(3), uint64(base+40), uint64(16), uint64(base), uint64(base+24), uint64(28), seed, int64(-2))
	f.Add(uint8(systab.ARM), uint64(atCWD), uint64(base), uint64(base+20), uint64(0x4000), uint64(0), uint64(base), []byte{}, int64(0))
	f.Add(uint8(systab.X32|0x80), uint64(0xffffffff), uint64(badAddr), uint64(0), uint64(1<<63), uint64(base+8), uint64(base+1), []byte("\x01\x00\x00abc"), int64(-4095))
	f.Add(uint8(systab.AArch64), uint64(base+2), uint64(base+2), uint64(0xffff), uint64(0xffffffff), uint64(base), uint64(base+2), []byte("\x00\x00\xff"), int64(1<<40))

	names := specNames()
	f.Fuzz(func(t *testing.T, abi uint8, a0, a1, a2, a3, a4, a5 uint64, mem []byte, ret int64) {
		m := newMem().put(base, mem).put(2*page-uint64(len(mem)%page), mem[:len(mem)%page])
		var p Proc = stdProc()
		if abi&0x80 != 0 {
			p = nil
		}
		for _, name := range names {
			s := specs[name]
			c := &Call{ABI: systab.ABI(abi & 0x7f % 6), Name: name, Args: [6]uint64{a0, a1, a2, a3, a4, a5}}
			args := s.Entry(c, m, p)
			checkShape(t, name, args)
			if s.Exit != nil {
				checkShape(t, name+" exit", s.Exit(c, ret, args, p))
			}
		}
	})
}

// checkShape: lowercase unique keys, notes last, marshalable.
func checkShape(t *testing.T, name string, args observation.Args) {
	t.Helper()
	seen := map[string]bool{}
	notes := false
	for _, a := range args {
		if a.Key == "" || strings.ToLower(a.Key) != a.Key {
			t.Fatalf("%s: bad key %q in %q", name, a.Key, args)
		}
		if seen[a.Key] {
			t.Fatalf("%s: key %q twice in %q", name, a.Key, args)
		}
		seen[a.Key] = true
		isNote := a.Key == "truncated" || a.Key == "unreadable"
		if notes && !isNote {
			t.Fatalf("%s: %q after the notes in %q", name, a.Key, args)
		}
		notes = notes || isNote
	}
	if _, err := json.Marshal(args); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
