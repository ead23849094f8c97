/* Reads stdin to EOF, writes "out:" + it to stdout and "err:" + it to
 * stderr, exits 31: the three streams must pass through a tracer untouched. */
#include "victim.h"

int main(void)
{
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, stdin);
	printf("out:%.*s", (int)n, buf);
	fprintf(stderr, "err:%.*s", (int)n, buf);
	return 31;
}
