/* tguard real-time check: the host library brackets the plugin's run()
 * with these hooks. The test programs link host-test/tests/rtcheck.c, which
 * interposes malloc, calloc, realloc, free and pthread_mutex_lock and counts
 * the calls made inside run(); every other program (tguard-render among
 * them) links rtcheck_off.c beside this header, where nothing is watched. */
#ifndef TG_RTCHECK_H
#define TG_RTCHECK_H

void tg_rt_enter(void);
void tg_rt_leave(void);
/** 1 where run() is watched, 0 where the hooks do nothing. */
int tg_rt_watching(void);
/** Calls counted inside run() since the program started. */
unsigned long long tg_rt_violations(void);

/** Count the bytes this thread allocates (net of frees) between the two. */
void tg_mem_begin(void);
long long tg_mem_end(void);

#endif
