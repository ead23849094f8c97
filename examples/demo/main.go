// Command demo is the built-in example that scripts/demo traces. It does a
// small, fixed set of things a typical program does — read config files, stat
// paths, open a relative path, run a child process, use loopback networking,
// fail to connect somewhere, and use a temp file — so one traced run shows
// every kind of call sysgate records. It prints one line per step and exits 1
// if a step that should always work fails.
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

func main() {
	failed := false
	step := func(name string, f func() (string, error)) {
		msg, err := f()
		if err != nil {
			fmt.Printf("%-34s FAIL %v\n", name, err)
			failed = true
			return
		}
		fmt.Printf("%-34s ok   %s\n", name, msg)
	}
	// note is for steps whose failure is an expected, reported outcome.
	note := func(name string, f func() string) {
		fmt.Printf("%-34s note %s\n", name, f())
	}

	note("read /etc/hostname", func() string {
		b, err := os.ReadFile("/etc/hostname")
		if err != nil {
			return "error: " + err.Error()
		}
		return fmt.Sprintf("%d bytes", len(b))
	})
	step("read /etc/os-release", func() (string, error) {
		f, err := os.Open("/etc/os-release")
		if err != nil {
			return "", err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "PRETTY_NAME="); ok {
				return strings.Trim(v, `"`), nil
			}
		}
		return "no PRETTY_NAME", sc.Err()
	})
	for _, p := range []string{"/", "/tmp", "/etc/passwd", "/nonexistent/sysgate-demo"} {
		note("stat "+p, func() string {
			fi, err := os.Stat(p)
			if err != nil {
				return "error: " + err.Error()
			}
			return fi.Mode().String()
		})
	}
	step("open relative path", func() (string, error) {
		// A relative name makes the tracer resolve it against the cwd.
		if err := os.Chdir("/etc"); err != nil {
			return "", err
		}
		b, err := os.ReadFile("passwd")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("cwd /etc, passwd: %d bytes", len(b)), nil
	})
	step("run child", func() (string, error) {
		// A fork+execve of a shell that itself execs id: three programs in one tree.
		cmd := exec.Command("/bin/sh", "-c", "id -u >/dev/null")
		if err := cmd.Run(); err != nil {
			return "", err
		}
		return "/bin/sh -c 'id -u >/dev/null' exited 0", nil
	})
	step("loopback listen+connect", loopback)
	note("connect [::1]:9", func() string {
		// Port 9 (discard) is almost never open: the refused connect is the point.
		c, err := net.DialTimeout("tcp", "[::1]:9", 2*time.Second)
		if err != nil {
			return "error: " + err.Error()
		}
		c.Close()
		return "connected (unexpected)"
	})
	step("temp file create+remove", func() (string, error) {
		f, err := os.CreateTemp("", "sysgate-demo-*")
		if err != nil {
			return "", err
		}
		if _, err := f.WriteString("sysgate demo\n"); err != nil {
			f.Close()
			os.Remove(f.Name())
			return "", err
		}
		if err := f.Close(); err != nil {
			return "", err
		}
		if err := os.Remove(f.Name()); err != nil {
			return "", err
		}
		return "in " + os.TempDir(), nil
	})

	if failed {
		os.Exit(1)
	}
}

// loopback listens on an ephemeral 127.0.0.1 port, connects to it and sends
// one line through.
func loopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer c.Close()
		_, err = io.WriteString(c, "hello\n")
		done <- err
	}()
	c, err := net.DialTimeout("tcp", ln.Addr().String(), 5*time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return "", err
	}
	if err := <-done; err != nil {
		return "", err
	}
	// The port is ephemeral, so it is left out to keep the output deterministic.
	return "127.0.0.1 echoed " + strings.TrimSpace(line), nil
}
