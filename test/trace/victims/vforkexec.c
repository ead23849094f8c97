/* vfork + execve(self, "child"): the child exits 9, the parent exits 6. */
#include "victim.h"
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "child") == 0)
		return 9;
	char *args[] = {argv[0], "child", NULL};
	pid_t pid = vfork();
	if (pid < 0)
		FAIL("vfork");
	if (pid == 0) {
		execve(argv[0], args, environ);
		_exit(101);
	}
	int st;
	if (waitpid(pid, &st, 0) != pid)
		FAIL("waitpid");
	return WIFEXITED(st) && WEXITSTATUS(st) == 9 ? 6 : 1;
}
