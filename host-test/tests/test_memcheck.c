/* tguard under valgrind memcheck: one render of each plugin through
 * build/tguard-render, with random block sizes, a factory preset and NaN
 * bursts in the input, so the glue, the chain, the fault path and the
 * host's whole life cycle run under memcheck. Passes with 0 errors and no
 * definitely or indirectly lost bytes; memory still reachable at exit
 * (libraries' caches) is not a leak and is not counted. Skipped when
 * valgrind is not installed (make deps installs it). Run from the source
 * tree (make check); logs in build/memcheck-*.log. */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "greatest.h"

#define RENDER "build/tguard-render"

typedef struct {
	const char *uri, *name;
} Variant;

static const Variant VARIANTS[] = {
    {"urn:tguard:stereo", "stereo"}, {"urn:tguard:mono", "mono"}, {"urn:tguard:sum", "sum"}};

static int have_valgrind;

static char *read_text(const char *path)
{
	FILE *const f = fopen(path, "rb");
	if (!f) {
		return NULL;
	}
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf) {
		buf[n] = '\0';
	}
	return buf;
}

/* The number after "label" in valgrind's log, or -1. */
static long long figure(const char *log, const char *label)
{
	const char *const at = log ? strstr(log, label) : NULL;
	if (!at) {
		return -1;
	}
	char digits[32];
	size_t k = 0;
	for (const char *p = at + strlen(label); *p && *p != ' ' && k + 1 < sizeof(digits); ++p) {
		if (*p != ',') {
			digits[k++] = *p;
		}
	}
	digits[k] = '\0';
	return atoll(digits);
}

TEST memcheck_render(const Variant *v)
{
	if (!have_valgrind) {
		SKIPm("valgrind not installed (make deps installs it)");
	}
	char cmd[1024], log_path[256];
	snprintf(log_path, sizeof(log_path), "build/memcheck-%s.log", v->name);
	snprintf(
	    cmd, sizeof(cmd),
	    "valgrind --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect "
	    "--errors-for-leak-kinds=definite,indirect --log-file=%s " RENDER
	    " -u %s -p 'Earbud driver (16 ohm)' -b random --report --signal nanburst:1.5 "
	    "build/memcheck-%s.wav >/dev/null 2>&1",
	    log_path, v->uri, v->name);
	const int status = system(cmd);
	const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	char *const log = read_text(log_path);
	const long long errors = figure(log, "ERROR SUMMARY: ");
	const long long definite = figure(log, "definitely lost: ");
	const long long indirect = figure(log, "indirectly lost: ");
	const long long allocs = figure(log, "total heap usage: ");
	/* "All heap blocks were freed" replaces the leak figures. */
	const int all_freed = log && strstr(log, "All heap blocks were freed") != NULL;
	printf("%s: exit %d, %lld errors, %lld allocations, %s\n", v->name, rc, errors, allocs,
	       all_freed ? "all heap blocks freed"
	                 : (definite == 0 && indirect == 0 ? "0 bytes definitely or indirectly lost"
	                                                   : "LEAKS"));
	/* An old valgrind meets a new compiler's debug info. */
	const int unreadable = log && strstr(log, "Possibly corrupted debuginfo") != NULL;
	free(log);
	snprintf(cmd, sizeof(cmd), "build/memcheck-%s.wav", v->name);
	remove(cmd);
	if (unreadable) {
		SKIPm("valgrind cannot read the debug info (for clang: -gdwarf-4)");
	}
	ASSERT_EQm("tguard-render under valgrind failed (see the log)", 0, rc);
	ASSERT_EQ_FMT(0ll, errors, "%lld");
	ASSERTm("valgrind saw no allocations: is it really checking?", allocs > 0);
	ASSERTm("leaks", all_freed || (definite == 0 && indirect == 0));
	PASS();
}

SUITE(memcheck_suite)
{
	have_valgrind = system("valgrind --version >/dev/null 2>&1") == 0;
	for (size_t i = 0; i < sizeof(VARIANTS) / sizeof(VARIANTS[0]); ++i) {
		greatest_set_test_suffix(VARIANTS[i].name);
		RUN_TEST1(memcheck_render, &VARIANTS[i]);
	}
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(memcheck_suite);
	GREATEST_MAIN_END();
}
