/* tguard true-peak tests: the measure itself (host-test/analysis.c), then
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

#include "greatest.h"

#include "analysis.h"
#include "host.h"
#include "references.h"
#include "render.h"
#include "signals.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#ifndef TG_BUILD_DIR
#define TG_BUILD_DIR "build"
#endif
#define BUNDLE TG_BUILD_DIR "/tguard.lv2"

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
		ASSERT_IN_RANGEm(tones[t].what, 0.0, e, 0.01);
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
	ASSERT_IN_RANGE(-3.0103, db(tp.sample_peak / 0.5), 0.001);
	ASSERT_IN_RANGE(0.0, db(tp.peak / 0.5), 0.01);
	ASSERT_IN_RANGE(3.0103, db(tp.peak / tp.sample_peak), 0.01);
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
		ASSERT_IN_RANGEm("phase not normalised to unity DC gain", 1.0, dc, 1e-12);
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
		ASSERT_IN_RANGE(0.0, db(tp.peak / ideal), K <= 16 ? 0.02 : 0.06);
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
	ASSERT_IN_RANGE(0.5, tg_true_peak(x, 1, OS), 1e-6);
	/* Non-finite samples count as 0. */
	x[1] = (float)NAN;
	x[2] = (float)INFINITY;
	ASSERT_IN_RANGE(0.5, tg_true_peak(x, 3, OS), 1e-6);
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
	ASSERT_IN_RANGE(0.0, db(inside / 0.5), 0.01);
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

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(measure_suite);
	GREATEST_MAIN_END();
}
