/* A process that stops itself with raise(SIGSTOP) and is continued by its
 * child. Main M forks P; P forks C, then raise(SIGSTOP). M waits (WUNTRACED)
 * until P is stopped and tells C through a pipe; C sends SIGCONT to its
 * parent P and exits 0; P reaps C and exits 0; M reaps P and exits 15.
 * The handshake makes every count deterministic: C never signals early.
 * SIGCHLD is blocked: ignored signals still reach a traced process, and one
 * arriving while M or P waits would restart the wait, an extra wait4 entry
 * whose presence depends on scheduling. */
#include "victim.h"
#include <signal.h>
#include <sys/wait.h>

int main(void)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) != 0)
		FAIL("sigprocmask");
	int fds[2];
	if (pipe(fds) != 0)
		FAIL("pipe");
	pid_t p = fork();
	if (p < 0)
		FAIL("fork");
	if (p == 0) {
		pid_t c = fork();
		if (c < 0)
			FAIL("fork");
		if (c == 0) {
			char b;
			if (read(fds[0], &b, 1) != 1)
				FAIL("read");
			if (kill(getppid(), SIGCONT) != 0)
				FAIL("kill");
			_exit(0);
		}
		raise(SIGSTOP);
		int st;
		if (waitpid(c, &st, 0) != c)
			FAIL("waitpid C");
		_exit(WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1);
	}
	int st;
	if (waitpid(p, &st, WUNTRACED) != p)
		FAIL("waitpid P stop");
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) {
		fprintf(stderr, "P: want stopped by SIGSTOP, status %#x\n", st);
		return 1;
	}
	if (write(fds[1], "x", 1) != 1)
		FAIL("write");
	if (waitpid(p, &st, 0) != p)
		FAIL("waitpid P exit");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 15 : 1;
}
