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
#include "tg_test.h"
#include "tg_assert.h"

#include <sndfile.h>

#include "analysis.h"
#include "references.h"
#include "rtcheck.h"
#include "signals.h"

/* The sanitizer build runs these tests again with its own bundle and
 * tguard-render: -DTG_BUILD_DIR='"build/asan"'. */
#define REF_DIR "host-test/references"
#define RENDER TG_BUILD_DIR "/tguard-render"

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
	/* Across both outputs the second is exactly the first negated: the
	 * transducer sees their difference, 2 y, which the report measured. */
	uint64_t not_negated = 0;
	if (c->wiring > 0.0f) {
		for (uint64_t i = 0; i < n; ++i) {
			not_negated += out[1][i] != -out[0][i];
		}
	}
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
	ASSERT_EQ_FMTm("tip-ring: the right output is not the left negated", 0ull,
	               (unsigned long long)not_negated, "%llu");
	ASSERT_EQm("the report is not across the outputs", c->wiring > 0.0f, r.bridged);
	ASSERTm("sample peak current over the limit",
	        r.sample_peak_ma <= r.peak_limit_ma * (1.0 + 1e-6));
	ASSERTm("RMS current over 1.02 x the limit", r.rms_ma <= 1.02 * r.rms_limit_ma);
	if (strcmp(c->signal, "nanburst") == 0) {
		ASSERTm("output after a fault is not near silence", after_fault < 1e-3);
	} else {
		TG_ASSERT_NEARm("soft start timing", r.ramp_s, r.ramp_done_s, 0.001);
	}
	if (differs) {
		fprintf(stderr, "reference mismatch: %s\n", ref ? why : "no reference file");
	}
	ASSERT_EQm("render differs from its reference (make references)", 0, differs);
	/* The waveform a DAC makes of the samples (last, so that a render over
	 * it is still compared with its reference). */
	if (!(r.peak_ma <= r.peak_limit_ma * pow(10.0, TG_MTP_TOL_DB / 20.0))) {
		fprintf(stderr, "true peak current %.3f mA, %+.2f dB over the limit %.3f mA\n", r.peak_ma,
		        20.0 * log10(r.peak_ma / r.peak_limit_ma), r.peak_limit_ma);
	}
	ASSERTm("true peak current over the limit (16x, beyond TG_MTP_TOL_DB)",
	        r.peak_ma <= r.peak_limit_ma * pow(10.0, TG_MTP_TOL_DB / 20.0));
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
#ifdef TG_NO_RTCHECK
	/* AddressSanitizer owns malloc: the sanitizer build links
	 * rtcheck_off.c, and the normal build does this check. */
	SKIPm("no allocator interposer in the sanitizer build");
#endif
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

/* The files the tests write go to a folder of this run's own (made in
 * main): another test run at the same time, a sanitizer build or a
 * mutant, must not write over them. The tests name them /tmp/tg-NAME;
 * tp() and run_cli() put them in that folder. */
static char tmp_dir[64];

/* path, with a leading "/tmp/tg-" moved into tmp_dir (a few at a time). */
static const char *tp(const char *path)
{
	static char buf[8][256];
	static unsigned k;
	if (strncmp(path, "/tmp/tg-", 8) != 0) {
		return path;
	}
	char *const b = buf[k++ % 8];
	snprintf(b, sizeof(buf[0]), "%s/%s", tmp_dir, path + 5);
	return b;
}

