/* tguard real-time check: interposed allocator and mutex entry points. */
#define _GNU_SOURCE

#include "rtcheck.h"

#include <dlfcn.h>
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>

/* glibc's own entry points, so no dlsym is needed for the allocator. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

/* The build hides symbols by default; these must be seen by the plugin. */
#define INTERPOSE __attribute__((visibility("default")))

static _Thread_local int in_run;
static unsigned long long violations;
/* Memory accounting: live bytes allocated by this thread since
 * tg_mem_begin(), as the allocator sized the blocks. */
static _Thread_local int counting;
static _Thread_local long long mem_live;

void tg_rt_enter(void) { in_run = 1; }
void tg_rt_leave(void) { in_run = 0; }
int tg_rt_watching(void) { return 1; }
unsigned long long tg_rt_violations(void) { return violations; }

void tg_mem_begin(void)
{
	mem_live = 0;
	counting = 1;
}

long long tg_mem_end(void)
{
	counting = 0;
	return mem_live;
}

static void note(void)
{
	if (in_run) {
		__atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED);
	}
}

static void *counted(void *p)
{
	if (counting && p) {
		mem_live += (long long)malloc_usable_size(p);
	}
	return p;
}

static void uncount(void *p)
{
	if (counting && p) {
		mem_live -= (long long)malloc_usable_size(p);
	}
}

INTERPOSE void *malloc(size_t size)
{
	note();
	return counted(__libc_malloc(size));
}

INTERPOSE void *calloc(size_t n, size_t size)
{
	note();
	return counted(__libc_calloc(n, size));
}

INTERPOSE void *realloc(void *p, size_t size)
{
	note();
	uncount(p);
	return counted(__libc_realloc(p, size));
}

INTERPOSE void free(void *p)
{
	note();
	uncount(p);
	__libc_free(p);
}

INTERPOSE int pthread_mutex_lock(pthread_mutex_t *mutex)
{
	static int (*real)(pthread_mutex_t *);
	if (!real) {
		*(void **)(&real) = dlsym(RTLD_NEXT, "pthread_mutex_lock");
	}
	note();
	return real(mutex);
}
