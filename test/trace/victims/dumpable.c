/* prctl(PR_SET_DUMPABLE, 0), then opens argv[1]. Exits 27 (1 if the open failed). */
#include "victim.h"
#include <fcntl.h>
#include <sys/prctl.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: dumpable FILE\n");
		return 100;
	}
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		FAIL("prctl");
	if (openat(AT_FDCWD, argv[1], O_RDONLY) < 0) {
		perror("open");
		return 1;
	}
	return 27;
}
