/* Shared helpers of the sysgate integration-test victims.
 *
 * Every victim is deterministic in its syscall counts (futex, sched_yield,
 * nanosleep, clock_nanosleep and restart_syscall aside) and exits with a
 * distinctive status. Status 100 means the victim itself failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <time.h>

#define FAIL(what)                                                            \
	do {                                                                  \
		fprintf(stderr, "victim: %s: %s\n", (what), strerror(errno)); \
		exit(100);                                                    \
	} while (0)

static inline void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
