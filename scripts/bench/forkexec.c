/*
 * Fork+exec loop victim for scripts/bench-trace: N (default 200) sequential
 * fork + execve("/bin/true") + waitpid. It measures what tracing costs per new
 * process (attach, exec handling, exit), not per syscall. Built with
 * gcc -static -O2 so the loop itself makes no dynamic-loader syscalls.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	char *const args[] = {"/bin/true", NULL};
	char *const env[] = {NULL};

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execve(args[0], args, env);
			perror("execve /bin/true");
			_exit(127);
		}
		int status;
		if (waitpid(pid, &status, 0) < 0) {
			perror("waitpid");
			return 1;
		}
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			fprintf(stderr, "child %d failed: status %#x\n", i, status);
			return 1;
		}
	}
	return 0;
}
