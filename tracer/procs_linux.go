package tracer

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/sysgate/sysgate/observation"
)

// newChild registers the task a fork, vfork or clone event announces. Its
// first stop may already have come (adopt); then this only fills in details.
// It returns the child's tid.
func (l *loop) newChild(parent *task, event int) int {
	msg, err := ptraceGetEventMsg(parent.tid)
	if err != nil {
		return 0
	}
	tid := int(msg)
	if l.announced(tid) {
		return tid
	}
	// Before its seccomp filter is in, the stub's clones are not seen; the
	// stub (the Go runtime) only ever starts threads.
	thread := event == unix.PTRACE_EVENT_CLONE && (parent.cloneFlags&unix.CLONE_THREAD != 0 || parent.proc.stub)
	if thread {
		l.addTask(tid, parent.proc)
	} else {
		l.addProcess(tid, parent.proc.pid, parent.proc)
	}
	l.enforceBudget(tid)
	return tid
}

func (l *loop) addTask(tid int, p *process) *task {
	t := &task{tid: tid, proc: p}
	l.tasks[tid] = t
	l.live.add(tid)
	return t
}

func (l *loop) removeTask(t *task) {
	delete(l.tasks, t.tid)
	l.live.remove(t.tid)
}

// addProcess registers a new thread group pid, created by a thread of from.
func (l *loop) addProcess(pid, ppid int, from *process) *task {
	p := &process{pid: pid, ppid: ppid, slow: l.opts.Mode == ModePtrace}
	if from != nil {
		// A spawner's child is the spawner until it execs its command: it
		// is recorded from then on (see execEvent).
		p.exe, p.argv, p.slow, p.stub = from.exe, from.argv, from.slow || p.slow, from.stub
	}
	l.procs[pid] = p
	if !p.stub {
		l.startProcess(p)
	}
	return l.addTask(pid, p)
}

func (l *loop) startProcess(p *process) {
	l.b.ProcessStart(p.pid, p.ppid, p.exe, p.argv)
	if l.events != nil {
		l.events.process(evFork, p.pid, p.ppid, p.exe, p.argv, nil)
	}
}

// adopt registers a task whose first stop came before its creator's event.
// /proc tells its thread group, parent, program and seccomp filters: a
// CLONE_PARENT child names its grandparent as parent, so nothing is taken
// from the parent but the pid.
func (l *loop) adopt(tid int) *task {
	st := l.readProcStatus(tid)
	var t *task
	if p := l.procs[st.tgid]; st.tgid != tid && p != nil {
		t = l.addTask(tid, p)
	} else {
		parent := l.procs[st.ppid]
		stub := parent != nil && parent.stub // a spawner's child, before its exec
		t = l.addProcess(tid, st.ppid, &process{pid: st.ppid, exe: l.readExe(tid), argv: l.readCmdline(tid), stub: stub})
	}
	// More filters than the command started with: its own filter may hide
	// calls from a seccomp stop. Unknown counts are treated the same.
	if st.filters < 0 || l.baseFilters < 0 || st.filters > l.baseFilters {
		t.proc.slow = true
	}
	l.unannounced[tid] = true
	l.enforceBudget(tid)
	return t
}

// announced reports whether a task the creation event names is already
// known: adopted at its first stop, or adopted and already dead.
func (l *loop) announced(tid int) bool {
	if l.unannounced[tid] {
		delete(l.unannounced, tid)
		return true
	}
	if l.diedUnannounced[tid] {
		delete(l.diedUnannounced, tid)
		return true
	}
	return false
}

// enforceBudget kills a task created beyond the live-task budget. SIGKILL
// takes its whole thread group: a process that outgrows the budget with
// threads dies with them.
func (l *loop) enforceBudget(tid int) {
	if len(l.tasks) <= l.maxTasks {
		return
	}
	unix.Kill(tid, unix.SIGKILL)
	l.killed++
	l.b.Incomplete("budget", fmt.Sprintf("process budget: %d live traced tasks reached; %d tasks created beyond it were killed at birth (with their thread groups)", l.maxTasks, l.killed))
}

// execEvent: the process now runs a new program. If a thread other than the
// leader exec'd, it has taken the leader's tid; its old tid is the event
// message, and its state moves to the leader's.
func (l *loop) execEvent(t *task) {
	p := t.proc
	l.mem.forget()
	if p.stub && !p.stubExec {
		// The seize can land while the stub itself is still being exec'd
		// (its start returns once the exec has closed the start pipe):
		// that exec is not the command's.
		return
	}
	if msg, err := ptraceGetEventMsg(t.tid); err == nil && int(msg) != t.tid {
		if old := l.tasks[int(msg)]; old != nil {
			l.flushCall(t)
			t.inCall, t.sawEntry, t.awaitExit, t.call = old.inCall, old.sawEntry, old.awaitExit, old.call
			l.removeTask(old)
		}
	}
	p.exe = l.readExe(p.pid)
	p.argv = l.readCmdline(p.pid)
	if p.stub && p.pid != l.root {
		l.startProcess(p) // a spawner's child: the command it started
	}
	l.b.ProcessExec(p.pid, p.exe, p.argv)
	if l.events != nil {
		l.events.process(evExec, p.pid, 0, p.exe, p.argv, nil)
	}
	if p.stub {
		p.stub, p.stubExec = false, false
		if p.pid == l.root {
			l.stub.execDone()
		}
		if l.baseFilters < 0 {
			l.baseFilters = l.readProcStatus(p.pid).filters
		}
	}
}

