/* Forks 3 children that sleep 60s, writes the 4 pids (its own first) to
 * argv[1] (atomically, through a rename), and sleeps 60s. Exits 33. */
#include "victim.h"
#include <fcntl.h>
#include <sys/wait.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: sleeper PIDFILE\n");
		return 100;
	}
	char buf[256];
	int len = snprintf(buf, sizeof buf, "%d\n", getpid());
	for (int i = 0; i < 3; i++) {
		pid_t pid = fork();
		if (pid < 0)
			FAIL("fork");
		if (pid == 0) {
			sleep_ms(60000);
			_exit(0);
		}
		len += snprintf(buf + len, sizeof buf - len, "%d\n", pid);
	}
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	int fd = openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, buf, len) != len || close(fd) != 0)
		FAIL("write pid file");
	if (rename(tmp, argv[1]) != 0)
		FAIL("rename");
	sleep_ms(60000);
	while (wait(NULL) > 0)
		;
	return 33;
}
