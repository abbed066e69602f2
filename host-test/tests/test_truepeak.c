/* tguard true-peak tests: the measure itself (host-test/lib/analysis.c), then
 * the limiter through the built bundle (lilv host): the reconstructed peak
 * of its output against the ceiling, for every factory preset and the
 * defaults, at 44.1, 48 and 96 kHz, on signals whose waveform between the
 * samples rises over the samples; transparency under the ceiling; the
 * latency. Run from the source tree (make check). */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "greatest.h"
#include "tg_test.h"
#include "tg_assert.h"

#include "analysis.h"
#include "filter.h"
#include "host.h"
#include "references.h"
#include "render.h"
#include "signals.h"


#define OS TG_MTP_OVERSAMPLE

static double db(double ratio) { return 20.0 * log10(ratio); }

/* ---- the measure ---- */

/* The worst reading, in dB against the amplitude, of a sine at freq (in
 * units of the rate) over 64 starting phases, and the worst sample peak.
 * The measured range leaves 1024 frames of context at each end. */
static void sine_reading(double freq, double *worst_db, double *worst_sample_db)
{
	enum { N = 8192 };
	static float x[N];
	const double amp = 0.5;
	*worst_db = 0.0;
	*worst_sample_db = 0.0;
	for (int ph = 0; ph < 64; ++ph) {
		for (uint32_t i = 0; i < N; ++i) {
			x[i] = (float)(amp * sin(2.0 * M_PI * freq * (double)i + 2.0 * M_PI * ph / 64.0));
		}
		TgTpMeasure tp;
		tg_true_peak_range(x, N, 1024, N - 1024, OS, INFINITY, &tp);
		const double e = db(tp.peak / amp), es = db(tp.sample_peak / amp);
		*worst_db = fabs(e) > fabs(*worst_db) ? e : *worst_db;
		*worst_sample_db = es < *worst_sample_db ? es : *worst_sample_db;
	}
}

TEST measure_sines_read_their_amplitude(void)
{
	static const struct {
		const char *what;
		double freq; /* in units of the rate */
	} tones[] = {
		{"1 kHz at 48 kHz", 1000.0 / 48000.0}, {"1 kHz at 44.1 kHz", 1000.0 / 44100.0},
		{"fs/4", 0.25},                        {"0.45 fs", 0.45},
		{"0.49 fs", 0.49},                     {"0.495 fs", 0.495},
	};
	for (size_t t = 0; t < sizeof(tones) / sizeof(tones[0]); ++t) {
		double e, es;
		sine_reading(tones[t].freq, &e, &es);
		printf("measure: sine %-18s reads %+.4f dB (worst of 64 phases); samples down to %+.3f dB\n",
		       tones[t].what, e, es);
		TG_ASSERT_NEARm(tones[t].what, 0.0, e, 0.01);
	}
	PASS();
}

TEST measure_fs4_45_degrees(void)
{
	enum { N = 4096 };
	static float x[N];
	for (uint32_t i = 0; i < N; ++i) {
		x[i] = (float)(0.5 * sin(M_PI / 2.0 * (double)i + M_PI / 4.0));
	}
	TgTpMeasure tp;
	ASSERT_EQ(0, tg_true_peak_range(x, N, 512, N - 512, OS, INFINITY, &tp));
	printf("measure: fs/4 at 45 degrees: sample peak %+.3f dB, true peak %+.4f dB (at phase "
	       "%u/%u), sample peak %.3f dB under it\n",
	       db(tp.sample_peak / 0.5), db(tp.peak / 0.5), tp.phase, OS, db(tp.peak / tp.sample_peak));
	TG_ASSERT_NEAR(-3.0103, db(tp.sample_peak / 0.5), 0.001);
	TG_ASSERT_NEAR(0.0, db(tp.peak / 0.5), 0.01);
	TG_ASSERT_NEAR(3.0103, db(tp.peak / tp.sample_peak), 0.01);
	/* The crest is half-way between two samples. */
	ASSERT_EQ(OS / 2, tp.phase);
	PASS();
}

/* The FFT convolution against the plain sums of the taps, in double. */
TEST measure_matches_direct_sums(void)
{
	enum { N = 5000 }; /* several FFT blocks, and both edges */
	static float x[N];
	TgRng rng;
	tg_rng_seed(&rng, 11);
	for (uint32_t i = 0; i < N; ++i) {
		x[i] = tg_rng_uniform(&rng);
	}
	double *const y = malloc((size_t)N * OS * sizeof(double));
	double *const taps = malloc(TG_MTP_TAPS * sizeof(double));
	ASSERT(y != NULL && taps != NULL);
	ASSERT_EQ(0, tg_true_peak_upsample(x, N, OS, y));
	double worst = 0.0, peak = 0.0;
	for (unsigned p = 0; p < OS; ++p) {
		tg_true_peak_taps(OS, p, taps);
		double dc = 0.0;
		for (int k = 0; k < TG_MTP_TAPS; ++k) {
			dc += taps[k];
		}
		TG_ASSERT_NEARm("phase not normalised to unity DC gain", 1.0, dc, 1e-12);
		for (int64_t i = 0; i < N; ++i) {
			double v = 0.0;
			for (int64_t k = 0; k < TG_MTP_TAPS; ++k) {
				const int64_t j = i + TG_MTP_TAPS / 2 - k;
				v += j >= 0 && j < N ? taps[k] * (double)x[j] : 0.0;
			}
			const double got = y[(size_t)i * OS + p];
			worst = fmax(worst, fabs(got - v));
			peak = fmax(peak, fabs(got));
			if (p == 0) {
				ASSERT_EQ_FMT((double)x[i], got, "%.9g"); /* the samples, exactly */
			}
		}
	}
	const double tpk = tg_true_peak(x, N, OS);
	free(y);
	free(taps);
	printf("measure: FFT convolution vs direct sums of the %d taps: worst difference %.2g "
	       "(full scale 1)\n",
	       TG_MTP_TAPS, worst);
	ASSERT(worst < 1e-5);
	ASSERT_EQ_FMT(peak, tpk, "%.9g");
	PASS();
}

