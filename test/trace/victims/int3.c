/* int3 three times with a SIGTRAP handler that counts: exits 0 only if the
 * handler ran three times (1 otherwise). */
#include "victim.h"
#include <signal.h>

static volatile sig_atomic_t traps;

static void on_trap(int sig) { (void)sig; traps++; }

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_trap;
	if (sigaction(SIGTRAP, &sa, NULL) != 0)
		FAIL("sigaction");
	for (int i = 0; i < 3; i++)
		__asm__ volatile("int3");
	return traps == 3 ? 0 : 1;
}
