/* A raw clone3 child (fork-like: no CLONE_VM, exit_signal SIGCHLD) that makes
 * three getppid and exits 12 through exit_group; the parent exits 8. */
#include "victim.h"
#include <linux/sched.h>
#include <signal.h>
#include <sys/wait.h>

int main(void)
{
	struct clone_args args;
	memset(&args, 0, sizeof args);
	args.exit_signal = SIGCHLD;
	long pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0)
		FAIL("clone3");
	if (pid == 0) {
		/* Raw calls only: glibc's thread state is stale in this child. */
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		syscall(SYS_exit_group, 12);
	}
	int st;
	if (waitpid((pid_t)pid, &st, 0) != pid)
		FAIL("waitpid");
	return WIFEXITED(st) && WEXITSTATUS(st) == 12 ? 8 : 1;
}