static int run_cli(const char *args_in, char *err, size_t len)
{
	/* Each /tmp/tg- in the arguments goes into tmp_dir too. */
	char args[2048] = "";
	size_t at = 0;
	for (const char *s = args_in; *s && at + 80 < sizeof(args);) {
		if (strncmp(s, "/tmp/tg-", 8) == 0) {
			at += (size_t)snprintf(args + at, sizeof(args) - at, "%s/tg-", tmp_dir);
			s += 8;
		} else {
			args[at++] = *s++;
			args[at] = '\0';
		}
	}
	char cmd[2600];
	snprintf(cmd, sizeof(cmd), RENDER " %s 2>%s >%s", args, tp("/tmp/tg-cli-err.txt"),
	         tp("/tmp/tg-cli-out.txt"));
	const int status = system(cmd);
	char *const e = tg_ref_read_file(tp("/tmp/tg-cli-err.txt"));
	snprintf(err, len, "%s", e ? e : "");
	free(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Bad files, presets, symbols, values and output paths are in the
 * hostile-input table of test_hostile.c. */
TEST cli_errors(void)
{
	static const struct {
		const char *args;
		const char *needle;
	} cases_[] = {
		{"-u urn:tguard:nope --signal sine1k /tmp/tg-cli.wav", "unknown plugin"},
		{"--signal nosuch /tmp/tg-cli.wav", "unknown signal"},
		{"-u urn:tguard:mono --signal sine1k:0.1 -r 4000 /tmp/tg-cli.wav", "instantiate"},
	};
	for (size_t i = 0; i < sizeof(cases_) / sizeof(cases_[0]); ++i) {
		unlink(tp("/tmp/tg-cli.wav"));
		char err[2048];
		const int rc = run_cli(cases_[i].args, err, sizeof(err));
		if (rc == 0 || !strstr(err, cases_[i].needle) || strchr(err, '\n') != strrchr(err, '\n')) {
			fprintf(stderr, "tguard-render %s: exit %d, stderr: %s\n", cases_[i].args, rc, err);
		}
		ASSERT(rc != 0);
		ASSERT(strstr(err, cases_[i].needle) != NULL);
		/* One line on stderr. */
		ASSERT(strchr(err, '\n') == strrchr(err, '\n'));
		ASSERT(!file_exists(tp("/tmp/tg-cli.wav")));
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
	unlink(tp("/tmp/tg-cli.wav"));
	ASSERT_EQ(0, run_cli("--signal pink:1 --report=json -b random /tmp/tg-cli.wav", err,
	                     sizeof(err)));
	ASSERT(file_exists(tp("/tmp/tg-cli.wav")));
	char *const out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	const int ok = strstr(out, "\"peak_ma\":") && strstr(out, "\"ramp_done_s\":") && out[0] == '{';
	free(out);
	ASSERT(ok);
	/* A file in, the same format out. */
	ASSERT_EQ(0, run_cli("-c volume_db=-6 /tmp/tg-cli.wav /tmp/tg-cli2.wav", err, sizeof(err)));
	ASSERT(file_exists(tp("/tmp/tg-cli2.wav")));
	/* A stereo file cannot go into the mono plugin. */
	ASSERT_EQ(5, run_cli("-u urn:tguard:mono /tmp/tg-cli.wav /tmp/tg-cli3.wav", err, sizeof(err)));
	ASSERT(strstr(err, "one input channel") != NULL);
	ASSERT(!file_exists(tp("/tmp/tg-cli3.wav")));
	ASSERT_EQ(0, run_cli("--list-presets", err, sizeof(err)));
	/* Each factory preset is listed with its URI and bank. */
	char *const list = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(list != NULL);
	TgHost *const host = tg_host_new(BUNDLE);
	ASSERT(tg_host_load(host, "urn:tguard:stereo", 48000.0, err, sizeof(err)) == TG_HOST_OK);
	ListCheck lc = {list, 0, 0};
	tg_host_presets(host, check_listed, &lc);
	tg_host_free(host);
	free(list);
	ASSERT(lc.n >= 8);
	ASSERT_EQm("presets missing from --list-presets", 0, lc.missing);
	unlink(tp("/tmp/tg-cli.wav"));
	unlink(tp("/tmp/tg-cli2.wav"));
	PASS();
}

/* ---- tguard-render --pipewire and --check ---- */

typedef struct {
	const char *config;
	unsigned n, missing;
} ControlCheck;

/* Every input control appears as "symbol = value" with the value in force. */
static void check_control_line(void *data, const char *symbol, float value)
{
	ControlCheck *const cc = (ControlCheck *)data;
	++cc->n;
	char key[160];
	snprintf(key, sizeof(key), "\n                            %-12s = ", symbol);
	const char *const at = strstr(cc->config, key);
	if (!at || fabsf(strtof(at + strlen(key), NULL) - value) > 1e-6f * fmaxf(1.0f, fabsf(value))) {
		fprintf(stderr, "control %s = %g missing from the PipeWire config\n", symbol, (double)value);
		++cc->missing;
	}
}

static unsigned pipewire_controls_missing(const char *config, const char *plugin,
                                          const char *preset, const char *const *sets)
{
	char err[2048];
	TgHost *const host = tg_host_new(BUNDLE);
	if (tg_host_load(host, plugin, 48000.0, err, sizeof(err)) != TG_HOST_OK ||
	    tg_host_apply_preset(host, preset, err, sizeof(err)) != TG_HOST_OK) {
		tg_host_free(host);
		return 1000;
	}
	for (; sets && sets[0]; sets += 2) {
		tg_host_set(host, sets[0], strtof(sets[1], NULL));
	}
	ControlCheck cc = {config, 0, 0};
	tg_host_controls(host, check_control_line, &cc);
	tg_host_free(host);
	return cc.n >= 14 ? cc.missing : 1000;
}

static int balanced(const char *s)
{
	int depth = 0;
	for (; *s && depth >= 0; ++s) {
		depth += (*s == '{' || *s == '[') - (*s == '}' || *s == ']');
	}
	return depth == 0;
}

TEST cli_pipewire_config(void)
{
	char err[2048];
	ASSERT_EQ(0, run_cli("--pipewire 'earbud driver (16 ohm)'", err, sizeof(err)));
	char *out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	int ok = strstr(out, "context.modules = [") && strstr(out, "libpipewire-module-filter-chain") &&
	         strstr(out, "type    = lv2") && strstr(out, "plugin  = \"urn:tguard:stereo\"") &&
	         strstr(out, "node.description = \"tguard: Earbud driver (16 ohm)\"") &&
	         strstr(out, "capture.props") && strstr(out, "playback.props") &&
	         strstr(out, "target.object") && balanced(out);
	const unsigned missing =
	    pipewire_controls_missing(out, "urn:tguard:stereo", "Earbud driver (16 ohm)", NULL);
	free(out);
	ASSERTm("filter-chain config incomplete", ok);
	ASSERT_EQ(0u, missing);
	/* A sum preset by URI picks the sum plugin: two channels in, one out;
	 * -c comes after the preset. */
	ASSERT_EQ(0, run_cli("--pipewire urn:tguard:preset:piezo-disc:sum -c vfs=1.41", err,
	                     sizeof(err)));
	out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	ok = strstr(out, "plugin  = \"urn:tguard:sum\"") && strstr(out, "audio.position = [ MONO ]") &&
	     strstr(out, "audio.position = [ FL FR ]") && !strstr(out, " route ") &&
	     strstr(out, "\n                            v_peak       = 10\n") && balanced(out);
	static const char *const vfs[] = {"vfs", "1.41", NULL};
	const unsigned missing_sum =
	    pipewire_controls_missing(out, "urn:tguard:sum", "urn:tguard:preset:piezo-disc:sum", vfs);
	free(out);
	ASSERTm("sum config wrong", ok);
	ASSERT_EQ(0u, missing_sum);
	/* An unknown preset: exit 3, one line. */
	ASSERT_EQ(3, run_cli("--pipewire no-such-preset", err, sizeof(err)));
	ASSERT(strstr(err, "unknown preset") != NULL && strchr(err, '\n') == strrchr(err, '\n'));
	PASS();
}

#define PW_PLACEHOLDER "target.object  = \"REPLACE-WITH-YOUR-OUTPUT-NODE-NAME\"\n"
#define PW_INSTRUCTION "# set target.object to your output's node.name (pw-cli ls Node),\n"

/* --target NODE fills in target.object and drops the instruction to do
 * it; without --target the placeholder and the instruction stay. */
TEST cli_pipewire_target(void)
{
	char err[2048];
	ASSERT_EQ(0, run_cli("--pipewire urn:tguard:preset:earbud-16", err, sizeof(err)));
	char *out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	int ok = strstr(out, PW_PLACEHOLDER) && strstr(out, PW_INSTRUCTION);
	free(out);
	ASSERTm("placeholder or instruction missing without --target", ok);
	ASSERT_EQ(0, run_cli("--pipewire urn:tguard:preset:dynamic-mic:mono -c vfs=1.41 "
	                     "--target alsa_output.pci-0000_00_1f.3.analog-stereo",
	                     err, sizeof(err)));
	out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	const char *const want =
	    "target.object  = \"alsa_output.pci-0000_00_1f.3.analog-stereo\"\n";
	const char *const at = strstr(out, want);
	ok = at && !strstr(at + 1, "target.object") && !strstr(out, "REPLACE-WITH") &&
	     !strstr(out, PW_INSTRUCTION) && strstr(out, "plugin  = \"urn:tguard:mono\"") &&
	     strstr(out, "\n                            vfs          = 1.41\n") && balanced(out);
	free(out);
	ASSERTm("--target not written as the one target.object", ok);
	/* Names that would break the config's quoting, or are empty: exit 1,
	 * one line, no config. --target alone is a usage error too. */
	static const char *const bad[] = {
	    "--pipewire urn:tguard:preset:earbud-16 --target 'a\"b'",
	    "--pipewire urn:tguard:preset:earbud-16 --target 'a\\b'",
	    "--pipewire urn:tguard:preset:earbud-16 --target \"$(printf 'sink\\nx')\"",
	    "--pipewire urn:tguard:preset:earbud-16 --target ''",
	    "--target sink --signal sine1k:0.1 /tmp/tg-cli.wav",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); ++i) {
		unlink(tp("/tmp/tg-cli.wav"));
		const int rc = run_cli(bad[i], err, sizeof(err));
		out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
		ok = rc == 1 && strstr(err, "--target") && strchr(err, '\n') == strrchr(err, '\n') &&
		     out && !out[0] && !file_exists(tp("/tmp/tg-cli.wav"));
		if (!ok) {
			fprintf(stderr, "tguard-render %s: exit %d, stderr: %s\n", bad[i], rc, err);
		}
		free(out);
		ASSERT(ok);
	}
	PASS();
}

TEST cli_check_file(void)
{
	char err[2048];
	/* Through the preset: passes its limits. */
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 --signal pink:2 /tmp/tg-chk.wav", err,
	                     sizeof(err)));
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 --check /tmp/tg-chk.wav", err,
	                     sizeof(err)));
	char *out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	int ok = strstr(out, "peak current:") && strstr(out, "(limit 45.000 mA)") &&
	         strstr(out, "result:                   pass");
	free(out);
	ASSERT(ok);
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 --check /tmp/tg-chk.wav --report=json",
	                     err, sizeof(err)));
	out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	ok = out[0] == '{' && strstr(out, "\"pass\": true") && strstr(out, "\"peak_limit_ma\": 45.0000");
	free(out);
	ASSERT(ok);
	/* The same noise with every limit open breaks the preset's: exit 9, one line. */
	ASSERT_EQ(0, run_cli("-c i_peak_ma=10000 -c i_rms_ma=10000 -c ramp_s=0.1 --signal pink:2 "
	                     "/tmp/tg-hot.wav",
	                     err, sizeof(err)));
	ASSERT_EQ(9, run_cli("-p urn:tguard:preset:earbud-16 --check /tmp/tg-hot.wav", err,
	                     sizeof(err)));
	ASSERT(strstr(err, "over the limit") != NULL && strchr(err, '\n') == strrchr(err, '\n'));
	ASSERT(run_cli("--check /tmp/tg-no-such.wav", err, sizeof(err)) != 0);
	unlink(tp("/tmp/tg-chk.wav"));
	unlink(tp("/tmp/tg-hot.wav"));
	PASS();
}

