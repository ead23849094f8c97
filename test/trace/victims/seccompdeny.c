/* A tracee that installs a seccomp filter of its own, denying getppid with
 * EPERM: the denied calls must still be seen, as attempts with their errno.
 *
 *   seccompdeny plain        the filter, then 7 getppid; exits 31
 *   seccompdeny highbits     the same, with op's high 32 bits set (the
 *                            kernel ignores them); exits 31
 *   seccompdeny cloneparent  a child installs the filter, then makes 50
 *                            CLONE_PARENT children that each call getppid
 *                            once (they inherit the filter; their first
 *                            stop may come before their creator's event);
 *                            exits 32 once all 51 are reaped
 *   seccompdeny wrap CMD...  the filter, then exec CMD (sysgate itself, so
 *                            it starts under a filter it did not install)
 *   seccompdeny calls        7 getppid, no filter of its own; exits 31 when
 *                            all 7 were denied (under wrap's filter) */
#include "victim.h"
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static void deny_getppid(unsigned long op)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog p = {4, f};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		FAIL("no_new_privs");
	if (syscall(SYS_seccomp, op, 0UL, &p) != 0)
		FAIL("seccomp");
}

static int denied_getppids(int n)
{
	int denied = 0;
	for (int i = 0; i < n; i++)
		if (syscall(SYS_getppid) < 0 && errno == EPERM)
			denied++;
	return denied;
}

static int clone_parent(void)
{
	pid_t b = fork();
	if (b < 0)
		FAIL("fork");
	if (b == 0) {
		deny_getppid(SECCOMP_SET_MODE_FILTER);
		for (int i = 0; i < 50; i++) {
			long c = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0L, NULL, NULL, 0L);
			if (c < 0)
				FAIL("clone");
			if (c == 0) {
				syscall(SYS_getppid);
				syscall(SYS_exit_group, 0);
			}
		}
		syscall(SYS_exit_group, 0);
	}
	int st, reaped = 0;
	while (wait(&st) > 0)
		reaped++;
	return reaped == 51 ? 32 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "cloneparent") == 0)
		return clone_parent();
	if (argc > 1 && strcmp(argv[1], "calls") == 0)
		return denied_getppids(7) == 7 ? 31 : 1;
	if (argc > 2 && strcmp(argv[1], "wrap") == 0) {
		deny_getppid(SECCOMP_SET_MODE_FILTER);
		execv(argv[2], argv + 2);
		FAIL("execv");
	}
	unsigned long op = SECCOMP_SET_MODE_FILTER;
	if (argc > 1 && strcmp(argv[1], "highbits") == 0)
		op |= 1UL << 32;
	deny_getppid(op);
	return denied_getppids(7) == 7 ? 31 : 1;
}
