/* A fork storm: forks children that pause, up to argv[1] of them or until
 * fork fails, then kills and reaps them all and exits 32. */
#include "victim.h"
#include <signal.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	int max = argc > 1 ? atoi(argv[1]) : 10000;
	pid_t *pids = calloc(max, sizeof *pids);
	if (!pids)
		FAIL("calloc");
	int n = 0;
	for (; n < max; n++) {
		pid_t pid = fork();
		if (pid < 0)
			break;
		if (pid == 0) {
			for (;;)
				pause();
		}
		pids[n] = pid;
	}
	for (int i = 0; i < n; i++)
		kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	printf("forked %d\n", n);
	return 32;
}