/* The voltage limit in the report and in --check: vfs 10 V, z 8 ohm,
 * current limits open, v_peak 2 V. The peak current limit is then
 * v_peak / z = 250 mA and the sample ceiling 0.2 (-13.98 dBFS). */
#define VP_SETS "-c vfs=10 -c z_ohm=8 -c i_peak_ma=10000 -c i_rms_ma=10000 -c ramp_s=0.1 "

TEST cli_v_peak_report_and_check(void)
{
	char err[2048];
	ASSERT_EQ(0, run_cli(VP_SETS "-c v_peak=2 --report --signal sine1k:1 /tmp/tg-vp.wav", err,
	                     sizeof(err)));
	char *out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	const char *const pv = strstr(out, "peak voltage:");
	const double peak_v = pv ? strtod(pv + strlen("peak voltage:"), NULL) : -1.0;
	int ok = strstr(out, "(limit 250.000 mA)") && strstr(out, "V (limit 2.000 V)") &&
	         strstr(out, "sample ceiling:           -13.98 dBFS") &&
	         strstr(out, "output peak:              -14.8");
	if (!ok) {
		fprintf(stderr, "%s", out);
	}
	free(out);
	ASSERT(ok);
	ASSERT(peak_v > 1.8 && peak_v <= 2.0 * (1.0 + 1e-6));
	ASSERT_EQ(0, run_cli(VP_SETS "-c v_peak=2 --report=json --signal sine1k:1 /tmp/tg-vp.wav",
	                     err, sizeof(err)));
	out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	ok = strstr(out, "\"peak_limit_ma\": 250.0000") && strstr(out, "\"v_peak\": 2.0000") &&
	     strstr(out, "\"ceiling_dbfs\": -13.98") && strstr(out, "\"peak_v\": ");
	free(out);
	ASSERT(ok);
	/* The file keeps 2 V; it breaks 1 V, and --check says it is the voltage. */
	ASSERT_EQ(0, run_cli(VP_SETS "-c v_peak=2 --check /tmp/tg-vp.wav", err, sizeof(err)));
	out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	ok = strstr(out, "V (limit 2.0000 V)") && strstr(out, "result:                   pass");
	free(out);
	ASSERT(ok);
	ASSERT_EQ(9, run_cli(VP_SETS "-c v_peak=1 --check /tmp/tg-vp.wav", err, sizeof(err)));
	/* The voltage limit binds as a current limit too (1 V / 8 ohm). */
	ASSERT((strstr(err, "peak voltage") && strstr(err, "over the limit 1.0000 V")) ||
	       strstr(err, "over the limit 125.0000 mA"));
	ASSERT(strchr(err, '\n') == strrchr(err, '\n'));
	/* The piezo preset states 10 V: its peak current limit is 10 V / 200
	 * ohm = 50 mA, its i_peak_ma too. */
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:piezo-disc --check /tmp/tg-vp.wav", err,
	                     sizeof(err)));
	out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	ASSERT(out != NULL);
	ok = strstr(out, "(limit 50.000 mA)") && strstr(out, "V (limit 10.0000 V)");
	free(out);
	ASSERT(ok);
	unlink(tp("/tmp/tg-vp.wav"));
	PASS();
}

