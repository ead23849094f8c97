/* Paths the tracer cannot read in full:
 *   an unterminated string: a page of 'A' followed by an unmapped page;
 *   an invalid pointer: (char *)1.
 * Prints the errno names the kernel gave ("unterminated=E... badptr=E...")
 * and exits 28. */
#include "victim.h"
#include <fcntl.h>
#include <sys/mman.h>

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		FAIL("mmap");
	if (munmap(p + page, page) != 0)
		FAIL("munmap");
	memset(p, 'A', page);
	int r1 = openat(AT_FDCWD, p, O_RDONLY);
	int e1 = errno;
	int r2 = openat(AT_FDCWD, (char *)1, O_RDONLY);
	int e2 = errno;
	if (r1 >= 0 || r2 >= 0) {
		fprintf(stderr, "an open succeeded\n");
		return 1;
	}
	printf("unterminated=%s badptr=%s\n", strerrorname_np(e1), strerrorname_np(e2));
	return 28;
}
