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

#include "analysis.h"
#include "references.h"
#include "rtcheck.h"

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
	char *out = tg_ref_read_file("/tmp/tg-cli-out.txt");
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
	out = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(out != NULL);
	ok = strstr(out, "plugin  = \"urn:tguard:sum\"") && strstr(out, "audio.position = [ MONO ]") &&
	     strstr(out, "audio.position = [ FL FR ]") && !strstr(out, " route ") &&
	     strstr(out, "\n                            v_peak       = 15\n") && balanced(out);
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
	char *out = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(out != NULL);
	int ok = strstr(out, PW_PLACEHOLDER) && strstr(out, PW_INSTRUCTION);
	free(out);
	ASSERTm("placeholder or instruction missing without --target", ok);
	ASSERT_EQ(0, run_cli("--pipewire urn:tguard:preset:dynamic-mic:mono -c vfs=1.41 "
	                     "--target alsa_output.pci-0000_00_1f.3.analog-stereo",
	                     err, sizeof(err)));
	out = tg_ref_read_file("/tmp/tg-cli-out.txt");
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
		unlink("/tmp/tg-cli.wav");
		const int rc = run_cli(bad[i], err, sizeof(err));
		out = tg_ref_read_file("/tmp/tg-cli-out.txt");
		ok = rc == 1 && strstr(err, "--target") && strchr(err, '\n') == strrchr(err, '\n') &&
		     out && !out[0] && !file_exists("/tmp/tg-cli.wav");
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
	char *out = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(out != NULL);
	int ok = strstr(out, "peak current:") && strstr(out, "(limit 45.000 mA)") &&
	         strstr(out, "result:                   pass");
	free(out);
	ASSERT(ok);
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:earbud-16 --check /tmp/tg-chk.wav --report=json",
	                     err, sizeof(err)));
	out = tg_ref_read_file("/tmp/tg-cli-out.txt");
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
	unlink("/tmp/tg-chk.wav");
	unlink("/tmp/tg-hot.wav");
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
	char *out = tg_ref_read_file("/tmp/tg-cli-out.txt");
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
	out = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(out != NULL);
	ok = strstr(out, "\"peak_limit_ma\": 250.0000") && strstr(out, "\"v_peak\": 2.0000") &&
	     strstr(out, "\"ceiling_dbfs\": -13.98") && strstr(out, "\"peak_v\": ");
	free(out);
	ASSERT(ok);
	/* The file keeps 2 V; it breaks 1 V, and --check says it is the voltage. */
	ASSERT_EQ(0, run_cli(VP_SETS "-c v_peak=2 --check /tmp/tg-vp.wav", err, sizeof(err)));
	out = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(out != NULL);
	ok = strstr(out, "V (limit 2.0000 V)") && strstr(out, "result:                   pass");
	free(out);
	ASSERT(ok);
	ASSERT_EQ(9, run_cli(VP_SETS "-c v_peak=1 --check /tmp/tg-vp.wav", err, sizeof(err)));
	/* The voltage limit binds as a current limit too (1 V / 8 ohm). */
	ASSERT((strstr(err, "peak voltage") && strstr(err, "over the limit 1.0000 V")) ||
	       strstr(err, "over the limit 125.0000 mA"));
	ASSERT(strchr(err, '\n') == strrchr(err, '\n'));
	/* The piezo preset states 15 V: its peak current limit is 15 V / 800
	 * ohm = 18.75 mA, under its 19 mA i_peak_ma. */
	ASSERT_EQ(0, run_cli("-p urn:tguard:preset:piezo-disc --check /tmp/tg-vp.wav", err,
	                     sizeof(err)));
	out = tg_ref_read_file("/tmp/tg-cli-out.txt");
	ASSERT(out != NULL);
	ok = strstr(out, "(limit 18.750 mA)") && strstr(out, "V (limit 15.0000 V)");
	free(out);
	ASSERT(ok);
	unlink("/tmp/tg-vp.wav");
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