/* ---- the user's path: calibration tone, setup check, wiring ---- */

/* A WAV file's channels, de-interleaved; NULL when it cannot be read. */
typedef struct {
	float *x[2];
	uint32_t ch;
	uint64_t n;
	double rate;
} Wav;

static int wav_read(const char *path, Wav *w)
{
	memset(w, 0, sizeof(*w));
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *const sf = sf_open(path, SFM_READ, &info);
	if (!sf) {
		return -1;
	}
	if (info.channels < 1 || info.channels > 2 || info.frames <= 0) {
		sf_close(sf);
		return -1;
	}
	w->ch = (uint32_t)info.channels;
	w->n = (uint64_t)info.frames;
	w->rate = info.samplerate;
	float *const inter = malloc(w->n * w->ch * sizeof(float));
	const sf_count_t got = inter ? sf_readf_float(sf, inter, info.frames) : 0;
	sf_close(sf);
	for (uint32_t c = 0; c < w->ch; ++c) {
		w->x[c] = malloc(w->n * sizeof(float));
	}
	if (got != info.frames || !w->x[0] || (w->ch == 2 && !w->x[1])) {
		free(inter);
		free(w->x[0]);
		free(w->x[1]);
		return -1;
	}
	for (uint64_t i = 0; i < w->n; ++i) {
		for (uint32_t c = 0; c < w->ch; ++c) {
			w->x[c][i] = inter[i * w->ch + c];
		}
	}
	free(inter);
	return 0;
}

static void wav_free(Wav *w)
{
	free(w->x[0]);
	free(w->x[1]);
	memset(w, 0, sizeof(*w));
}

static double db(double v) { return 20.0 * log10(v); }

/* Upward zero crossings per second: a steady tone's frequency. */
static double tone_hz(const float *x, uint64_t n, double rate)
{
	uint64_t up = 0, first = 0, last = 0;
	for (uint64_t i = 1; i < n; ++i) {
		if (x[i - 1] < 0.0f && x[i] >= 0.0f) {
			first = up ? first : i;
			last = i;
			++up;
		}
	}
	return up > 1 ? (double)(up - 1) * rate / (double)(last - first) : 0.0;
}

/* RMS of x[from, to). */
static double span_rms(const float *x, uint64_t from, uint64_t to)
{
	double acc = 0.0;
	for (uint64_t i = from; i < to; ++i) {
		acc += (double)x[i] * (double)x[i];
	}
	return to > from ? sqrt(acc / (double)(to - from)) : 0.0;
}

/* The number after a label in the last command's output; NAN if absent. */
static double printed(const char *out, const char *label)
{
	const char *const at = out ? strstr(out, label) : NULL;
	return at ? strtod(at + strlen(label), NULL) : NAN;
}

/* The calibration tone is written raw: a 60 Hz sine at -6 dBFS peak, the
 * same whatever preset or plugin is named, on the channels asked for. */
