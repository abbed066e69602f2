/* tguard regression renders through the lilv host: invariants, reference
 * comparison, block-size invariance, sensitivity of the comparison, the
 * real-time check, and tguard-render's command line. Run from the source
 * tree (make check). */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "greatest.h"

#include "references.h"
#include "rtcheck.h"

#define BUNDLE "build/tguard.lv2"
#define REF_DIR "host-test/references"
#define RENDER "build/tguard-render"

static TgRefCase *cases;
static unsigned n_cases;
static unsigned long long rt_total;

static char *reference_of(const TgRefCase *c)
{
	char name[256], path[512];
	tg_ref_name(c, name, sizeof(name));
	snprintf(path, sizeof(path), REF_DIR "/%s", name);
	return tg_ref_read_file(path);
}

/* One regression render: the invariants from the report, then the
 * reference. */
TEST regression_render(const TgRefCase *c)
{
	TgReport r;
	char *summary = NULL;
	float *out[2] = {NULL, NULL};
	uint64_t n = 0;
	ASSERT_EQ(0, tg_ref_render(BUNDLE, c, 512, NULL, 0.0, 0, &r, &summary, out, &n));
	rt_total += r.rt_violations;
	char why[256] = "";
	char *const ref = reference_of(c);
	const int differs = ref ? tg_ref_compare(ref, summary, why, sizeof(why)) : -1;
	/* Right after a NaN burst the output restarts from silence. */
	double after_fault = 0.0;
	if (strcmp(c->signal, "nanburst") == 0) {
		for (uint64_t i = (uint64_t)(1.010 * c->rate); i < (uint64_t)(1.012 * c->rate); ++i) {
			after_fault = fmax(after_fault, fabs((double)out[0][i]));
		}
	}
	free(out[0]);
	free(out[1]);
	free(summary);
	free(ref);
	ASSERT_EQ_FMT(0ull, r.rt_violations, "%llu");
	ASSERT_EQ_FMT(0ull, (unsigned long long)r.nonfinite_out, "%llu");
	ASSERTm("peak current over the limit", r.peak_ma <= r.peak_limit_ma * (1.0 + 1e-6));
	ASSERTm("RMS current over 1.02 x the limit", r.rms_ma <= 1.02 * r.rms_limit_ma);
	if (strcmp(c->signal, "nanburst") == 0) {
		ASSERTm("output after a fault is not near silence", after_fault < 1e-3);
	} else {
		ASSERT_IN_RANGEm("soft start timing", r.ramp_s, r.ramp_done_s, 0.001);
	}
	if (differs) {
		fprintf(stderr, "reference mismatch: %s\n", ref ? why : "no reference file");
	}
	ASSERT_EQm("render differs from its reference (make references)", 0, differs);
	PASS();
}

SUITE(regression_suite)
{
	for (unsigned i = 0; i < n_cases; ++i) {
		char name[256];
		tg_ref_name(&cases[i], name, sizeof(name));
		greatest_set_test_suffix(name);
		RUN_TEST1(regression_render, &cases[i]);
	}
}

/* ---- block sizes ---- */

TEST block_sizes_give_same_output(void)
{
	static const uint32_t sizes[] = {37, 512, 4096, 0};
	static const char *const signals[] = {"sweep", "nanburst", "pink"};
	for (size_t s = 0; s < 3; ++s) {
		TgRefCase c = cases[0];
		c.signal = signals[s];
		TgReport r;
		char *sum = NULL;
		float *ref[2] = {NULL, NULL};
		uint64_t n = 0;
		ASSERT_EQ(0, tg_ref_render(BUNDLE, &c, 1, NULL, 0.0, 0, &r, &sum, ref, &n));
		free(sum);
		for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); ++k) {
			float *out[2] = {NULL, NULL};
			ASSERT_EQ(0, tg_ref_render(BUNDLE, &c, sizes[k], NULL, 0.0, 0, &r, &sum, out, &n));
			free(sum);
			double worst = 0.0;
			for (int ch = 0; ch < 2; ++ch) {
				for (uint64_t i = 0; i < n; ++i) {
					worst = fmax(worst, fabs((double)out[ch][i] - ref[ch][i]));
				}
			}
			free(out[0]);
			free(out[1]);
			ASSERT(worst <= 1e-6);
		}
		free(ref[0]);
		free(ref[1]);
	}
	PASS();
}

/* ---- the comparison catches what it must ---- */