/* x[n] = A sign(sinc(n - n0 - 1/2)) for |n - n0| < K: every sample adds to
 * the waveform at n0 + 1/2, whose ideal value is A sum |sinc(n - n0 - 1/2)|. */
static void worst_case_pattern(float *x, uint64_t n0, int K, double amp)
{
	for (int m = -K + 1; m < K; ++m) {
		const double t = (double)m - 0.5;
		x[(int64_t)n0 + m] = (float)(sin(M_PI * t) / (M_PI * t) > 0.0 ? amp : -amp);
	}
}

static double worst_case_ideal(int K, double amp)
{
	double s = 0.0;
	for (int m = -K + 1; m < K; ++m) {
		const double t = (double)m - 0.5;
		s += fabs(sin(M_PI * t) / (M_PI * t));
	}
	return amp * s;
}

TEST measure_worst_case_patterns(void)
{
	enum { N = 4096 };
	static float x[N];
	for (int K = 8; K <= 32; K *= 2) {
		memset(x, 0, sizeof(x));
		worst_case_pattern(x, N / 2, K, 0.25);
		const double ideal = worst_case_ideal(K, 0.25);
		TgTpMeasure tp;
		ASSERT_EQ(0, tg_true_peak_range(x, N, 0, N, OS, INFINITY, &tp));
		printf("measure: pattern K = %2d: ideal true peak %+.2f dB over its samples, read %+.2f dB "
		       "(%+.4f dB from the ideal), at frame %llu + %u/%u\n",
		       K, db(ideal / 0.25), db(tp.peak / 0.25), db(tp.peak / ideal),
		       (unsigned long long)(tp.at - N / 2), tp.phase, OS);
		TG_ASSERT_NEAR(0.0, db(tp.peak / ideal), K <= 16 ? 0.02 : 0.06);
		ASSERT_EQ_FMT((unsigned long long)(N / 2), (unsigned long long)tp.at, "%llu");
		ASSERT_EQ(OS / 2, tp.phase);
	}
	PASS();
}

TEST measure_edges_faults_and_crossings(void)
{
	/* Nothing, and one sample: its own peak (sinc peaks at 0). */
	static float x[2048];
	ASSERT_EQ_FMT(0.0, tg_true_peak(x, 0, OS), "%g");
	x[0] = 0.5f;
	TG_ASSERT_NEAR(0.5, tg_true_peak(x, 1, OS), 1e-6);
	/* Non-finite samples count as 0. */
	x[1] = (float)NAN;
	x[2] = (float)INFINITY;
	TG_ASSERT_NEAR(0.5, tg_true_peak(x, 3, OS), 1e-6);
	/* The first frame whose interval holds a value over the threshold: a
	 * burst of fs/4 at 45 degrees from frame 1000, whose samples stay under
	 * 0.36 and whose waveform reaches 0.5 in [1000, 1001) already. */
	memset(x, 0, sizeof(x));
	for (uint32_t i = 1000; i < 1400; ++i) {
		x[i] = (float)(0.5 * sin(M_PI / 2.0 * (double)i + M_PI / 4.0));
	}
	TgTpMeasure tp;
	ASSERT_EQ(0, tg_true_peak_range(x, 2048, 0, 2048, OS, 0.45, &tp));
	printf("measure: an fs/4 burst at frame 1000: first over 0.45 in frame %llu, peak %.4f at "
	       "%llu + %u/%u, samples %.4f\n",
	       (unsigned long long)tp.first_over, tp.peak, (unsigned long long)tp.at, tp.phase, OS,
	       tp.sample_peak);
	ASSERT(tp.sample_peak < 0.36);
	ASSERT(tp.first_over >= 999 && tp.first_over <= 1002);
	ASSERT(tp.peak > 0.49);
	/* A range sees its context: a sine measured inside reads its amplitude,
	 * where cut out of its surroundings (zeros around) it would ring. */
	for (uint32_t i = 0; i < 2048; ++i) {
		x[i] = (float)(0.5 * sin(2.0 * M_PI * 0.31 * (double)i));
	}
	ASSERT_EQ(0, tg_true_peak_range(x, 2048, 700, 900, OS, INFINITY, &tp));
	const double inside = tp.peak;
	const double cut = tg_true_peak(x + 700, 200, OS);
	printf("measure: 200 frames of a 0.31 fs sine: %+.4f dB in context, %+.4f dB cut out\n",
	       db(inside / 0.5), db(cut / 0.5));
	TG_ASSERT_NEAR(0.0, db(inside / 0.5), 0.01);
	PASS();
}

SUITE(measure_suite)
{
	char method[128];
	tg_true_peak_method(OS, method, sizeof(method));
	printf("true peak: %s\n", method);
	RUN_TEST(measure_sines_read_their_amplitude);
	RUN_TEST(measure_fs4_45_degrees);
	RUN_TEST(measure_matches_direct_sums);
	RUN_TEST(measure_worst_case_patterns);
	RUN_TEST(measure_edges_faults_and_crossings);
}

/* ---- the limiter's reconstructed peak ----
 *
 * Every case is rendered at each rate through each configuration: the
 * defaults with the filters on, the defaults with them off, and every
 * factory preset of the stereo plugin; each with the RMS stage out of the
 * way (i_rms_ma at its maximum) and with the configuration's own RMS
 * limit. The soft start is at its shortest (0.1 s); the first 0.3 s are
 * not judged, and the last 10 ms are context only. Each render is judged
 * against the ceiling c = min(1, i_peak z / vfs, v_peak / vfs). */

