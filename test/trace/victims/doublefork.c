/* A double fork whose grandchild outlives its parent and the main process:
 * main forks P, P forks G and exits 0 at once, main reaps P and exits 5.
 * G sleeps 200ms, opens argv[1], creates the marker argv[2], exits 0. */
#include "victim.h"
#include <fcntl.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: doublefork FILE MARKER\n");
		return 100;
	}
	pid_t p = fork();
	if (p < 0)
		FAIL("fork");
	if (p == 0) {
		pid_t g = fork();
		if (g < 0)
			FAIL("fork");
		if (g == 0) {
			sleep_ms(200);
			int fd = openat(AT_FDCWD, argv[1], O_RDONLY);
			if (fd < 0)
				FAIL("open file");
			int m = openat(AT_FDCWD, argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (m < 0)
				FAIL("create marker");
			_exit(0);
		}
		_exit(0);
	}
	int st;
	if (waitpid(p, &st, 0) != p)
		FAIL("waitpid");
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 5 : 1;
}
