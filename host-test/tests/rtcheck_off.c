/* tguard real-time check, disabled: for programs that must not interpose
 * the allocator (sanitizer builds, the benchmark). */
#include "rtcheck.h"

void tg_rt_enter(void) {}
void tg_rt_leave(void) {}
unsigned long long tg_rt_violations(void) { return 0; }
void tg_mem_begin(void) {}
long long tg_mem_end(void) { return 0; }
