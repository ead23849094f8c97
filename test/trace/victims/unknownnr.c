/* Syscall numbers no table knows: 1000 and 0x3ff. Both fail ENOSYS; exits 22. */
#include "victim.h"

int main(void)
{
	long a = syscall(1000);
	int ea = errno;
	long b = syscall(0x3ff);
	int eb = errno;
	return a == -1 && ea == ENOSYS && b == -1 && eb == ENOSYS ? 22 : 1;
}
