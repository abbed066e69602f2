/* tguard-render against hostile input: broken, empty and disguised files,
 * sample rates no plugin takes, too many channels, unknown presets and
 * symbols, values that are not numbers, and output paths that cannot or
 * must not be written. Each case must give one line on stderr, a non-zero
 * exit, the input untouched, and no output file (not even a temporary one).
 * Run from the source tree (make check); built a second time against the
 * sanitizer build with -DTG_BUILD_DIR='"build/asan"'. */
#define _XOPEN_SOURCE 700

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "greatest.h"
#include "readfile.h"

#ifndef TG_BUILD_DIR
#define TG_BUILD_DIR "build"
#endif
#define RENDER TG_BUILD_DIR "/tguard-render"
#define WORK TG_BUILD_DIR "/hostile"
#define IN WORK "/in.wav"
#define OUT WORK "/out.wav"
#define ERR_FILE TG_BUILD_DIR "/hostile-stderr.txt"

/* ---- input files, written byte by byte ---- */

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffffu);
	put16(p + 2, v >> 16);
}

static int write_file(const char *path, const void *data, size_t len)
{
	FILE *const f = fopen(path, "wb");
	if (!f) {
		return -1;
	}
	const int ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* A 16-bit PCM WAV: the canonical 44-byte header, then frames of a quiet
 * ramp. The header says what it is told, however absurd. Writes keep
 * bytes of it (all when keep is 0). */
static int write_wav(const char *path, uint16_t channels, uint32_t rate, uint32_t frames,
                     size_t keep)
{
	const uint32_t data = frames * channels * 2u;
	uint8_t *const b = calloc(44 + (size_t)data, 1);
	if (!b) {
		return -1;
	}
	memcpy(b, "RIFF", 4);
	put32(b + 4, 36 + data);
	memcpy(b + 8, "WAVEfmt ", 8);
	put32(b + 16, 16);
	put16(b + 20, 1); /* PCM */
	put16(b + 22, channels);
	put32(b + 24, rate);
	put32(b + 28, rate * channels * 2u);
	put16(b + 32, channels * 2u);
	put16(b + 34, 16);
	memcpy(b + 36, "data", 4);
	put32(b + 40, data);
	for (uint32_t i = 0; i < frames * channels; ++i) {
		put16(b + 44 + 2 * i, (i * 37u) & 0x0fffu);
	}
	const int rc = write_file(path, b, keep ? keep : 44 + (size_t)data);
	free(b);
	return rc;
}

static int make_nothing(void)
{
	return 0;
}
static int make_empty(void)
{
	return write_file(IN, "", 0);
}
static int make_truncated(void)
{
	return write_wav(IN, 2, 48000, 4800, 30);
}
/* The header promises a second of audio; the file ends after it. */
static int make_header_only(void)
{
	return write_wav(IN, 2, 48000, 48000, 44);
}

static int make_text(void)
{
	static const char text[] = "This is not a sound file.\nRIFF? No.\n";
	return write_file(IN, text, sizeof(text) - 1);
}

static int make_rate_0(void)
{
	return write_wav(IN, 2, 0, 4800, 0);
}
static int make_rate_10m(void)
{
	return write_wav(IN, 2, 10000000, 4800, 0);
}
static int make_8ch(void)
{
	return write_wav(IN, 8, 48000, 4800, 0);
}
static int make_good(void)
{
	return write_wav(IN, 2, 48000, 4800, 0);
}

static int make_good_and_folder(void)
{
	return make_good() == 0 && mkdir(WORK "/outdir", 0755) == 0 ? 0 : -1;
}

static int make_good_and_link(void)
{
	return make_good() == 0 && symlink("in.wav", WORK "/link.wav") == 0 ? 0 : -1;
}

static int make_good_and_readonly(void)
{
	return make_good() == 0 && mkdir(WORK "/ro", 0555) == 0 ? 0 : -1;
}

/* ---- the table ---- */

typedef struct {
	const char *name;
	int (*make)(void);
	const char *args;   /* split on spaces */
	int want_rc;        /* the documented exit code; 0: any non-zero */
	const char *needle; /* in the error line, or NULL */
	const char *output; /* must not exist afterwards, or NULL */
	int non_root;       /* root writes anywhere: skip */
} Case;

static const Case CASES[] = {
    {"missing_file", make_nothing, WORK "/missing.wav " OUT, 4, "cannot read", OUT, 0},
    {"empty_file", make_empty, IN " " OUT, 4, "cannot read", OUT, 0},
    {"truncated_header", make_truncated, IN " " OUT, 4, "cannot read", OUT, 0},
    {"header_without_data", make_header_only, IN " " OUT, 4, NULL, OUT, 0},
    {"text_named_wav", make_text, IN " " OUT, 4, "cannot read", OUT, 0},
    {"rate_0_hz", make_rate_0, IN " " OUT, 4, "cannot read", OUT, 0},
    {"rate_10_mhz", make_rate_10m, IN " " OUT, 2, "instantiate", OUT, 0},
    {"eight_channels", make_8ch, IN " " OUT, 5, "channels", OUT, 0},
    {"unknown_preset", make_good, "-p no-such-preset " IN " " OUT, 3, "preset", OUT, 0},
    {"unknown_symbol", make_good, "-c nosuch=1 " IN " " OUT, 6, "unknown control symbol", OUT, 0},
    {"output_symbol", make_good, "-c peak_ma=1 " IN " " OUT, 6, "unknown control symbol", OUT, 0},
    {"value_not_a_number", make_good, "-c vfs=abc " IN " " OUT, 6, "not a number", OUT, 0},
    {"value_nan", make_good, "-c vfs=nan " IN " " OUT, 6, "not a number", OUT, 0},
    {"value_overflow", make_good, "-c vfs=1e999 " IN " " OUT, 6, "not a number", OUT, 0},
    {"value_trailing_junk", make_good, "-c vfs=1.0V " IN " " OUT, 6, "not a number", OUT, 0},
    {"set_without_value", make_good, "-c vfs " IN " " OUT, 6, "SYMBOL=VALUE", OUT, 0},
    {"output_in_missing_folder", make_good, IN " " WORK "/no/such/folder/out.wav", 7,
     "cannot write", WORK "/no", 0},
    {"output_is_input", make_good, IN " " IN, 7, "input", NULL, 0},
    {"output_is_input_other_spelling", make_good, IN " " WORK "/./in.wav", 7, "input", NULL, 0},
    {"output_is_input_via_link", make_good_and_link, IN " " WORK "/link.wav", 7, "input", NULL, 0},
    {"output_is_a_folder", make_good_and_folder, IN " " WORK "/outdir", 7, "cannot write", NULL, 0},
    {"output_not_creatable", make_good, IN " /proc/version", 7, "cannot write", NULL, 0},
    {"output_in_readonly_folder", make_good_and_readonly, IN " " WORK "/ro/out.wav", 7,
     "cannot write", WORK "/ro/out.wav", 1},
};

/* ---- helpers ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP) {
		chmod(path, 0755);
	}
	return remove(path) == 0 ? 0 : -1;
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Everything under dir, two levels deep: names, kinds and file bytes, in
 * one comparable block. */
typedef struct {
	char *data;
	size_t len, cap;
} Snap;

static void snap_add(Snap *s, const void *p, size_t n)
{
	if (s->len + n > s->cap) {
		const size_t cap = (s->len + n) * 2 + 256;
		char *const bigger = realloc(s->data, cap);
		if (!bigger) {
			return;
		}
		s->data = bigger;
		s->cap = cap;
	}
	memcpy(s->data + s->len, p, n);
	s->len += n;
}

static void snap_dir(Snap *s, const char *dir, int depth)
{
	struct dirent **names = NULL;
	const int n = scandir(dir, &names, NULL, alphasort);
	for (int i = 0; i < n; ++i) {
		const char *const name = names[i]->d_name;
		if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s", dir, name);
			struct stat st;
			lstat(path, &st);
			char head[1100];
			const int hn = snprintf(head, sizeof(head), "%s %o %lld\n", path,
			                        (unsigned)st.st_mode, (long long)st.st_size);
			snap_add(s, head, (size_t)hn);
			if (S_ISREG(st.st_mode)) {
				size_t len = 0;
				char *const bytes = tg_read_file(path, &len);
				if (bytes) {
					snap_add(s, bytes, len);
					free(bytes);
				}
			} else if (S_ISDIR(st.st_mode) && depth > 0) {
				snap_dir(s, path, depth - 1);
			}
		}
		free(names[i]);
	}
	free(names);
}

