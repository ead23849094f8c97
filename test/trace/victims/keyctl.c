/* keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0); exits 24 whatever
 * it returns (a sandbox may refuse keyrings: the attempt is what counts). */
#include "victim.h"
#include <linux/keyctl.h>

int main(void)
{
	long r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	printf("keyctl=%ld\n", r);
	return 24;
}
