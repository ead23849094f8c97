/* ptrace(PTRACE_TRACEME): fails EPERM under a tracer, succeeds untraced.
 * Prints which, exits 25 either way. */
#include "victim.h"
#include <sys/ptrace.h>

int main(void)
{
	long r = ptrace(PTRACE_TRACEME, 0, NULL, NULL);
	if (r == 0)
		printf("traceme: ok\n");
	else
		printf("traceme: %s\n", strerrorname_np(errno));
	return 25;
}
