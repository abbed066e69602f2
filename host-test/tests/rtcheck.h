/* tguard real-time check: while the host is inside the plugin's run(), the
 * test host counts calls to malloc, calloc, realloc, free and
 * pthread_mutex_lock, which it interposes (rtcheck.c). Linked only into the
 * test host programs; elsewhere the count stays 0. */
#ifndef TG_RTCHECK_H
#define TG_RTCHECK_H

void tg_rt_enter(void);
void tg_rt_leave(void);
/** Calls counted inside run() since the program started. */
unsigned long long tg_rt_violations(void);

/** Count the bytes this thread allocates (net of frees) between the two. */
void tg_mem_begin(void);
long long tg_mem_end(void);

#endif
