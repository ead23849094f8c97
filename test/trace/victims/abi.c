/* getpid through another syscall ABI from 64-bit code.
 *   abi i386: int $0x80 with eax=20 (i386 getpid)
 *   abi x32:  syscall with rax=0x40000000|39 (x32 getpid)
 * Exits 0 when the call returned our pid, 38 when it failed ENOSYS, 2 on any
 * other result; a kernel without IA32 emulation kills it with SIGSEGV. */
#include "victim.h"

int main(int argc, char **argv)
{
	long r;
	if (argc == 2 && strcmp(argv[1], "i386") == 0) {
		r = 20;
		__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	} else if (argc == 2 && strcmp(argv[1], "x32") == 0) {
		__asm__ volatile("syscall" : "=a"(r) : "a"(0x40000000L | 39) : "rcx", "r11", "memory");
	} else {
		fprintf(stderr, "usage: abi i386|x32\n");
		return 100;
	}
	long pid = syscall(SYS_getpid);
	printf("result=%ld pid=%ld\n", r, pid);
	if (r == pid)
		return 0;
	return r == -ENOSYS ? 38 : 2;
}