static const TgRefCase *find_case(const char *variant, const char *slug, const char *signal,
                                  double rate)
{
	for (unsigned i = 0; i < n_cases; ++i) {
		if (strcmp(cases[i].variant, variant) == 0 && strcmp(cases[i].slug, slug) == 0 &&
		    strcmp(cases[i].signal, signal) == 0 && cases[i].rate == rate) {
			return &cases[i];
		}
	}
	return NULL;
}

static int perturbed_differs(const TgRefCase *c, const char *const *sets, double gain_db,
                             uint32_t shift, char *why, size_t len)
{
	TgReport r;
	char *sum = NULL;
	if (tg_ref_render(BUNDLE, c, 512, sets, gain_db, shift, &r, &sum, NULL, NULL) != 0) {
		return -1;
	}
	char *const ref = reference_of(c);
	const int d = ref ? tg_ref_compare(ref, sum, why, len) : -1;
	free(ref);
	free(sum);
	return d;
}

TEST sensitivity_level_0_1_db(void)
{
	const TgRefCase *const c = find_case("stereo", "default", "pink", 48000.0);
	ASSERT(c != NULL);
	char why[256] = "";
	ASSERT_EQ(0, perturbed_differs(c, NULL, 0.0, 0, why, sizeof(why)));
	ASSERT_EQ(1, perturbed_differs(c, NULL, 0.1, 0, why, sizeof(why)));
	printf("0.1 dB level change: %s\n", why);
	PASS();
}

TEST sensitivity_corner_1_percent(void)
{
	const TgRefCase *const c = find_case("stereo", "default", "sweep", 48000.0);
	ASSERT(c != NULL);
	char why[256] = "";
	static const char *const hpf[] = {"hpf_hz", "80.8", NULL};
	ASSERT_EQ(1, perturbed_differs(c, hpf, 0.0, 0, why, sizeof(why)));
	printf("high-pass corner +1 %%: %s\n", why);
	static const char *const lpf[] = {"lpf_hz", "16160", NULL};
	ASSERT_EQ(1, perturbed_differs(c, lpf, 0.0, 0, why, sizeof(why)));
	printf("low-pass corner +1 %%: %s\n", why);
	PASS();
}

TEST sensitivity_ramp_1_ms(void)
{
	const TgRefCase *const c = find_case("stereo", "default", "sine1k", 48000.0);
	ASSERT(c != NULL);
	char why[256] = "";
	static const char *const longer[] = {"ramp_s", "3.001", NULL};
	ASSERT_EQ(1, perturbed_differs(c, longer, 0.0, 0, why, sizeof(why)));
	printf("soft start 1 ms longer: %s\n", why);
	ASSERT_EQ(1, perturbed_differs(c, NULL, 0.0, 48, why, sizeof(why)));
	printf("soft start 1 ms later: %s\n", why);
	PASS();
}

/* ---- real-time check ---- */

TEST rt_check_counts_and_run_is_clean(void)
{
	/* The interposer counts what it must... */
	const unsigned long long before = tg_rt_violations();
	tg_rt_enter();
	void *volatile p = malloc(16);
	free(p);
	tg_rt_leave();
	ASSERT_EQ_FMT(before + 2, tg_rt_violations(), "%llu");
	/* ...and the plugin's run() did none of it in any render above. */
	ASSERT_EQ_FMT(0ull, rt_total, "%llu");
	PASS();
}

/* ---- tguard-render's command line ---- */

static int run_cli(const char *args, char *err, size_t len)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), RENDER " %s 2>/tmp/tg-cli-err.txt >/tmp/tg-cli-out.txt", args);
	const int status = system(cmd);
	char *const e = tg_ref_read_file("/tmp/tg-cli-err.txt");
	snprintf(err, len, "%s", e ? e : "");
	free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

