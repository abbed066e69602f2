/* tguard fuzz replay: run a fuzz target over its committed seed corpus and
 * every saved crash input, as a normal test. It needs no libFuzzer, so it
 * runs with any compiler and keeps every fixed crash fixed. Built once per
 * target (FUZZ_TARGET "chain" or "lv2") with TG_INV_NO_TRAP, so a broken
 * invariant fails the test instead of aborting the run. */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"

#include "invariants.h"

#ifndef FUZZ_TARGET
#error "define FUZZ_TARGET"
#endif

#include "readfile.h"

#define FUZZ_DIR "host-test/fuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run every file in dir whose name starts with prefix; returns the number
 * run, or -1 when a file cannot be read. */
static int replay_dir(const char *dir, const char *prefix)
{
	DIR *const d = opendir(dir);
	if (!d) {
		return 0;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0 ||
		    strcmp(e->d_name, "README.md") == 0) {
			continue;
		}
		char path[1024];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		size_t len = 0;
		unsigned char *const data = (unsigned char *)tg_read_file(path, &len);
		if (!data) {
			closedir(d);
			return -1;
		}
		const unsigned long before = tg_inv_failures;
		LLVMFuzzerTestOneInput(data, len);
		if (tg_inv_failures != before) {
			fprintf(stderr, "  from %s\n", path);
		}
		free(data);
		++n;
	}
	closedir(d);
	return n;
}

TEST replay_seed_corpus(void)
{
	const unsigned long before = tg_inv_failures;
	const int n = replay_dir(FUZZ_DIR "/corpus_" FUZZ_TARGET, "");
	printf("fuzz_%s: %d seed inputs replayed\n", FUZZ_TARGET, n);
	ASSERT(n > 0);
	ASSERT_EQ_FMT(before, tg_inv_failures, "%lu");
	PASS();
}

TEST replay_regressions(void)
{
	const unsigned long before = tg_inv_failures;
	const int n = replay_dir(FUZZ_DIR "/regressions", FUZZ_TARGET "-");
	printf("fuzz_%s: %d saved crash inputs replayed\n", FUZZ_TARGET, n);
	ASSERT(n >= 0);
	ASSERT_EQ_FMT(before, tg_inv_failures, "%lu");
	PASS();
}

SUITE(replay_suite)
{
	RUN_TEST(replay_seed_corpus);
	RUN_TEST(replay_regressions);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(replay_suite);
	GREATEST_MAIN_END();
}