TEST calib_tone_is_raw_and_as_documented(void)
{
	static const double rates[] = {44100.0, 48000.0, 96000.0};
	char err[2048], args[512];
	for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); ++k) {
		snprintf(args, sizeof(args), "--signal calib -r %.0f --report /tmp/tg-calib.wav", rates[k]);
		ASSERT_EQ(0, run_cli(args, err, sizeof(err)));
		char *const rep = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
		const int says_raw = rep && strstr(rep, "written raw: not through tguard") &&
		                     strstr(rep, "output peak:              -6.02 dBFS");
		free(rep);
		ASSERTm("--report does not say the tone is raw, at -6.02 dBFS", says_raw);
		/* Through the most cutting preset, asked for: the same file. */
		snprintf(args, sizeof(args),
		         "-p 'Dynamic microphone as speaker' --signal calib -r %.0f /tmp/tg-calib2.wav",
		         rates[k]);
		ASSERT_EQ(0, run_cli(args, err, sizeof(err)));
		Wav a, b;
		ASSERT_EQ(0, wav_read(tp("/tmp/tg-calib.wav"), &a));
		ASSERT_EQ(0, wav_read(tp("/tmp/tg-calib2.wav"), &b));
		int same = a.n == b.n && a.ch == b.ch;
		for (uint32_t c = 0; same && c < a.ch; ++c) {
			same = memcmp(a.x[c], b.x[c], a.n * sizeof(float)) == 0;
		}
		const uint64_t n = a.n;
		const uint32_t ch = a.ch;
		double worst_peak = 0.0, worst_rms = 0.0, hz = 0.0;
		for (uint32_t c = 0; c < a.ch; ++c) {
			const float *const xs[1] = {a.x[c]};
			worst_peak = fmax(worst_peak, fabs(db(tg_sample_peak(xs, 1, a.n)) - db(0.5)));
			worst_rms = fmax(worst_rms, fabs(db(tg_rms(a.x[c], a.n)) - db(0.5 / sqrt(2.0))));
			hz = tone_hz(a.x[c], a.n, a.rate);
		}
		printf("calib at %.0f Hz: peak within %.5f dB of -6.0206 dBFS, RMS within %.5f dB of "
		       "-9.0309 dBFS, %.3f Hz\n",
		       rates[k], worst_peak, worst_rms, hz);
		wav_free(&a);
		wav_free(&b);
		ASSERTm("a preset changed the calibration tone", same);
		ASSERT_EQ(2u, ch);
		ASSERT_EQ_FMT((unsigned long long)(30.0 * rates[k]), (unsigned long long)n, "%llu");
		ASSERT(worst_peak <= 0.01);
		ASSERT(worst_rms <= 0.01);
		ASSERT(fabs(hz - 60.0) < 0.01);
	}
	/* One channel: asked for, or for the mono plugin. */
	static const char *const mono[] = {"--channels 1 --signal calib:1 /tmp/tg-calib.wav",
	                                   "-u urn:tguard:mono --signal calib:1 /tmp/tg-calib.wav"};
	for (size_t k = 0; k < 2; ++k) {
		ASSERT_EQ(0, run_cli(mono[k], err, sizeof(err)));
		Wav a;
		ASSERT_EQ(0, wav_read(tp("/tmp/tg-calib.wav"), &a));
		const uint32_t ch = a.ch;
		wav_free(&a);
		ASSERT_EQ(1u, ch);
	}
	ASSERT_EQ(1, run_cli("--channels 3 --signal calib /tmp/tg-calib.wav", err, sizeof(err)));
	ASSERT_EQ(1, run_cli("--channels 1 --signal sine1k /tmp/tg-calib.wav", err, sizeof(err)));
	unlink(tp("/tmp/tg-calib.wav"));
	unlink(tp("/tmp/tg-calib2.wav"));
	PASS();
}

/* The procedure of the README and docs/calibration.md, followed as a user
 * would, on a simulated card of known vfs: play the tone, read a meter (true
 * RMS, and an average-reading meter calibrated for sines), apply their
 * formula. */
TEST calib_procedure_recovers_vfs(void)
{
	static const char *const pages[] = {"README.md", "docs/calibration.md"};
	for (size_t k = 0; k < sizeof(pages) / sizeof(pages[0]); ++k) {
		char *const page = tg_ref_read_file(pages[k]);
		const int formula = page && strstr(page, "`vfs = V · √2 · 2`") &&
		                    strstr(page, "tguard-render --signal calib calib.wav");
		free(page);
		if (!formula) {
			fprintf(stderr, "%s: the calibration formula or command changed\n", pages[k]);
		}
		ASSERTm("the calibration formula or command changed: update this test", formula);
	}
	char err[2048];
	ASSERT_EQ(0, run_cli("--signal calib /tmp/tg-calib.wav", err, sizeof(err)));
	Wav w;
	ASSERT_EQ(0, wav_read(tp("/tmp/tg-calib.wav"), &w));
	static const double cards[] = {0.3, 1.37, 2.83, 9.5};
	double worst = 0.0;
	for (size_t k = 0; k < sizeof(cards) / sizeof(cards[0]); ++k) {
		/* The meter settles and shows the last second, from second 10. */
		const uint64_t from = (uint64_t)(10.0 * w.rate), to = from + (uint64_t)w.rate;
		const double v_rms = span_rms(w.x[0], from, to) * cards[k];
		double mean_abs = 0.0;
		for (uint64_t i = from; i < to; ++i) {
			mean_abs += fabs((double)w.x[0][i]) * cards[k];
		}
		const double v_avg = mean_abs / (double)(to - from) * M_PI / (2.0 * sqrt(2.0));
		const double vfs_rms = v_rms * sqrt(2.0) * 2.0, vfs_avg = v_avg * sqrt(2.0) * 2.0;
		printf("simulated card vfs %.4f V: true-RMS meter %.4f V gives vfs %.4f V, "
		       "average-reading meter %.4f V gives %.4f V\n",
		       cards[k], v_rms, vfs_rms, v_avg, vfs_avg);
		worst = fmax(worst, fmax(fabs(vfs_rms / cards[k] - 1.0), fabs(vfs_avg / cards[k] - 1.0)));
	}
	wav_free(&w);
	unlink(tp("/tmp/tg-calib.wav"));
	ASSERT(worst < 0.01);
	PASS();
}

