/* Opens through a dirfd, a symlink, a relative path and a long path.
 * argv[1]: a directory holding target.txt and link -> target.txt;
 * argv[2]: an existing file whose absolute path is 3000 bytes long.
 *   openat(open("/etc"), "hostname", O_RDONLY)
 *   openat(AT_FDCWD, ARGV1/link, O_RDONLY)
 *   chdir(ARGV1); openat(AT_FDCWD, "target.txt", O_RDONLY|O_CLOEXEC)
 *   openat(dirfd(ARGV1), "link", O_RDONLY|O_NOFOLLOW) -> ELOOP
 *   openat(AT_FDCWD, ARGV2, O_RDONLY)
 * Exits 30 when every open but the O_NOFOLLOW one succeeded. */
#include "victim.h"
#include <fcntl.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: paths DIR LONGPATH\n");
		return 100;
	}
	char link[4096];
	snprintf(link, sizeof link, "%s/link", argv[1]);

	int etc = openat(AT_FDCWD, "/etc", O_RDONLY | O_DIRECTORY);
	if (etc < 0)
		FAIL("open /etc");
	if (openat(etc, "hostname", O_RDONLY) < 0)
		FAIL("openat hostname");
	if (openat(AT_FDCWD, link, O_RDONLY) < 0)
		FAIL("open link");
	if (chdir(argv[1]) != 0)
		FAIL("chdir");
	if (openat(AT_FDCWD, "target.txt", O_RDONLY | O_CLOEXEC) < 0)
		FAIL("open target.txt");
	int dir = openat(AT_FDCWD, argv[1], O_RDONLY | O_DIRECTORY);
	if (dir < 0)
		FAIL("open dir");
	if (openat(dir, "link", O_RDONLY | O_NOFOLLOW) >= 0 || errno != ELOOP) {
		fprintf(stderr, "O_NOFOLLOW open of a symlink did not fail ELOOP\n");
		return 1;
	}
	if (strlen(argv[2]) != 3000) {
		fprintf(stderr, "long path is %zu bytes, want 3000\n", strlen(argv[2]));
		return 100;
	}
	if (openat(AT_FDCWD, argv[2], O_RDONLY) < 0)
		FAIL("open long path");
	return 30;
}
