/* Fileless exec: copies the ELF argv[1] into memfd_create("sysgate-memfd", 0)
 * and execveat(fd, "", {"exitcode", "23"}, AT_EMPTY_PATH): exits 23. */
#include "victim.h"
#include <fcntl.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: memfdexec ELF\n");
		return 100;
	}
	int in = openat(AT_FDCWD, argv[1], O_RDONLY);
	if (in < 0)
		FAIL("open ELF");
	struct stat st;
	if (fstat(in, &st) != 0)
		FAIL("fstat");
	char *buf = malloc(st.st_size);
	if (!buf)
		FAIL("malloc");
	/* One read, one write: a regular file and a memfd do both in full. */
	if (read(in, buf, st.st_size) != st.st_size)
		FAIL("read");
	int fd = (int)syscall(SYS_memfd_create, "sysgate-memfd", 0);
	if (fd < 0)
		FAIL("memfd_create");
	if (write(fd, buf, st.st_size) != st.st_size)
		FAIL("write");
	char *args[] = {"exitcode", "23", NULL};
	syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
	FAIL("execveat");
}
