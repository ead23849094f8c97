/* Listens, then connects, on 127.0.0.1:47001, [::1]:47002, the abstract unix
 * socket @sysgate-test-abstract and the unix socket ARGV1/s.sock.
 * Exits 29 when all four connects succeed; 4x on a failed bind of socket x
 * (1 inet, 2 inet6, 3 abstract, 4 path), 5x on a failed connect, 47 when the
 * host has no IPv6 loopback. */
#include "victim.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static int try(int which, int family, const struct sockaddr *addr, socklen_t len)
{
	int one = 1;
	int l = socket(family, SOCK_STREAM, 0);
	if (l < 0) {
		if (family == AF_INET6 && errno == EAFNOSUPPORT)
			return 47;
		FAIL("socket");
	}
	if (family != AF_UNIX)
		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(l, addr, len) != 0) {
		if (family == AF_INET6 && errno == EADDRNOTAVAIL)
			return 47;
		fprintf(stderr, "bind %d: %s\n", which, strerror(errno));
		return 40 + which;
	}
	if (listen(l, 4) != 0)
		FAIL("listen");
	int c = socket(family, SOCK_STREAM, 0);
	if (c < 0)
		FAIL("socket");
	if (connect(c, addr, len) != 0) {
		fprintf(stderr, "connect %d: %s\n", which, strerror(errno));
		return 50 + which;
	}
	close(c);
	close(l);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: connect DIR\n");
		return 100;
	}
	int r;
	struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons(47001)};
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((r = try(1, AF_INET, (struct sockaddr *)&in4, sizeof in4)) != 0)
		return r;

	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(47002)};
	in6.sin6_addr = in6addr_loopback;
	if ((r = try(2, AF_INET6, (struct sockaddr *)&in6, sizeof in6)) != 0)
		return r;

	static const char abstract[] = "sysgate-test-abstract";
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	memcpy(un.sun_path + 1, abstract, sizeof abstract - 1);
	socklen_t len = offsetof(struct sockaddr_un, sun_path) + 1 + sizeof abstract - 1;
	if ((r = try(3, AF_UNIX, (struct sockaddr *)&un, len)) != 0)
		return r;

	struct sockaddr_un up = {.sun_family = AF_UNIX};
	if (snprintf(up.sun_path, sizeof up.sun_path, "%s/s.sock", argv[1]) >= (int)sizeof up.sun_path) {
		fprintf(stderr, "socket path too long\n");
		return 100;
	}
	unlink(up.sun_path);
	if ((r = try(4, AF_UNIX, (struct sockaddr *)&up, sizeof up)) != 0)
		return r;
	unlink(up.sun_path);
	return 29;
}
