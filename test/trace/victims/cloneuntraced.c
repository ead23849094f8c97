/* A raw clone(CLONE_UNTRACED|SIGCHLD) child, which no tracer can follow.
 * The child makes two getppid and exits 0; the parent exits 26. */
#include "victim.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

int main(void)
{
	long pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0L, NULL, NULL, 0L);
	if (pid < 0)
		FAIL("clone");
	if (pid == 0) {
		syscall(SYS_getppid);
		syscall(SYS_getppid);
		syscall(SYS_exit_group, 0);
	}
	int st;
	if (waitpid((pid_t)pid, &st, 0) != pid)
		FAIL("waitpid");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 26 : 1;
}