/* Run tguard-render with args; its stderr goes to ERR_FILE. Returns the
 * exit code, or 128 + the signal that killed it. */
static int run_render(const char *args)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", args);
	char *argv[32];
	int argc = 0;
	argv[argc++] = (char *)RENDER;
	for (char *tok = strtok(buf, " "); tok && argc < 31; tok = strtok(NULL, " ")) {
		argv[argc++] = tok;
	}
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	const pid_t pid = fork();
	if (pid < 0) {
		return -1;
	}
	if (pid == 0) {
		const int err = open(ERR_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		const int null = open("/dev/null", O_WRONLY);
		if (err < 0 || null < 0 || dup2(err, 2) < 0 || dup2(null, 1) < 0) {
			_exit(126);
		}
		alarm(60); /* a hang is a failure too */
		execv(RENDER, argv);
		_exit(127);
	}
	int status = 0;
	if (waitpid(pid, &status, 0) != pid) {
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int path_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

TEST hostile_case(const Case *c)
{
	if (c->non_root && geteuid() == 0) {
		SKIPm("running as root, which can write into a read-only folder");
	}
	rm_tree(WORK);
	ASSERT_EQ(0, mkdir(WORK, 0755));
	ASSERT_EQm("could not make the input", 0, c->make());
	Snap before = {NULL, 0, 0}, after = {NULL, 0, 0};
	snap_dir(&before, WORK, 2);

	const int rc = run_render(c->args);

	snap_dir(&after, WORK, 2);
	size_t len = 0;
	char *const err = tg_read_file(ERR_FILE, &len);
	const int untouched = before.len == after.len &&
	                      (before.len == 0 || memcmp(before.data, after.data, before.len) == 0);
	free(before.data);
	free(after.data);
	const char *const nl = err ? strchr(err, '\n') : NULL;
	const int one_line = err && len > 1 && nl == err + len - 1;
	const int has_needle = !c->needle || (err && strstr(err, c->needle));
	const int left = c->output && path_exists(c->output);
	if (rc == 0 || rc >= 126 || (c->want_rc && rc != c->want_rc) || !one_line || !has_needle ||
	    !untouched || left) {
		fprintf(stderr, "tguard-render %s: exit %d, stderr: %s%s%s\n", c->args, rc,
		        err ? err : "(none)", untouched ? "" : " [files changed]",
		        left ? " [output left behind]" : "");
	}
	free(err);
	ASSERTm("exit code 0", rc != 0);
	ASSERTm("killed by a signal, or could not run", rc < 126);
	if (c->want_rc) {
		ASSERT_EQm("exit code", c->want_rc, rc);
	}
	ASSERTm("not exactly one line on stderr", one_line);
	ASSERTm("the error line does not say what is wrong", has_needle);
	ASSERTm("input or working folder changed", untouched);
	ASSERTm("output file left behind", !left);
	PASS();
}

SUITE(hostile_suite)
{
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); ++i) {
		greatest_set_test_suffix(CASES[i].name);
		RUN_TEST1(hostile_case, &CASES[i]);
	}
	rm_tree(WORK);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(hostile_suite);
	GREATEST_MAIN_END();
}