#define SKIP_S 0.3
#define MEASURE_S 0.5
#define CONTEXT_S 0.01
#define OVER_DB 12.0 /* drive over the ceiling */

static const double RATES[] = {44100.0, 48000.0, 96000.0};
#define N_RATES (sizeof(RATES) / sizeof(RATES[0]))

typedef enum {
	SIG_FS4_45,
	SIG_045,
	SIG_049,
	SIG_SQUARE50,
	SIG_WHITE,
	SIG_PINK,
	SIG_K8,
	SIG_K16,
	SIG_K32,
	SIG_SINE1K,
	N_SIGS
} SigId;

static const char *const SIG_NAMES[N_SIGS] = {
	"fs/4 at 45 deg", "0.45 fs",      "0.49 fs",      "square 50 Hz", "white noise",
	"pink noise",     "pattern K=8", "pattern K=16", "pattern K=32", "1 kHz 0 dBFS",
};

static const char *const SIG_SLUGS[N_SIGS] = {
	"fs4_45deg", "tone_045fs", "tone_049fs", "square50",  "white",
	"pink",      "pattern_k8", "pattern_k16", "pattern_k32", "sine1k_0dbfs",
};

#define MAX_CONFIGS 34
enum { RMS_OPEN, RMS_OWN, N_RMS };

typedef struct {
	double ceiling;
	double sample_db, true_db; /* over the ceiling */
	int rendered;
} Result;

typedef struct {
	unsigned n_configs;
	char labels[MAX_CONFIGS][96]; /* "" for the defaults */
	int filters_off[MAX_CONFIGS];
	Result r[N_SIGS][N_RATES][MAX_CONFIGS][N_RMS];
	int done, failed_setup;
	double seconds;
} Grid;

static Grid grid;

static void config_name(unsigned k, char *buf, size_t len)
{
	if (grid.labels[k][0]) {
		snprintf(buf, len, "%s", grid.labels[k]);
	} else {
		snprintf(buf, len, "defaults, filters %s", grid.filters_off[k] ? "off" : "on");
	}
}

/* The input of one case at amplitude amp (the ceiling times OVER_DB). */
static void make_signal(SigId sig, double rate, double amp, float *x, uint32_t n)
{
	memset(x, 0, n * sizeof(float));
	switch (sig) {
	case SIG_FS4_45:
		for (uint32_t i = 0; i < n; ++i) {
			x[i] = (float)(amp * sin(M_PI / 2.0 * (double)i + M_PI / 4.0));
		}
		break;
	case SIG_045:
		tg_sig_sine(x, n, rate, 0.45 * rate, amp, 0.3);
		break;
	case SIG_049:
		tg_sig_sine(x, n, rate, 0.49 * rate, amp, 0.3);
		break;
	case SIG_SQUARE50:
		tg_sig_square(x, n, rate, 50.0, amp);
		break;
	case SIG_WHITE: {
		/* Uniform, RMS amp. */
		TgRng rng;
		tg_rng_seed(&rng, 41);
		for (uint32_t i = 0; i < n; ++i) {
			x[i] = (float)(amp * sqrt(3.0) * (double)tg_rng_uniform(&rng));
		}
		break;
	}
	case SIG_PINK:
		tg_sig_pink(x, n, amp, 43);
		break;
	case SIG_K8:
	case SIG_K16:
	case SIG_K32: {
		const int K = sig == SIG_K8 ? 8 : sig == SIG_K16 ? 16 : 32;
		for (double at = 0.15; (at * rate) + K < n; at += 0.2) {
			worst_case_pattern(x, (uint64_t)(at * rate), K, amp);
		}
		break;
	}
	case SIG_SINE1K:
		tg_sig_sine(x, n, rate, 1000.0, 1.0, 0.0);
		break;
	case N_SIGS:
		break;
	}
}

/* c = min(1, i_peak z / vfs, v_peak / vfs); v_peak is 100 V where the
 * plugin has no such control. */
static double ceiling_of(const TgHost *host)
{
	const double vfs = tg_host_get(host, "vfs"), z = tg_host_get(host, "z_ohm");
	const double i_peak = tg_host_get(host, "i_peak_ma") * 1e-3;
	double v_peak = tg_host_get(host, "v_peak");
	v_peak = isnan(v_peak) ? 100.0 : v_peak;
	return fmin(1.0, fmin(i_peak * z / vfs, v_peak / vfs));
}

static TgHost *load_config(double rate, unsigned k)
{
	TgHost *const host = tg_host_new(BUNDLE);
	char err[1024];
	if (!host || tg_host_load(host, "urn:tguard:stereo", rate, err, sizeof(err)) != TG_HOST_OK ||
	    (grid.labels[k][0] &&
	     tg_host_apply_preset(host, grid.labels[k], err, sizeof(err)) != TG_HOST_OK)) {
		fprintf(stderr, "%s\n", host ? err : "no host");
		tg_host_free(host);
		return NULL;
	}
	tg_host_set(host, "ramp_s", 0.1f);
	if (grid.filters_off[k]) {
		tg_host_set(host, "hpf_order", 0.0f);
		tg_host_set(host, "lpf_order", 0.0f);
	}
	return host;
}

/* The reconstructed and the sample peak of the louder output channel over
 * [from, to), the rest of the render as context. */