/* Each built-in signal is what --help says it is, before tguard. */
TEST builtin_signals_match_descriptions(void)
{
	static const char *const want[][2] = {
	    {"sine1k", "1 kHz sine at 0 dBFS"},
	    {"sine100", "100 Hz sine at 0 dBFS"},
	    {"sweep", "logarithmic sine sweep 20 Hz - 20 kHz at -12 dBFS (under the default limits)"},
	    {"pink", "pink noise at +12 dBFS RMS"},
	    {"square50", "50 Hz square wave at 0 dBFS"},
	    {"burst", "1 s of silence, then full-scale noise bursts (50 ms on, 450 ms off)"},
	    {"nanburst", "pink noise at -12 dBFS with NaN and Inf bursts at 1.0 s and 2.5 s"},
	    {"dc", "a 0.5 DC offset under a 1 kHz sine at -20 dBFS"},
	    {"antiphase", "200 Hz sine at -6 dBFS, right channel inverted"},
	    {"calib", "60 Hz sine at -6 dBFS peak, written raw (never through tguard), for measuring vfs"},
	};
	ASSERT_EQ((unsigned)(sizeof(want) / sizeof(want[0])), tg_n_builtin_signals);
	const double rate = 48000.0;
	const uint64_t n = (uint64_t)(4.0 * rate);
	float *x[2] = {calloc(n, sizeof(float)), calloc(n, sizeof(float))};
	ASSERT(x[0] && x[1]);
	for (unsigned s = 0; s < tg_n_builtin_signals; ++s) {
		const TgBuiltinSignal *const sig = &tg_builtin_signals[s];
		ASSERT_STR_EQ(want[s][0], sig->name);
		ASSERT_STR_EQ(want[s][1], sig->what);
		ASSERT_EQ(0, tg_builtin_signal(sig->name, rate, 2, n, x));
		const float *const l[1] = {x[0]};
		const double peak = tg_sample_peak(l, 1, n);
		const char *const name = sig->name;
		int ok = 1;
		if (!strcmp(name, "sine1k") || !strcmp(name, "sine100")) {
			ok = fabs(db(peak)) < 0.01 &&
			     fabs(tone_hz(x[0], n, rate) - (name[4] == '1' && name[5] == 'k' ? 1000.0 : 100.0)) < 0.5;
		} else if (!strcmp(name, "sweep")) {
			ok = fabs(db(peak) + 12.0) < 0.1;
		} else if (!strcmp(name, "pink")) {
			ok = fabs(db(tg_rms(x[0], n)) - 12.0) < 0.2 && fabs(db(tg_rms(x[1], n)) - 12.0) < 0.2;
		} else if (!strcmp(name, "square50")) {
			ok = fabs(db(peak)) < 0.01 && fabs(db(tg_rms(x[0], n))) < 0.01;
		} else if (!strcmp(name, "burst")) {
			const float *const on[1] = {x[0] + (uint64_t)(1.0 * rate)};
			const float *const off[1] = {x[0] + (uint64_t)(1.06 * rate)};
			ok = tg_rms(x[0], (uint64_t)rate) == 0.0 && tg_sample_peak(on, 1, (uint64_t)(0.05 * rate)) > 0.99 &&
			     tg_sample_peak(off, 1, (uint64_t)(0.43 * rate)) == 0.0;
		} else if (!strcmp(name, "nanburst")) {
			ok = isnan(x[0][(uint64_t)(1.005 * rate)]) && isinf(x[1][(uint64_t)(2.505 * rate)]) &&
			     fabs(db(tg_rms(x[0], (uint64_t)rate)) + 12.0) < 0.5;
		} else if (!strcmp(name, "dc")) {
			double mean = 0.0;
			for (uint64_t i = 0; i < n; ++i) {
				mean += x[0][i];
			}
			mean /= (double)n;
			ok = fabs(mean - 0.5) < 1e-3 && fabs(db(peak - mean) + 20.0) < 0.05;
		} else if (!strcmp(name, "antiphase")) {
			ok = fabs(db(peak) - db(0.5)) < 0.01 && fabs(tone_hz(x[0], n, rate) - 200.0) < 0.5;
			for (uint64_t i = 0; i < n; ++i) {
				ok &= x[1][i] == -x[0][i];
			}
		} else if (!strcmp(name, "calib")) {
			ok = sig->raw && fabs(db(peak) - db(0.5)) < 0.01 && fabs(tone_hz(x[0], n, rate) - 60.0) < 0.1;
		}
		if (!ok) {
			fprintf(stderr, "built-in signal %s is not \"%s\"\n", name, sig->what);
		}
		ASSERT(ok);
		ASSERT_EQ(!strcmp(name, "calib"), sig->raw);
	}
	free(x[0]);
	free(x[1]);
	PASS();
}

/* What --expect prints, against an independent render of its check tone
 * through the plugin, measured here as the meter would: the RMS of the
 * second before, across the transducer's terminals. */
