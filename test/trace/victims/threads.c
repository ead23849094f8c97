/* 16 threads x 1000 raw getppid (glibc caches nothing for it, but be sure). Exits 3. */
#include "victim.h"
#include <pthread.h>

#define THREADS 16
#define CALLS 1000

static void *worker(void *arg)
{
	(void)arg;
	for (int i = 0; i < CALLS; i++)
		syscall(SYS_getppid);
	return NULL;
}

int main(void)
{
	pthread_t t[THREADS];
	/* Create all before joining any: no stack is reused from the cache, so
	 * the mmap/mprotect counts do not depend on scheduling. */
	for (int i = 0; i < THREADS; i++)
		if ((errno = pthread_create(&t[i], NULL, worker, NULL)) != 0)
			FAIL("pthread_create");
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	return 3;
}