TEST cli_errors(void)
{
	static const struct {
		const char *args;
		const char *needle;
	} cases_[] = {
		{"-u urn:tguard:nope --signal sine1k /tmp/tg-cli.wav", "unknown plugin"},
		{"-p no-such-preset --signal sine1k /tmp/tg-cli.wav", "unknown preset"},
		{"/tmp/tg-no-such-input.wav /tmp/tg-cli.wav", "cannot read"},
		{"-c nosuch=1 --signal sine1k /tmp/tg-cli.wav", "unknown control symbol"},
		{"-c vfs=abc --signal sine1k /tmp/tg-cli.wav", "not a number"},
		{"--signal nosuch /tmp/tg-cli.wav", "unknown signal"},
		{"--signal sine1k:0.1 /tmp/tg-no-such-dir/out.wav", "cannot write"},
		{"-u urn:tguard:mono --signal sine1k:0.1 -r 4000 /tmp/tg-cli.wav", "instantiate"},
	};
	for (size_t i = 0; i < sizeof(cases_) / sizeof(cases_[0]); ++i) {
		unlink("/tmp/tg-cli.wav");
		char err[2048];
		const int rc = run_cli(cases_[i].args, err, sizeof(err));
		if (rc == 0 || !strstr(err, cases_[i].needle) || strchr(err, '\n') != strrchr(err, '\n')) {
			fprintf(stderr, "tguard-render %s: exit %d, stderr: %s\n", cases_[i].args, rc, err);
		}
		ASSERT(rc != 0);
		ASSERT(strstr(err, cases_[i].needle) != NULL);
		/* One line on stderr. */
		ASSERT(strchr(err, '\n') == strrchr(err, '\n'));
		ASSERT(!file_exists("/tmp/tg-cli.wav"));
	}
	PASS();
}

typedef struct {
	const char *list;
	unsigned n, missing;
} ListCheck;

static void check_listed(void *data, const char *label, const char *uri, const char *bank)
{
	ListCheck *const lc = (ListCheck *)data;
	char line[512];
	snprintf(line, sizeof(line), "%s\t%s\t%s\n", label, uri, bank);
	++lc->n;
	if (!bank[0] || !strstr(lc->list, line)) {
		fprintf(stderr, "not listed with a bank: %s", line);
		++lc->missing;
	}
}

TEST cli_render_and_json_report(void)
{
	char err[2048];
	unlink("/tmp/tg-cli.wav");
	ASSERT_EQ(0, run_cli("--signal pink:1 --report=json -b random /tmp/tg-cli.wav", err,
	                     sizeof(err)));
	ASSERT(file_exists("/tmp/tg-cli.wav"));
	char *const out = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(out != NULL);
	const int ok = strstr(out, "\"peak_ma\":") && strstr(out, "\"ramp_done_s\":") && out[0] == '{';
	free(out);
	ASSERT(ok);
	/* A file in, the same format out. */
	ASSERT_EQ(0, run_cli("-c volume_db=-6 /tmp/tg-cli.wav /tmp/tg-cli2.wav", err, sizeof(err)));
	ASSERT(file_exists("/tmp/tg-cli2.wav"));
	/* A stereo file cannot go into the mono plugin. */
	ASSERT_EQ(5, run_cli("-u urn:tguard:mono /tmp/tg-cli.wav /tmp/tg-cli3.wav", err, sizeof(err)));
	ASSERT(strstr(err, "one input channel") != NULL);
	ASSERT(!file_exists("/tmp/tg-cli3.wav"));
	/* The output may not overwrite the input. */
	ASSERT(run_cli("/tmp/tg-cli.wav /tmp/tg-cli.wav", err, sizeof(err)) != 0);
	ASSERT_EQ(0, run_cli("--list-presets", err, sizeof(err)));
	/* Each factory preset is listed with its URI and bank. */
	char *const list = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(list != NULL);
	TgHost *const host = tg_host_new(BUNDLE);
	ASSERT(tg_host_load(host, "urn:tguard:stereo", 48000.0, err, sizeof(err)) == TG_HOST_OK);
	ListCheck lc = {list, 0, 0};
	tg_host_presets(host, check_listed, &lc);
	tg_host_free(host);
	free(list);
	ASSERT(lc.n >= 8);
	ASSERT_EQm("presets missing from --list-presets", 0, lc.missing);
	unlink("/tmp/tg-cli.wav");
	unlink("/tmp/tg-cli2.wav");
	PASS();
}

SUITE(host_suite)
{
	RUN_TEST(block_sizes_give_same_output);
	RUN_TEST(sensitivity_level_0_1_db);
	RUN_TEST(sensitivity_corner_1_percent);
	RUN_TEST(sensitivity_ramp_1_ms);
	RUN_TEST(rt_check_counts_and_run_is_clean);
	RUN_TEST(cli_errors);
	RUN_TEST(cli_render_and_json_report);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	n_cases = tg_ref_cases(BUNDLE, NULL, 0);
	cases = calloc(n_cases, sizeof(TgRefCase));
	tg_ref_cases(BUNDLE, cases, n_cases);
	printf("%u regression renders\n", n_cases);
	RUN_SUITE(regression_suite);
	RUN_SUITE(host_suite);
	free(cases);
	GREATEST_MAIN_END();
}