static int expect_case(const char *preset, const char *plugin, const char *extra, int bridged,
                       const char *probes_on, double *worst_dev, char *line, size_t len)
{
	char args[1024], err[2048];
	snprintf(args, sizeof(args), "-u %s --expect '%s' -c vfs=1.41 %s /tmp/tg-chk.wav", plugin,
	         preset, extra);
	if (run_cli(args, err, sizeof(err)) != 0) {
		fprintf(stderr, "tguard-render %s: %s\n", args, err);
		return -1;
	}
	char *const out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	const double f = printed(out, "check tone:               ");
	const double at10 = printed(out, "after 10 s:             ");
	const double at60 = printed(out, "after 60 s:             ");
	const double highest = printed(out, "highest at any time:      ");
	const double never = printed(out, "never more than:          ");
	char want_probes[64];
	snprintf(want_probes, sizeof(want_probes), "probes on %s.", probes_on);
	const int probes = out && strstr(out, want_probes);
	free(out);
	snprintf(args, sizeof(args), "-u %s -p '%s' -c vfs=1.41 %s /tmp/tg-chk.wav /tmp/tg-chk-out.wav",
	         plugin, preset, extra);
	Wav tone, w;
	if (!probes || run_cli(args, err, sizeof(err)) != 0 || wav_read(tp("/tmp/tg-chk.wav"), &tone) != 0) {
		fprintf(stderr, "tguard-render %s: %s%s\n", args, err, probes ? "" : " (probes)");
		return -1;
	}
	/* A sine of amplitude 1: its samples need not reach the crest. */
	const int tone_ok = fabs(tg_rms(tone.x[0], tone.n) * sqrt(2.0) - 1.0) < 1e-4 &&
	                    fabs(tone_hz(tone.x[0], tone.n, tone.rate) - f) < 0.05 && tone.n == (uint64_t)(60.0 * tone.rate);
	wav_free(&tone);
	if (!tone_ok || wav_read(tp("/tmp/tg-chk-out.wav"), &w) != 0) {
		fprintf(stderr, "%s: the check tone is not a %.0f Hz sine at 0 dBFS, or no render\n",
		        preset, f);
		return -1;
	}
	/* The transducer's terminals. */
	float *d = w.x[0];
	if (bridged) {
		for (uint64_t i = 0; i < w.n; ++i) {
			d[i] = w.x[0][i] - w.x[1][i];
		}
	} else if (w.ch == 2 && tg_rms(w.x[1], w.n) > tg_rms(w.x[0], w.n)) {
		d = w.x[1];
	}
	const uint64_t sec = (uint64_t)w.rate;
	double high = 0.0;
	for (uint64_t end = sec; end <= w.n; end += sec / 20) {
		high = fmax(high, span_rms(d, end - sec, end) * 1.41);
	}
	const double r10 = span_rms(d, 9 * sec, 10 * sec) * 1.41;
	const double r60 = span_rms(d, 59 * sec, 60 * sec) * 1.41;
	/* The guarantee's bound on it: a sine whose true peak is at most the
	 * peak limit, in volts across the transducer. */
	TgHost *const host = tg_host_new(BUNDLE);
	char herr[512];
	double bound = NAN;
	if (host && tg_host_load(host, plugin, 48000.0, herr, sizeof(herr)) == TG_HOST_OK &&
	    tg_host_apply_preset(host, preset, herr, sizeof(herr)) == TG_HOST_OK) {
		const double z = tg_host_get(host, "z_ohm"), vp = tg_host_get(host, "v_peak");
		const double vpk = fmin(fmin(tg_host_get(host, "i_peak_ma") * 1e-3 * z, vp),
		                        (bridged ? 2.0 : 1.0) * 1.41);
		bound = vpk / sqrt(2.0) * pow(10.0, TG_MTP_TOL_DB / 20.0);
	}
	tg_host_free(host);
	wav_free(&w);
	const double dev = fmax(fmax(fabs(at10 / r10 - 1.0), fabs(at60 / r60 - 1.0)),
	                        fmax(fabs(highest / high - 1.0), fabs(never / (1.05 * high) - 1.0)));
	*worst_dev = fmax(*worst_dev, dev);
	snprintf(line, len,
	         "%-44s %5.0f Hz: printed %.4f / %.4f / highest %.4f V, rendered %.4f / %.4f / %.4f V, "
	         "bound %.4f V",
	         preset, f, at10, at60, highest, r10, r60, high, bound);
	return dev < 0.01 && high <= bound ? 0 : 1;
}

TEST expect_figures_match_renders(void)
{
	TgHost *const host = tg_host_new(BUNDLE);
	char err[512];
	ASSERT(tg_host_load(host, "urn:tguard:stereo", 48000.0, err, sizeof(err)) == TG_HOST_OK);
	TgPresetList list;
	tg_ref_preset_labels(host, &list);
	tg_host_free(host);
	ASSERT(list.n >= 8);
#ifdef TG_NO_RTCHECK
	list.n = 2; /* the sanitizer build: two presets are enough */
#endif
	double worst = 0.0;
	char line[512];
	for (unsigned p = 0; p < list.n; ++p) {
		line[0] = 0;
		const int rc = expect_case(list.labels[p], "urn:tguard:stereo", "", 0, "tip and sleeve",
		                           &worst, line, sizeof(line));
		printf("%s\n", line);
		ASSERT_EQ(0, rc);
	}
	static const struct {
		const char *preset, *plugin, *extra;
		int bridged;
		const char *probes;
	} more[] = {
	    {"Dynamic microphone as speaker", "urn:tguard:stereo", "-c wiring=1", 1, "tip and ring"},
	    {"Earbud driver (16 ohm)", "urn:tguard:stereo", "-c wiring=1 -c mono=0", 1, "tip and ring"},
	    {"Dynamic microphone as speaker", "urn:tguard:mono", "", 0, "tip and sleeve"},
	    {"Loudspeaker on a mic or combo jack (8 ohm)", "urn:tguard:sum", "", 0, "tip and sleeve"},
	    {"Earbud driver (16 ohm)", "urn:tguard:stereo", "-c route=2", 0, "ring and sleeve"},
	};
	for (size_t k = 0; k < sizeof(more) / sizeof(more[0]); ++k) {
		line[0] = '\0';
		const int rc = expect_case(more[k].preset, more[k].plugin, more[k].extra, more[k].bridged,
		                           more[k].probes, &worst, line, sizeof(line));
		printf("%s %s\n", line, more[k].extra);
		ASSERT_EQ(0, rc);
	}
	printf("--expect against renders: worst deviation %.2e\n", worst);
	/* An unknown preset: exit 3, one line, no file. */
	unlink(tp("/tmp/tg-chk.wav"));
	ASSERT_EQ(3, run_cli("--expect no-such-preset /tmp/tg-chk.wav", err, sizeof(err)));
	ASSERT(strstr(err, "unknown preset") && strchr(err, '\n') == strrchr(err, '\n'));
	ASSERT(!file_exists(tp("/tmp/tg-chk.wav")));
	unlink(tp("/tmp/tg-chk.wav"));
	unlink(tp("/tmp/tg-chk-out.wav"));
	PASS();
}

