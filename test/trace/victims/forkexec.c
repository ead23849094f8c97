/* 100 sequential fork + execve(self, "child", i) + waitpid. Each child exits 7;
 * the parent exits 4 when all of them did. argv[0] must be an absolute path. */
#include "victim.h"
#include <sys/wait.h>

#define N 100

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return 7;
	for (int i = 0; i < N; i++) {
		pid_t pid = fork();
		if (pid < 0)
			FAIL("fork");
		if (pid == 0) {
			char num[16];
			snprintf(num, sizeof num, "%d", i);
			char *args[] = {argv[0], "child", num, NULL};
			execve(argv[0], args, environ);
			_exit(101);
		}
		int st;
		if (waitpid(pid, &st, 0) != pid)
			FAIL("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 7) {
			fprintf(stderr, "child %d: status %#x\n", i, st);
			return 1;
		}
	}
	return 4;
}
