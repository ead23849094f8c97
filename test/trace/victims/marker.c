/* Creates the file argv[1] and exits 0: proof that it ran. */
#include "victim.h"
#include <fcntl.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: marker FILE\n");
		return 100;
	}
	if (openat(AT_FDCWD, argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644) < 0)
		FAIL("create marker");
	return 0;
}
