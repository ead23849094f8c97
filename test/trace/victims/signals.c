/* Handled and blocked signals: SIGUSR1 has a handler and is raised 5 times;
 * SIGUSR2 is blocked, raised (pending), given a handler, then unblocked and
 * delivered once. Exits 21 when both handlers ran as expected. */
#include "victim.h"
#include <signal.h>

static volatile sig_atomic_t usr1, usr2;

static void on_usr1(int sig) { (void)sig; usr1++; }
static void on_usr2(int sig) { (void)sig; usr2++; }

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	if (sigaction(SIGUSR1, &sa, NULL) != 0)
		FAIL("sigaction USR1");
	for (int i = 0; i < 5; i++)
		raise(SIGUSR1);

	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		FAIL("block");
	raise(SIGUSR2);
	sigset_t pending;
	if (sigpending(&pending) != 0 || !sigismember(&pending, SIGUSR2)) {
		fprintf(stderr, "SIGUSR2 not pending\n");
		return 1;
	}
	sa.sa_handler = on_usr2;
	if (sigaction(SIGUSR2, &sa, NULL) != 0)
		FAIL("sigaction USR2");
	if (usr2 != 0)
		return 1;
	if (sigprocmask(SIG_UNBLOCK, &set, NULL) != 0)
		FAIL("unblock");
	return usr1 == 5 && usr2 == 1 ? 21 : 1;
}