// gone handles a task's death notice.
func (l *loop) gone(tid int, ws unix.WaitStatus) {
	t := l.tasks[tid]
	if tid == l.root {
		l.rootGone(ws)
	}
	if t == nil {
		return // an untraced orphan we reaped as subreaper
	}
	l.flushCall(t)
	l.removeTask(t)
	if l.unannounced[tid] {
		delete(l.unannounced, tid)
		l.diedUnannounced[tid] = true
	}
	if tid != t.proc.pid {
		return
	}
	exit := exitOf(ws)
	l.b.ProcessExit(tid, exit)
	delete(l.procs, tid)
	if l.events != nil {
		l.events.process(evExit, tid, 0, "", nil, &exit)
	}
}

func (l *loop) rootGone(ws unix.WaitStatus) {
	status := ws.ExitStatus()
	if ws.Signaled() {
		status = 128 + int(ws.Signal())
	}
	l.result = &Result{Status: status}
	if p := l.procs[l.root]; p != nil && p.stub && !l.opts.Spawner {
		l.start = l.stub.failure(status)
	}
}

func exitOf(ws unix.WaitStatus) observation.Exit {
	if ws.Signaled() {
		return observation.Exit{Signal: unix.SignalName(ws.Signal())}
	}
	code := ws.ExitStatus()
	return observation.Exit{Code: &code}
}

// killEveryone ends the run: every known tracee is killed.
func (l *loop) killEveryone() {
	for tid := range l.tasks {
		unix.Kill(tid, unix.SIGKILL)
	}
}

// procStatus is what /proc/TID/status says of a task.
type procStatus struct {
	tgid, ppid int
	// filters is the number of seccomp filters attached (Seccomp_filters,
	// Linux 5.9), or -1 when unknown.
	filters int
}

func (l *loop) readProcStatus(tid int) procStatus {
	st := procStatus{tgid: tid, filters: -1}
	data, err := l.readProcFile(tid, "status")
	if err != nil {
		return st
	}
	for len(data) > 0 {
		var line []byte
		line, data, _ = bytes.Cut(data, []byte{'\n'})
		k, v, _ := bytes.Cut(line, []byte{':'})
		n, err := strconv.Atoi(string(bytes.TrimSpace(v)))
		if err != nil {
			continue
		}
		switch string(k) {
		case "Tgid":
			st.tgid = n
		case "PPid":
			st.ppid = n
		case "Seccomp_filters":
			st.filters = n
		}
	}
	return st
}

func (l *loop) readExe(pid int) string {
	exe, _ := readlink("/proc/"+strconv.Itoa(pid)+"/exe", &l.mem.link)
	return exe
}

// readCmdline reads a process's argv as the kernel keeps it.
func (l *loop) readCmdline(pid int) []string {
	data, err := l.readProcFile(pid, "cmdline")
	if err != nil || len(data) == 0 {
		return nil
	}
	data = bytes.TrimSuffix(data, []byte{0})
	return strings.Split(string(data), "\x00")
}

// readProcFile reads /proc/ID/NAME whole into the loop's buffer, which the
// result aliases until the next call. It makes the plain open, read and
// close calls: os.ReadFile adds an fstat, a poller registration and fcntl
// calls, and the loop reads a file like this at every exec.
func (l *loop) readProcFile(id int, name string) ([]byte, error) {
	fd, err := unix.Open("/proc/"+strconv.Itoa(id)+"/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	if cap(l.procBuf) > maxProcBuf {
		l.procBuf = nil // an earlier huge argv: do not keep its buffer
	}
	buf := l.procBuf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, max(4096, cap(buf)))...)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			l.procBuf = buf
			return nil, err
		case n == 0:
			l.procBuf = buf
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// maxProcBuf bounds the /proc read buffer the loop keeps between reads.
const maxProcBuf = 64 << 10

// readlink reads a symbolic link into buf, falling back to os.Readlink (which
// grows its buffer) when the target may not have fit.
func readlink(path string, buf *[pathBufSize]byte) (string, error) {
	n, err := unix.Readlink(path, buf[:])
	if err != nil {
		return "", err
	}
	if n < len(buf) {
		return string(buf[:n]), nil
	}
	return os.Readlink(path)
}
