/* A non-leader thread execs argv[1] with argv {"exitcode", "13"}, while the
 * leader sleeps. The exec'd program's status (13) is the process's.
 * The thread waits (on a pipe) until the leader is done with pthread_create,
 * so that exec never cuts the leader's calls short: after its write the
 * leader only sleeps (clock_nanosleep, not compared). */
#include "victim.h"
#include <pthread.h>

static char *target;
static int fds[2];

static void *worker(void *arg)
{
	(void)arg;
	char b;
	if (read(fds[0], &b, 1) != 1)
		FAIL("read");
	char *args[] = {"exitcode", "13", NULL};
	execve(target, args, environ);
	FAIL("execve");
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: threadexec EXITCODE-VICTIM\n");
		return 100;
	}
	target = argv[1];
	if (pipe(fds) != 0)
		FAIL("pipe");
	pthread_t t;
	if ((errno = pthread_create(&t, NULL, worker, NULL)) != 0)
		FAIL("pthread_create");
	if (write(fds[1], "x", 1) != 1)
		FAIL("write");
	for (;;)
		sleep_ms(10000);
}
