/* A null pointer write: killed by SIGSEGV (status 139). */
#include "victim.h"

int main(void)
{
	*(volatile int *)0 = 1;
	return 1;
}