static void measure(float *const *out, uint32_t n_out, uint64_t n, uint64_t from, uint64_t to,
                    double *tpeak, double *speak)
{
	*tpeak = 0.0;
	*speak = 0.0;
	for (uint32_t ch = 0; ch < n_out; ++ch) {
		if (ch > 0 && memcmp(out[0], out[ch], n * sizeof(float)) == 0) {
			continue; /* the same signal (mono sum, both outputs) */
		}
		TgTpMeasure tp;
		if (tg_true_peak_range(out[ch], n, from, to, OS, INFINITY, &tp) == 0) {
			*tpeak = fmax(*tpeak, tp.peak);
			*speak = fmax(*speak, tp.sample_peak);
		}
	}
}

static void print_grid(void)
{
	printf("\nlimiter: peak over the ceiling c = min(1, i_peak z/vfs, v_peak/vfs), dB, from %.1f s "
	       "to %.1f s after the start (ramp 0.1 s), input %+.0f dB over c (1 kHz: 0 dBFS);\n"
	       "each cell: sample peak / true peak (16x); '!' = true peak over c by more than %g dB\n",
	       SKIP_S, SKIP_S + MEASURE_S, OVER_DB, TG_MTP_TOL_DB);
	printf("%-15s %-34s %-4s", "case", "preset", "RMS");
	for (size_t r = 0; r < N_RATES; ++r) {
		printf(" | %9.1f kHz     ", RATES[r] / 1000.0);
	}
	printf("\n");
	for (int sig = 0; sig < N_SIGS; ++sig) {
		for (unsigned k = 0; k < grid.n_configs; ++k) {
			for (int m = 0; m < N_RMS; ++m) {
				char name[96];
				config_name(k, name, sizeof(name));
				printf("%-15s %-34.34s %-4s", SIG_NAMES[sig], name, m == RMS_OPEN ? "open" : "own");
				for (size_t r = 0; r < N_RATES; ++r) {
					const Result *const res = &grid.r[sig][r][k][m];
					if (!res->rendered) {
						printf(" |  (no render)     ");
						continue;
					}
					printf(" | %+7.2f %+7.2f%s", res->sample_db, res->true_db,
					       res->true_db > TG_MTP_TOL_DB ? " !" : "  ");
				}
				printf("\n");
			}
		}
	}
	printf("(%u configurations x %zu rates x 2 RMS settings x %d cases rendered and measured in "
	       "%.1f s)\n\n",
	       grid.n_configs, N_RATES, N_SIGS, grid.seconds);
}

