/* exitcode N: exits N; exitcode -N: kills itself with signal N. */
#include "victim.h"
#include <signal.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	if (n < 0) {
		kill(getpid(), -n);
		return 100;
	}
	return n;
}