/* --check and the report judge the voltage across the transducer when it
 * is wired tip-ring: a file whose outputs are each within the limits but
 * opposite breaks them across both. */
TEST tip_ring_check_across(void)
{
	char err[2048];
	/* Antiphase, kept as stereo, each output at the earbud's ceiling. */
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 -c mono=0 -c volume_db=12 -c ramp_s=0.1 "
	                     "--signal antiphase:2 /tmp/tg-anti.wav",
	                     err, sizeof(err)));
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 --check /tmp/tg-anti.wav", err,
	                     sizeof(err)));
	ASSERT_EQ(9, run_cli("-p urn:tguard:preset:earbud-16 -c wiring=1 --check /tmp/tg-anti.wav",
	                     err, sizeof(err)));
	ASSERT(strstr(err, "over the limit") != NULL);
	/* The same through tip-ring: the plugin keeps it. */
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 -c wiring=1 -c mono=0 -c volume_db=12 "
	                     "-c ramp_s=0.1 --signal antiphase:2 /tmp/tg-anti.wav",
	                     err, sizeof(err)));
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 -c wiring=1 --check /tmp/tg-anti.wav", err,
	                     sizeof(err)));
	char *out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	int ok = out && strstr(out, "wiring:                   tip-ring") &&
	         strstr(out, "result:                   pass");
	free(out);
	ASSERT(ok);
	/* The voltage limit across: v_peak 2 V, each output 1 V at most:
	 * -13.98 dBFS at 10 V full scale less 6.02 dB. */
	ASSERT_EQ(0, run_cli(VP_SETS "-c v_peak=2 -c wiring=1 --report --signal sine1k:1 /tmp/tg-vp.wav",
	                     err, sizeof(err)));
	out = tg_ref_read_file(tp("/tmp/tg-cli-out.txt"));
	const double peak_v = printed(out, "peak voltage:             ");
	ok = out && strstr(out, "sample ceiling:           -20.00 dBFS") &&
	     strstr(out, "(limit 250.000 mA)") && strstr(out, "wiring:                   tip-ring");
	if (!ok && out) {
		fprintf(stderr, "%s", out);
	}
	free(out);
	ASSERT(ok);
	ASSERT(peak_v > 1.8 && peak_v <= 2.0 * pow(10.0, TG_MTP_TOL_DB / 20.0));
	ASSERT_EQ(0, run_cli(VP_SETS "-c v_peak=2 -c wiring=1 --check /tmp/tg-vp.wav", err, sizeof(err)));
	ASSERT_EQ(9, run_cli(VP_SETS "-c v_peak=1.5 -c wiring=1 --check /tmp/tg-vp.wav", err,
	                     sizeof(err)));
	/* Only the stereo plugin has the control: one output cannot be across two. */
	ASSERT_EQ(6, run_cli("-u urn:tguard:mono -c wiring=1 --signal sine1k:0.1 /tmp/tg-vp.wav", err,
	                     sizeof(err)));
	ASSERT_EQ(6, run_cli("-u urn:tguard:sum -c wiring=1 --signal sine1k:0.1 /tmp/tg-vp.wav", err,
	                     sizeof(err)));
	unlink(tp("/tmp/tg-anti.wav"));
	unlink(tp("/tmp/tg-vp.wav"));
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
	RUN_TEST(cli_pipewire_config);
	RUN_TEST(cli_pipewire_target);
	RUN_TEST(cli_check_file);
	RUN_TEST(cli_v_peak_report_and_check);
	RUN_TEST(calib_tone_is_raw_and_as_documented);
	RUN_TEST(calib_procedure_recovers_vfs);
	RUN_TEST(builtin_signals_match_descriptions);
	RUN_TEST(expect_figures_match_renders);
	RUN_TEST(tip_ring_check_across);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/tg-render-XXXXXX");
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "cannot make a temporary folder\n");
		return 1;
	}
	n_cases = tg_ref_cases(BUNDLE, NULL, 0);
	cases = calloc(n_cases, sizeof(TgRefCase));
	tg_ref_cases(BUNDLE, cases, n_cases);
	printf("%u regression renders\n", n_cases);
	RUN_SUITE(regression_suite);
	RUN_SUITE(host_suite);
	free(cases);
	char rm[128];
	snprintf(rm, sizeof(rm), "rm -rf '%s'", tmp_dir);
	if (system(rm) != 0) {
		fprintf(stderr, "cannot remove %s\n", tmp_dir);
	}
	GREATEST_MAIN_END();
}