/* Render and measure everything once; the tests below judge the grid. */
static void ensure_grid(void)
{
	if (grid.done) {
		return;
	}
	grid.done = 1;
	const clock_t t0 = clock();
	/* The configurations: the defaults twice, then the presets, listed
	 * from the bundle as references.c does. */
	TgPresetList presets;
	presets.n = 0;
	TgHost *const probe = tg_host_new(BUNDLE);
	char err[1024];
	if (!probe || tg_host_load(probe, "urn:tguard:stereo", 48000.0, err, sizeof(err)) != TG_HOST_OK) {
		fprintf(stderr, "cannot load urn:tguard:stereo from %s\n", BUNDLE);
		grid.failed_setup = 1;
		tg_host_free(probe);
		return;
	}
	tg_ref_preset_labels(probe, &presets);
	tg_host_free(probe);
	grid.n_configs = 2;
	grid.filters_off[1] = 1;
	for (unsigned p = 0; p < presets.n && grid.n_configs < MAX_CONFIGS; ++p) {
		snprintf(grid.labels[grid.n_configs++], sizeof(grid.labels[0]), "%s", presets.labels[p]);
	}
	for (size_t r = 0; r < N_RATES; ++r) {
		const double rate = RATES[r];
		const uint64_t n = (uint64_t)((SKIP_S + MEASURE_S + CONTEXT_S) * rate);
		const uint64_t from = (uint64_t)(SKIP_S * rate), to = (uint64_t)((SKIP_S + MEASURE_S) * rate);
		float *const in = malloc(n * sizeof(float));
		float *out[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		if (!in || !out[0] || !out[1]) {
			grid.failed_setup = 1;
			free(in);
			free(out[0]);
			free(out[1]);
			return;
		}
		for (unsigned k = 0; k < grid.n_configs; ++k) {
			TgHost *const host = load_config(rate, k);
			if (!host) {
				grid.failed_setup = 1;
				continue;
			}
			const double c = ceiling_of(host);
			const float own_rms = tg_host_get(host, "i_rms_ma");
			for (int sig = 0; sig < N_SIGS; ++sig) {
				make_signal((SigId)sig, rate, c * pow(10.0, OVER_DB / 20.0), in, (uint32_t)n);
				for (int m = 0; m < N_RMS; ++m) {
					tg_host_set(host, "i_rms_ma", m == RMS_OPEN ? 10000.0f : own_rms);
					TgReport rep;
					const float *const ins[1] = {in};
					if (tg_render(host, rate, ins, 1, n, out, &(TgRenderOpts){512, 1, 0}, &rep) !=
					    0) {
						grid.failed_setup = 1;
						continue;
					}
					double tpk, spk;
					measure(out, tg_host_n_audio_out(host), n, from, to, &tpk, &spk);
					Result *const res = &grid.r[sig][r][k][m];
					res->ceiling = c;
					res->sample_db = spk > 0.0 ? db(spk / c) : -999.0;
					res->true_db = tpk > 0.0 ? db(tpk / c) : -999.0;
					res->rendered = 1;
				}
			}
			tg_host_free(host);
		}
		free(in);
		free(out[0]);
		free(out[1]);
	}
	grid.seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
	print_grid();
}

/* One case: every rate, configuration and RMS setting. */
TEST limiter_true_peak(const void *sig_arg)
{
	const int sig = *(const int *)sig_arg;
	ensure_grid();
	ASSERT_FALSEm("the renders could not be set up", grid.failed_setup);
	static char msg[N_SIGS][320];
	double worst = -INFINITY, worst_sample = -INFINITY;
	unsigned over = 0, total = 0;
	char where[200] = "";
	for (size_t r = 0; r < N_RATES; ++r) {
		for (unsigned k = 0; k < grid.n_configs; ++k) {
			for (int m = 0; m < N_RMS; ++m) {
				const Result *const res = &grid.r[sig][r][k][m];
				ASSERTm("a render is missing", res->rendered);
				++total;
				over += res->true_db > TG_MTP_TOL_DB;
				worst_sample = fmax(worst_sample, res->sample_db);
				if (res->true_db > worst) {
					char name[96];
					config_name(k, name, sizeof(name));
					worst = res->true_db;
					snprintf(where, sizeof(where), "%.1f kHz, %s, RMS %s", RATES[r] / 1000.0, name,
					         m == RMS_OPEN ? "open" : "own");
				}
			}
		}
	}
	snprintf(msg[sig], sizeof(msg[sig]),
	         "%s: %u of %u renders over the ceiling by more than %g dB; worst true peak %+.2f dB "
	         "(%s); worst sample peak %+.4f dB",
	         SIG_NAMES[sig], over, total, TG_MTP_TOL_DB, worst, where, worst_sample);
	ASSERTm(msg[sig], worst_sample <= 1e-5);
	ASSERTm(msg[sig], over == 0);
	printf("%s\n", msg[sig]);
	PASS();
}

/* ---- the guard band's transition, at every rate and in every plugin ----
 *
 * Steady tones swept finely from 0.400 to 0.499 fs (every 0.003 fs, and
 * 0.445, 0.45, 0.455 and 0.46 fs), 12 dB over the ceiling, with the
 * low-pass off (the guard band at 0.45 fs alone), through the stereo, mono
 * and sum plugins at every rate from 22.05 to 192 kHz, with the RMS stage
 * out of the way and at its default. The true peak is
 * judged away from the render's start and end (a file that stops abruptly
 * is a truncated tone, whose reconstruction overshoots by itself). */
TEST limiter_true_peak_guard_band_sweep(void)
{
	static const double rates[] = {22050.0, 32000.0, 44100.0, 48000.0,
	                               88200.0, 96000.0, 176400.0, 192000.0};
	static const char *const uris[] = {"urn:tguard:stereo", "urn:tguard:mono", "urn:tguard:sum"};
	static const double extra[] = {0.445, 0.45, 0.455, 0.46};
	double worst_all = -INFINITY, worst_sample = -INFINITY;
	unsigned over = 0, total = 0;
	char where[160] = "";
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		const double rate = rates[r];
		const uint64_t n = (uint64_t)(0.25 * rate);
		const uint64_t from = (uint64_t)(0.15 * rate), to = (uint64_t)(0.24 * rate);
		float *const in = malloc(n * sizeof(float));
		float *out[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		ASSERT(in && out[0] && out[1]);
		double worst_rate = -INFINITY;
		for (size_t u = 0; u < 3; ++u) {
			TgHost *const host = tg_host_new(BUNDLE);
			char err[1024];
			ASSERT(host);
			ASSERT_EQ(TG_HOST_OK, tg_host_load(host, uris[u], rate, err, sizeof(err)));
			tg_host_set(host, "ramp_s", 0.1f);
			tg_host_set(host, "lpf_order", 0.0f);
			const double c = ceiling_of(host);
			const uint32_t n_in = tg_host_n_audio_in(host);
			for (int k = 0; k < 2 * (34 + 4); ++k) {
				/* The RMS stage out of the way, then at its default. */
				tg_host_set(host, "i_rms_ma", k < 34 + 4 ? 10000.0f : 10.0f);
				const int kf = k % (34 + 4);
				const double f = kf < 34 ? 0.400 + 0.003 * kf : extra[kf - 34];
				tg_sig_sine(in, (uint32_t)n, rate, f * rate, c * pow(10.0, OVER_DB / 20.0), 0.3);
				const float *const ins[2] = {in, in};
				TgReport rep;
				ASSERT_EQ(0, tg_render(host, rate, ins, n_in, n, out, &(TgRenderOpts){512, 1, 0},
				                       &rep));
				double tpk, spk;
				measure(out, tg_host_n_audio_out(host), n, from, to, &tpk, &spk);
				const double t_db = db(tpk / c), s_db = db(spk / c);
				++total;
				over += t_db > TG_MTP_TOL_DB;
				worst_sample = fmax(worst_sample, s_db);
				worst_rate = fmax(worst_rate, t_db);
				if (t_db > worst_all) {
					worst_all = t_db;
					snprintf(where, sizeof(where), "%.2f kHz, %s, %.3f fs", rate / 1000.0, uris[u] + 11,
					         f);
				}
			}
			tg_host_free(host);
		}
		printf("guard band sweep at %6.2f kHz (stereo, mono, sum; 0.400 to 0.499 fs; RMS open and "
		       "10 mA): worst true "
		       "peak %+.2f dB of the ceiling\n",
		       rate / 1000.0, worst_rate);
		free(in), free(out[0]), free(out[1]);
	}
	printf("guard band sweep: %u renders, %u over the ceiling by more than %g dB; worst true peak "
	       "%+.2f dB (%s), worst sample peak %+.4f dB\n",
	       total, over, TG_MTP_TOL_DB, worst_all, where, worst_sample);
	ASSERT(worst_sample <= 1e-5);
	ASSERT_EQ(0u, over);
	PASS();
}

/* ---- lowered limits ----
 *
 * Where a limit falls while the limiter is working, the frames already
 * gained are scaled with the gain computer, not clamped (limiter.c,
 * rebind): the sample ceiling binds from the next frame out, the
 * reconstructed output stays under the old ceiling for the first 1 ms and
 * under the new one from then on (each within TG_MTP_TOL_DB). Every way a
 * ceiling falls: i_peak_ma, v_peak and z_ohm lowered, vfs raised, a switch
 * to a preset with a lower ceiling, and a staircase of i_peak_ma x 0.7
 * every 250 ms; at 44.1, 48 and 96 kHz, in blocks of 512, 37 and random
 * sizes; on pink noise, a 50 Hz square and a tone at 0.4 fs driven 12 dB
 * into the ceiling. */
enum { FALL_IPEAK, FALL_VPEAK, FALL_Z, FALL_VFS, FALL_PRESET, FALL_STAIR, N_FALLS };
static const char *const FALL_NAMES[N_FALLS] = {"i_peak_ma lowered", "v_peak lowered",
                                                "z_ohm lowered",     "vfs raised",
                                                "preset switch",     "staircase"};

typedef struct {
	double in_db;    /* worst true peak in the first 1 ms, against the old ceiling */
	double after_db; /* worst true peak from 1 ms on, against the new one */
	double sample_db; /* worst sample peak after a change, against the new one */
} FallWorst;

/* The factory preset with the lowest ceiling (for the switch). */
static int lowest_preset(double rate, char *label, size_t len)
{
	TgPresetList presets;
	presets.n = 0;
	TgHost *const probe = tg_host_new(BUNDLE);
	char err[1024];
	if (!probe || tg_host_load(probe, "urn:tguard:stereo", rate, err, sizeof(err)) != TG_HOST_OK) {
		tg_host_free(probe);
		return -1;
	}
	tg_ref_preset_labels(probe, &presets);
	double lowest = INFINITY;
	for (unsigned p = 0; p < presets.n; ++p) {
		if (tg_host_apply_preset(probe, presets.labels[p], err, sizeof(err)) == TG_HOST_OK &&
		    ceiling_of(probe) < lowest) {
			lowest = ceiling_of(probe);
			snprintf(label, len, "%s", presets.labels[p]);
		}
	}
	tg_host_free(probe);
	return isfinite(lowest) ? 0 : -1;
}

/* One render: the stereo plugin at its defaults (RMS stage open), the
 * input x (both channels) through it in blocks of `block` (0: random 1 ..
 * 1024), the limits falling as `fall` says from 0.5 s on. */
static int fall_render(double rate, int fall, uint32_t block, const char *preset, const float *x,
                       uint64_t n, FallWorst *w)
{
	TgHost *const host = tg_host_new(BUNDLE);
	char err[1024];
	if (!host || tg_host_load(host, "urn:tguard:stereo", rate, err, sizeof(err)) != TG_HOST_OK) {
		tg_host_free(host);
		return -1;
	}
	tg_host_set(host, "ramp_s", 0.1f);
	tg_host_set(host, "i_rms_ma", 10000.0f);
	float *y[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	if (!y[0] || !y[1]) {
		free(y[0]), free(y[1]);
		tg_host_free(host);
		return -1;
	}
	enum { MAX_CHANGES = 8 };
	uint64_t at[MAX_CHANGES];
	double c_old[MAX_CHANGES], c_new[MAX_CHANGES];
	int n_changes = 0;
	TgRng rng;
	tg_rng_seed(&rng, 7);
	tg_host_activate(host);
	for (uint64_t pos = 0; pos < n;) {
		uint32_t m = block ? block : 1u + tg_rng_next(&rng) % 1024u;
		m = (uint64_t)m < n - pos ? m : (uint32_t)(n - pos);
		const int due = fall == FALL_STAIR ? pos >= (uint64_t)((0.5 + 0.25 * n_changes) * rate) &&
		                                         n_changes < 5
		                                   : pos >= (uint64_t)(0.5 * rate) && n_changes == 0;
		if (due) {
			const double before = ceiling_of(host);
			switch (fall) {
			case FALL_IPEAK:
				tg_host_set(host, "i_peak_ma", 12.0f);
				break;
			case FALL_VPEAK:
				tg_host_set(host, "v_peak", 0.4f);
				break;
			case FALL_Z:
				tg_host_set(host, "z_ohm", 12.0f);
				break;
			case FALL_VFS:
				tg_host_set(host, "vfs", 2.5f);
				break;
			case FALL_PRESET:
				tg_host_apply_preset(host, preset, err, sizeof(err));
				tg_host_set(host, "i_rms_ma", 10000.0f);
				break;
			default:
				tg_host_set(host, "i_peak_ma", 0.7f * tg_host_get(host, "i_peak_ma"));
				break;
			}
			at[n_changes] = pos; /* the next frame out */
			c_old[n_changes] = before;
			c_new[n_changes] = ceiling_of(host);
			++n_changes;
		}
		const float *const ins[2] = {x + pos, x + pos};
		float *outs[2] = {y[0] + pos, y[1] + pos};
		tg_host_run(host, ins, outs, m);
		pos += m;
	}
	tg_host_deactivate(host);
	tg_host_free(host);
	const uint64_t ms1 = (uint64_t)ceil(0.001 * rate), tail = (uint64_t)(0.01 * rate);
	for (int k = 0; k < n_changes; ++k) {
		const uint64_t a = at[k], b = a + ms1, e = k + 1 < n_changes ? at[k + 1] : n - tail;
		double t1, s1, t2, s2;
		measure(y, 2, n, a, b, &t1, &s1);
		measure(y, 2, n, b, e, &t2, &s2);
		w->in_db = fmax(w->in_db, db(t1 / c_old[k]));
		w->after_db = fmax(w->after_db, db(t2 / c_new[k]));
		w->sample_db = fmax(w->sample_db, db(fmax(s1, s2) / c_new[k]));
	}
	free(y[0]), free(y[1]);
	return n_changes > 0 ? 0 : -1;
}

TEST limiter_true_peak_after_lowered_limits(void)
{
	static const double rates[] = {44100.0, 48000.0, 96000.0};
	static const uint32_t blocks[] = {512, 37, 0};
	char preset[96];
	ASSERT_EQ(0, lowest_preset(48000.0, preset, sizeof(preset)));
	FallWorst all = {-INFINITY, -INFINITY, -INFINITY};
	for (int fall = 0; fall < N_FALLS; ++fall) {
		FallWorst wf = {-INFINITY, -INFINITY, -INFINITY};
		FallWorst cell[3][3];
		for (size_t r = 0; r < 3; ++r) {
			for (size_t b = 0; b < 3; ++b) {
				cell[r][b] = wf;
			}
		}
		for (size_t r = 0; r < 3; ++r) {
			const double rate = rates[r];
			const uint64_t n = (uint64_t)((fall == FALL_STAIR ? 1.8 : 0.8) * rate);
			float *const x = malloc(n * sizeof(float));
			ASSERT(x);
			/* 12 dB over the defaults' ceiling, 0.96. */
			const double amp = 0.96 * pow(10.0, OVER_DB / 20.0);
			for (int sig = 0; sig < 3; ++sig) {
				if (sig == 0) {
					tg_sig_pink(x, (uint32_t)n, amp / 4.0, 43);
				} else if (sig == 1) {
					tg_sig_square(x, (uint32_t)n, rate, 50.0, amp);
				} else {
					tg_sig_sine(x, (uint32_t)n, rate, 0.4 * rate, amp, 0.3);
				}
				for (size_t b = 0; b < 3; ++b) {
					ASSERT_EQ(0, fall_render(rate, fall, blocks[b], preset, x, n, &cell[r][b]));
				}
			}
			free(x);
		}
		/* From 1 ms on, against the new ceiling, by rate and block size. */
		printf("lowered limits, %-17s from 1 ms on (dB of the new ceiling; blocks 512 / 37 / "
		       "random):",
		       FALL_NAMES[fall]);
		for (size_t r = 0; r < 3; ++r) {
			printf(" %.1f kHz", rates[r] / 1000.0);
			for (size_t b = 0; b < 3; ++b) {
				printf("%s%+.2f", b ? " / " : " ", cell[r][b].after_db);
				wf.in_db = fmax(wf.in_db, cell[r][b].in_db);
				wf.after_db = fmax(wf.after_db, cell[r][b].after_db);
				wf.sample_db = fmax(wf.sample_db, cell[r][b].sample_db);
			}
			printf(r < 2 ? ";" : "\n");
		}
		printf("lowered limits, %-17s (44.1, 48, 96 kHz; blocks 512, 37, random): true peak in "
		       "the first 1 ms %+.3f dB of the old ceiling, from 1 ms on %+.3f dB of the new; "
		       "sample peak %+.4f dB of the new\n",
		       FALL_NAMES[fall], wf.in_db, wf.after_db, wf.sample_db);
		all.in_db = fmax(all.in_db, wf.in_db);
		all.after_db = fmax(all.after_db, wf.after_db);
		all.sample_db = fmax(all.sample_db, wf.sample_db);
	}
	printf("lowered limits (switch to \"%s\"): worst %+.3f dB of the old ceiling in the first "
	       "1 ms, %+.3f dB of the new from 1 ms on, sample peak %+.4f dB\n",
	       preset, all.in_db, all.after_db, all.sample_db);
	ASSERT(all.sample_db <= 1e-5);
	ASSERT(all.in_db <= TG_MTP_TOL_DB);
	ASSERT(all.after_db <= TG_MTP_TOL_DB);
	PASS();
}

SUITE(truepeak_limiter_suite)
{
	static int ids[N_SIGS];
	for (int sig = 0; sig < N_SIGS; ++sig) {
		ids[sig] = sig;
		greatest_set_test_suffix(SIG_SLUGS[sig]);
		RUN_TEST1(limiter_true_peak, &ids[sig]);
	}
	RUN_TEST(limiter_true_peak_guard_band_sweep);
	RUN_TEST(limiter_true_peak_after_lowered_limits);
}

/* ---- transparency under the ceiling, and the latency ---- */

typedef struct {
	uint32_t latency;
	double worst_gr_db;  /* over the blocks after the soft start */
	double ramp_done_s;  /* first block end with the ramp at 1 */
} RunInfo;

/* Run n frames of in (one channel, fed to both inputs) plus the latency
 * through host in blocks of 512, keeping the raw (delayed) output of the
 * first channel, n + latency frames, and the meters of each block. */
static float *run_raw(TgHost *host, double rate, const float *in, uint64_t n, RunInfo *info)
{
	enum { B = 512 };
	float ib[2][B], ob[2][B];
	const float *ins[2] = {ib[0], ib[1]};
	float *outs[2] = {ob[0], ob[1]};
	tg_host_activate(host);
	tg_host_run(host, ins, outs, 0);
	info->latency = (uint32_t)tg_host_get(host, "latency");
	info->worst_gr_db = 0.0;
	info->ramp_done_s = -1.0;
	const uint64_t total = n + info->latency;
	float *const y = malloc(total * sizeof(float));
	if (!y) {
		tg_host_deactivate(host);
		return NULL;
	}
	int ramp_done = 0;
	for (uint64_t pos = 0; pos < total; pos += B) {
		const uint32_t m = total - pos < B ? (uint32_t)(total - pos) : B;
		for (uint32_t i = 0; i < m; ++i) {
			ib[0][i] = ib[1][i] = pos + i < n ? in[pos + i] : 0.0f;
		}
		tg_host_run(host, ins, outs, m);
		memcpy(y + pos, ob[0], m * sizeof(float));
		if (ramp_done) {
			info->worst_gr_db = fmin(info->worst_gr_db, tg_host_get(host, "gr_db"));
		}
		if (!ramp_done && tg_host_get(host, "ramp") >= 1.0f) {
			ramp_done = 1;
			info->ramp_done_s = (double)(pos + m) / rate;
		}
	}
	tg_host_deactivate(host);
	return y;
}

TEST transparent_under_the_ceiling(void)
{
	const double rate = 48000.0;
	const uint64_t n = (uint64_t)(0.6 * rate);
	/* The defaults, with the RMS stage out of the way: a sine 1 dB under
	 * the default 0.96 ceiling drives 18.9 mA RMS into 32 ohm, over the
	 * default 10 mA thermal limit, which would rightly act. */
	TgHost *const lim = tg_host_new(BUNDLE);
	TgHost *const open = tg_host_new(BUNDLE);
	char err[1024];
	ASSERT(lim && open);
	ASSERT_EQ(TG_HOST_OK, tg_host_load(lim, "urn:tguard:stereo", rate, err, sizeof(err)));
	ASSERT_EQ(TG_HOST_OK, tg_host_load(open, "urn:tguard:stereo", rate, err, sizeof(err)));
	for (TgHost *const *h = (TgHost *const[]){lim, open, NULL}; *h; ++h) {
		tg_host_set(*h, "ramp_s", 0.1f);
		tg_host_set(*h, "i_rms_ma", 10000.0f);
	}
	/* The same chain with no ceiling below full scale: the reference for
	 * what the limiter must leave alone. */
	tg_host_set(open, "i_peak_ma", 10000.0f);
	const double c = ceiling_of(lim);
	const double amp = c * pow(10.0, -1.0 / 20.0);
	float *const in = malloc(n * sizeof(float));
	ASSERT(in != NULL);
	tg_sig_sine(in, (uint32_t)n, rate, 1000.0, amp, 0.0);
	RunInfo li, oi;
	float *const y = run_raw(lim, rate, in, n, &li);
	float *const yo = run_raw(open, rate, in, n, &oi);
	ASSERT(y != NULL && yo != NULL);
	/* What the filters make of the input, delayed by the latency: the
	 * plugin's own filter module at the default corners. */
	float *const ref = malloc(n * sizeof(float));
	ASSERT(ref != NULL);
	memcpy(ref, in, n * sizeof(float));
	TgFilter f;
	tg_filter_init(&f, rate, 1);
	tg_filter_set(&f, tg_host_get(lim, "hpf_hz"), (int)tg_host_get(lim, "hpf_order"),
	              tg_host_get(lim, "lpf_hz"), (int)tg_host_get(lim, "lpf_order"), 1);
	float *const bufs[1] = {ref};
	tg_filter_process(&f, bufs, 0, (uint32_t)n);
	/* From 0.2 s: the soft start (0.1 s) and the lookahead are behind. */
	const uint64_t from = (uint64_t)(0.2 * rate);
	double d_open = 0.0, d_in = 0.0;
	for (uint64_t i = from; i < n; ++i) {
		d_open = fmax(d_open, fabs((double)y[i + li.latency] - yo[i + oi.latency]));
		d_in = fmax(d_in, fabs((double)y[i + li.latency] - ref[i]));
	}
	TgTpMeasure tp;
	tg_true_peak_range(y, n + li.latency, from + li.latency, n + li.latency - 300, OS, INFINITY,
	                   &tp);
	printf("transparency: 1 kHz, the defaults (ceiling %.4f), i_rms_ma 10000: output true peak "
	       "%+.3f dB against the ceiling; gr_db after the soft start (done at %.3f s) down to "
	       "%.3g dB; |out - filtered input delayed %u frames| <= %.2g; |out - out with no "
	       "ceiling| <= %.2g\n",
	       c, db(tp.peak / c), li.ramp_done_s, li.worst_gr_db, li.latency, d_in, d_open);
	free(in);
	free(y);
	free(yo);
	free(ref);
	tg_host_free(lim);
	tg_host_free(open);
	ASSERT(li.ramp_done_s > 0.0 && li.ramp_done_s < 0.2);
	ASSERT_EQ_FMT(0.0, li.worst_gr_db, "%g");
	ASSERT(d_in <= 1e-6);
	ASSERT(d_open <= 1e-6);
	PASS();
}

TEST latency_at_most_2_ms(void)
{
	for (size_t r = 0; r < N_RATES; ++r) {
		TgHost *const host = tg_host_new(BUNDLE);
		char err[1024];
		ASSERT(host != NULL);
		ASSERT_EQ(TG_HOST_OK, tg_host_load(host, "urn:tguard:stereo", RATES[r], err, sizeof(err)));
		float b[2][1];
		const float *ins[2] = {b[0], b[1]};
		float *outs[2] = {b[0], b[1]};
		tg_host_activate(host);
		tg_host_run(host, ins, outs, 0);
		const float lat = tg_host_get(host, "latency");
		tg_host_deactivate(host);
		tg_host_free(host);
		printf("latency at %.1f kHz: %.0f frames, %.3f ms\n", RATES[r] / 1000.0, (double)lat,
		       (double)lat / RATES[r] * 1e3);
		ASSERT((double)lat / RATES[r] <= 0.002);
	}
	PASS();
}

SUITE(truepeak_plugin_suite)
{
	RUN_TEST(transparent_under_the_ceiling);
	RUN_TEST(latency_at_most_2_ms);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(measure_suite);
	RUN_SUITE(truepeak_limiter_suite);
	RUN_SUITE(truepeak_plugin_suite);
	tg_true_peak_release();
	GREATEST_MAIN_END();
}
