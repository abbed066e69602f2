/* tguard unit tests: the DSP modules and the chain, without LV2. This file
 * holds the modules' own tests (filters, the limiter's fast paths and
 * sound, the chain's layouts) and runs every suite; the tests of each
 * guarantee are in their own file, as SAFETY.md lists them: test_peak.c,
 * test_heat.c, test_faults.c, test_softstart.c, test_wiring.c. The shared
 * fixture is dsp_fixture.h. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greatest.h"
#include "tg_assert.h"

#include "analysis.h"
#include "chain.h"
#include "filter.h"
#include "limiter.h"
#include "mono.h"
#include "ports.h"
#include "ramp.h"
#include "safety.h"
#include "signals.h"
#include "truepeak.h"

#include "dsp_fixture.h"

/* ---- filter ---- */

/* Gain in dB of a sine through the real filter, after it settled. */
static double filter_gain_db(double rate, double hpf_hz, int hpf_order, double lpf_hz,
                             int lpf_order, double freq)
{
	TgFilter f;
	tg_filter_init(&f, rate, 1);
	tg_filter_set(&f, hpf_hz, hpf_order, lpf_hz, lpf_order, 1);
	const uint32_t n = (uint32_t)rate; /* 1 s */
	float *x = malloc(n * sizeof(float));
	tg_sig_sine(x, n, rate, freq, 0.5, 0.0);
	float *bufs[1] = {x};
	tg_filter_process(&f, bufs, 0, n);
	/* The last 0.5 s, an integer number of periods as near as possible. */
	const uint32_t periods = (uint32_t)(0.5 * freq);
	const uint32_t len = (uint32_t)lround(periods * rate / freq);
	const double rms = tg_rms(x + n - len, len);
	free(x);
	return 20.0 * log10(rms / (0.5 / sqrt(2.0)));
}

TEST filter_corner_minus_3db(void)
{
	for (size_t r = 0; r < sizeof(RATES) / sizeof(RATES[0]); ++r) {
		const double rate = RATES[r];
		for (int order = 2; order <= 4; order += 2) {
			const double hp = filter_gain_db(rate, 1000.0, order, 16000.0, 0, 1000.0);
			const double lp = filter_gain_db(rate, 80.0, 0, 1000.0, order, 1000.0);
			TG_ASSERT_NEARm("high-pass corner", -3.0103, hp, 0.05);
			TG_ASSERT_NEARm("low-pass corner", -3.0103, lp, 0.05);
		}
	}
	PASS();
}

TEST filter_hpf4_at_half_corner(void)
{
	for (size_t r = 0; r < sizeof(RATES) / sizeof(RATES[0]); ++r) {
		const double g = filter_gain_db(RATES[r], 1000.0, 4, 16000.0, 0, 500.0);
		TG_ASSERT_NEARm("4th-order HPF one octave down", -24.1, g, 0.5);
		/* The design formula agrees with the measurement. */
		TgFilter f;
		tg_filter_init(&f, RATES[r], 1);
		tg_filter_set(&f, 1000.0, 4, 16000.0, 0, 1);
		TG_ASSERT_NEAR(g, tg_filter_magnitude_db(&f, 500.0), 0.01);
	}
	PASS();
}

TEST filter_corner_clamped_below_nyquist(void)
{
	TgFilter f;
	tg_filter_init(&f, 8000.0, 1);
	tg_filter_set(&f, 5000.0, 4, 24000.0, 4, 1);
	ASSERT(f.hpf.sec[0].freq <= 0.45 * 8000.0 + 1e-9);
	ASSERT(f.lpf.sec[0].freq <= 0.45 * 8000.0 + 1e-9);
	/* Still a stable, finite filter. */
	float x[4096];
	tg_sig_pink(x, 4096, 1.0, 3);
	float *bufs[1] = {x};
	tg_filter_process(&f, bufs, 0, 4096);
	for (int i = 0; i < 4096; ++i) {
		ASSERT(isfinite(x[i]) && fabsf(x[i]) < 100.0f);
	}
	PASS();
}

/* A corner or order change must not click: no sample-to-sample jump far
 * beyond what the sine itself does. */
TEST filter_changes_glide(void)
{
	const double rate = 48000.0;
	TgFilter f;
	tg_filter_init(&f, rate, 1);
	tg_filter_set(&f, 80.0, 4, 16000.0, 2, 1);
	const uint32_t n = 48000;
	float *x = malloc(n * sizeof(float));
	tg_sig_sine(x, n, rate, 440.0, 0.5, 0.0);
	float *bufs[1] = {x};
	float max_step = 0.0f;
	for (uint32_t off = 0; off < n; off += 480) {
		const uint32_t k = off / 480;
		/* Switch something every 10 ms. */
		tg_filter_set(&f, k % 2 ? 400.0 : 80.0, (int)(k % 3) * 2, k % 2 ? 2000.0 : 16000.0,
		              (int)((k + 1) % 3) * 2, 0);
		float *b[1] = {x + off};
		tg_filter_process(&f, b, 0, 480);
	}
	(void)bufs;
	for (uint32_t i = 1; i < n; ++i) {
		const float d = fabsf(x[i] - x[i - 1]);
		max_step = d > max_step ? d : max_step;
	}
	free(x);
	/* A 440 Hz sine of 0.5 moves at most 0.029 per frame. */
	ASSERT(max_step < 0.06f);
	PASS();
}

/* The block kernels compute the steady cascade of the scalar one: for every
 * number of sections, for blocks of every length (tails, one frame, and
 * settings changed in between), and in both channels. */
static void filter_run_blocks(TgFilterKernel k, const float *x, float *y, uint32_t n,
                              int hpf_order, int lpf_order)
{
	TgFilter f;
	tg_filter_init(&f, 48000.0, 2);
	tg_filter_use(&f, k);
	tg_filter_set(&f, 120.0, hpf_order, 9000.0, lpf_order, 1);
	memcpy(y, x, n * sizeof(float));
	memcpy(y + n, x, n * sizeof(float));
	static const uint32_t lens[] = {1, 7, 8, 9, 64, 333, 512, 2, 15};
	uint32_t off = 0;
	for (uint32_t j = 0; off < n; ++j) {
		uint32_t len = lens[j % (sizeof(lens) / sizeof(lens[0]))];
		len = len < n - off ? len : n - off;
		if (j == 20) { /* a change mid-stream: glides, then steady again */
			tg_filter_set(&f, 200.0, hpf_order, 7000.0, lpf_order, 0);
		}
		float *bufs[2] = {y + off, y + n + off};
		tg_filter_process(&f, bufs, 0, len);
		off += len;
	}
}

TEST filter_block_kernels_match_scalar(void)
{
	const uint32_t n = 24000;
	float *x = malloc(n * sizeof(float));
	float *ref = malloc(2 * n * sizeof(float));
	float *y = malloc(2 * n * sizeof(float));
	tg_sig_pink(x, n, 0.5, 11);
	for (uint32_t i = 0; i < n; ++i) {
		x[i] += 0.25f; /* DC too, for the blocker */
	}
	static const int orders[][2] = {{0, 0}, {2, 0}, {0, 2}, {4, 0}, {2, 2}, {4, 2}, {2, 4}, {4, 4}};
	int kernels = 0;
	for (int k = TG_FILTER_BLOCK; k <= TG_FILTER_BLOCK_AVX2; ++k) {
		TgFilter probe;
		tg_filter_init(&probe, 48000.0, 1);
		if (!tg_filter_use(&probe, (TgFilterKernel)k)) {
			continue;
		}
		++kernels;
		for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); ++o) {
			filter_run_blocks(TG_FILTER_SCALAR, x, ref, n, orders[o][0], orders[o][1]);
			filter_run_blocks((TgFilterKernel)k, x, y, n, orders[o][0], orders[o][1]);
			double worst = 0.0;
			for (uint32_t i = 0; i < 2 * n; ++i) {
				ASSERT(isfinite(y[i]));
				const double d = fabs((double)y[i] - (double)ref[i]);
				worst = d > worst ? d : worst;
			}
			/* Float output rounding, not filter error. */
			ASSERT_LTm("block kernel strays from the scalar cascade", worst, 1e-6);
		}
	}
	ASSERT(kernels >= 1);
	free(x);
	free(ref);
	free(y);
	PASS();
}

/* Told it is a twin, the filter runs one channel of the packed block state
 * and copies it back when told the second channel runs again: both then
 * continue exactly as two channels that were never twinned. */
TEST filter_twin_follows_first_channel(void)
{
	const uint32_t n = 9600, len = 64;
	float *x = malloc(n * sizeof(float));
	float *a0 = malloc(n * sizeof(float)), *a1 = malloc(n * sizeof(float));
	float *b0 = malloc(n * sizeof(float)), *b1 = malloc(n * sizeof(float));
	tg_sig_pink(x, n, 0.5, 13);
	memcpy(a0, x, n * sizeof(float));
	memcpy(a1, x, n * sizeof(float));
	memcpy(b0, x, n * sizeof(float));
	memcpy(b1, x, n * sizeof(float));
	TgFilter a, b;
	tg_filter_init(&a, 48000.0, 2);
	tg_filter_init(&b, 48000.0, 2);
	tg_filter_set(&a, 120.0, 4, 9000.0, 2, 1);
	tg_filter_set(&b, 120.0, 4, 9000.0, 2, 1);
	int twinned = 0;
	for (uint32_t off = 0; off < n; off += len) {
		const uint32_t k = off / len;
		if (k == 40 || k == 100) { /* twin: the memories agree */
			ASSERT(tg_filter_twin_ready(&a));
			twinned = 1;
		} else if (k == 70) { /* the second channel again */
			twinned = 0;
		}
		float *pa[2] = {a0 + off, a1 + off}, *pb[2] = {b0 + off, b1 + off};
		tg_filter_process(&a, pa, twinned, len);
		tg_filter_process(&b, pb, 0, len);
		if (twinned) {
			memcpy(a1 + off, a0 + off, len * sizeof(float));
		}
	}
	ASSERT_EQ(0, memcmp(a0, b0, n * sizeof(float)));
	ASSERT_EQ(0, memcmp(a1, b1, n * sizeof(float)));
	free(x), free(a0), free(a1), free(b0), free(b1);
	PASS();
}

/* Told both inputs are one signal, the limiter runs one channel and copies
 * it: the output must be that of two equal channels, bit for bit, through
 * switches between one signal and two and limit changes. */
static enum greatest_test_res one_buffer_matches_two(double rate)
{
	const uint32_t n = 96000;
	float *l = malloc(n * sizeof(float)), *r = malloc(n * sizeof(float));
	float *l2 = malloc(n * sizeof(float));
	float *oa[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	float *ob[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	tg_sig_pink(l, n, 1.5, 5);
	tg_sig_pink(r, n, 1.0, 6);
	memcpy(l2, l, n * sizeof(float));
	TgLimiter a, b;
	TgLimiterParams lp = {.vfs = 2.0, .z_ohm = 32.0, .i_peak = 0.040, .i_rms = 0.020,
	                      .v_peak = 100.0, .tau_s = 0.2, .release_s = 0.05, .rise_db_s = 20.0};
	ASSERT_EQ(0, limiter_pair(&a, &b, rate, 2, &lp));
	static const uint32_t lens[] = {512, 37, 1, 200, 16, 999, 64, 3};
	uint32_t off = 0, one = 0, two = 0;
	for (uint32_t j = 0; off < n; ++j) {
		uint32_t len = lens[j % 8];
		len = len < n - off ? len : n - off;
		/* Mostly one signal, told as a twin (a's second input is then not
		 * read: NULL), with spells of two different signals. */
		const int differ = (j / 10) % 3 == 2;
		if (j % 17 == 16) {
			lp.i_peak = lp.i_peak > 0.03 ? 0.025 : 0.040;
			lp.i_rms = lp.i_rms > 0.015 ? 0.012 : 0.020;
			tg_limiter_set(&a, &lp);
			tg_limiter_set(&b, &lp);
		}
		const float *ia[2] = {l + off, differ ? r + off : NULL};
		const float *ib[2] = {l + off, differ ? r + off : l2 + off};
		float *pa[2] = {oa[0] + off, oa[1] + off}, *pb[2] = {ob[0] + off, ob[1] + off};
		tg_limiter_process(&a, ia, pa, len, !differ, NULL);
		tg_limiter_process(&b, ib, pb, len, 0, NULL);
		one += a.n_run == 1;
		two += a.n_run == 2;
		off += len;
	}
	ASSERT(one > 10 && two > 10); /* both ways were taken */
	ASSERT_EQ(0, memcmp(oa[0], ob[0], n * sizeof(float)));
	ASSERT_EQ(0, memcmp(oa[1], ob[1], n * sizeof(float)));
	ASSERT_EQ(a.clamp_peak, b.clamp_peak);
	ASSERT_EQ(a.clamp_rms, b.clamp_rms);
	tg_limiter_free(&a);
	tg_limiter_free(&b);
	free(l), free(r), free(l2);
	free(oa[0]), free(oa[1]), free(ob[0]), free(ob[1]);
	PASS();
}

/* Setting the limits again as they are changes nothing: the heat of the
 * frames still waiting is unwound and counted again, not counted twice. */
TEST limiter_same_limits_change_nothing(void)
{
	const double rate = 48000.0;
	enum { N = 9600, BLK = 100 };
	TgLimiter a, b;
	TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.04, .i_rms = 0.01,
	                      .v_peak = 100.0, .tau_s = 0.05, .release_s = 0.1, .rise_db_s = 10.0};
	ASSERT_EQ(0, limiter_pair(&a, &b, rate, 1, &lp));
	static float in[N], oa[N], ob[N];
	tg_sig_sine(in, N, rate, 1000.0, 0.9, 0.0);
	double worst = 0.0;
	for (uint32_t off = 0; off < N; off += BLK) {
		if (off % 700 == 0) {
			tg_limiter_set(&b, &lp);
		}
		const float *ip[1] = {in + off};
		float *pa[1] = {oa + off}, *pb[1] = {ob + off};
		tg_limiter_process(&a, ip, pa, BLK, 0, NULL);
		tg_limiter_process(&b, ip, pb, BLK, 0, NULL);
		const double d = fabs(tg_limiter_heat(&a) - tg_limiter_heat(&b)) / tg_limiter_heat(&a);
		worst = d > worst ? d : worst;
	}
	for (uint32_t i = 0; i < N; ++i) {
		TG_ASSERT_NEAR((double)oa[i], (double)ob[i], 1e-6);
	}
	printf("limits set again unchanged: heat estimate within %.2g (relative)\n", worst);
	ASSERT(worst < 1e-9);
	tg_limiter_free(&a);
	tg_limiter_free(&b);
	PASS();
}

/* At 8, 24 and 48 kHz: sub-blocks of 4, 8 and 16 frames. */
TEST limiter_one_buffer_matches_two(void)
{
	static const double rates[] = {8000.0, 24000.0, 48000.0};
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		CHECK_CALL(one_buffer_matches_two(rates[r]));
	}
	PASS();
}

/* THD+N of a sine 6 dB over the peak ceiling, after settling; thermal
 * selects the default RMS limit (which then acts too) and its tau. */
static double limited_sine_thdn_p(double freq, float release_ms, int thermal, float tau_s)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(1, 1, (uint64_t)(8.0 * rate));
	TgParams p;
	params_peak_only(&p);
	p.release_ms = release_ms;
	if (thermal) {
		p.i_rms_ma = tg_port_info[TG_P_I_RMS_MA].def;
		p.tau_s = tau_s;
	}
	const double ceiling = p.i_peak_ma * 1e-3 / amps_of(&p);
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, freq, 2.0 * ceiling, 0.0); /* +6 dB */
	render(&b, rate, &p, 512);
	/* After settling: the last 2 s. */
	const uint64_t len = (uint64_t)(2.0 * rate);
	const double thdn = tg_thdn(b.out[0] + b.n - len, len, rate, freq);
	double peak = 0.0;
	for (uint64_t i = b.n - len; i < b.n; ++i) {
		peak = fabs((double)b.out[0][i]) > peak ? fabs((double)b.out[0][i]) : peak;
	}
	buffers_free(&b);
	/* Limiting, not just attenuating: the peak sits at the ceiling less
	 * the true-peak margin (or under it, where the thermal stage holds it
	 * lower). */
	return peak > (thermal ? 0.1 : 0.89) * ceiling ? thdn : 1.0;
}

static double limited_sine_thdn(double freq, float release_ms)
{
	return limited_sine_thdn_p(freq, release_ms, 0, 3.0f);
}

TEST limiter_thdn_100hz(void)
{
	const double thdn = limited_sine_thdn(100.0, 100.0f);
	printf("100 Hz sine 6 dB over the ceiling, release 100 ms: THD+N %.3g %%\n", thdn * 100.0);
	ASSERT(thdn <= 0.0002);
	PASS();
}

TEST limiter_thdn_50hz(void)
{
	const double thdn = limited_sine_thdn(50.0, 100.0f);
	printf("50 Hz sine 6 dB over the ceiling, HPF off: THD+N %.3g %%\n", thdn * 100.0);
	ASSERT(thdn <= 0.0005);
	PASS();
}

/* With the default RMS limit the thermal stage acts as well: its gain goes
 * through the same hold, so the heat estimate's ripple does not modulate. */
TEST limiter_thdn_thermal(void)
{
	static const struct {
		double freq;
		float tau;
		double max;
	} cases[] = {{100.0, 3.0f, 0.0002}, {50.0, 3.0f, 0.0005}, {20.0, 3.0f, 0.0005},
	             {1000.0, 0.05f, 0.0002},
	             /* Known limit: with a 50 ms time constant the thermal gain
	              * still pumps on bass (about 2 %); measured, not asserted. */
	             {100.0, 0.05f, 1.0}};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); ++k) {
		const double thdn = limited_sine_thdn_p(cases[k].freq, 100.0f, 1, cases[k].tau);
		printf("%.0f Hz sine, default limits (thermal acting), tau %.2f s: THD+N %.3g %%\n",
		       cases[k].freq, (double)cases[k].tau, thdn * 100.0);
		ASSERT(thdn <= cases[k].max);
	}
	PASS();
}

/* Where the limiter takes a pass's detector readings first (read_ahead,
 * from 44.1 kHz on) it gives what taking them sub-block by sub-block gives,
 * bit for bit: no sub-block changes what a later one's detector reads,
 * even where the true-peak guard scales frames (here made to act often:
 * bursts near Nyquist far over the ceiling, straight into the limiter, and
 * a gain computer aiming at the ceiling itself). At 32 kHz, where the
 * lookahead is too short for it, read_ahead is off. */
TEST limiter_read_ahead_changes_nothing(void)
{
	static const double rates[] = {44100.0, 48000.0, 96000.0, 192000.0};
	static const uint32_t blocks[] = {1, 37, 256, 700};
	uint64_t guard_acted = 0;
	TgLimiter off;
	ASSERT_EQ(0, tg_limiter_init(&off, 32000.0, 1));
	ASSERT_EQ(0, off.read_ahead);
	tg_limiter_free(&off);
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		const double rate = rates[r];
		const uint32_t n = (uint32_t)(0.5 * rate);
		for (uint32_t n_ch = 1; n_ch <= 2; ++n_ch) {
			float *x[2], *ya[2], *yb[2];
			for (uint32_t ch = 0; ch < 2; ++ch) {
				x[ch] = malloc(n * sizeof(float));
				ya[ch] = malloc(n * sizeof(float));
				yb[ch] = malloc(n * sizeof(float));
				tg_sig_burst(x[ch], n, rate, 0.01, 0.01, 0.02, 30.0, 40 + ch);
			}
			for (uint32_t i = 1; i < n; i += 2) { /* towards Nyquist */
				x[0][i] = -x[0][i];
			}
			const TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.010,
			                            .i_rms = 1.0, .v_peak = 100.0, .tau_s = 3.0,
			                            .release_s = 0.05, .rise_db_s = 10.0};
			TgLimiter a, b;
			ASSERT_EQ(0, limiter_pair(&a, &b, rate, n_ch, &lp));
			ASSERT_EQ(1, a.read_ahead);
			b.read_ahead = 0; /* the test's own: the sub-block by sub-block path */
			/* Aiming at the ceiling itself, without the detector's
			 * margin, the gain computer leaves the guard work to do. */
			a.tp_aim = b.tp_aim = 1.0;
			for (size_t k = 0; k < sizeof(blocks) / sizeof(blocks[0]); ++k) {
				for (uint32_t off0 = 0; off0 < n;) {
					const uint32_t m = n - off0 < blocks[k] ? n - off0 : blocks[k];
					const float *const in[2] = {x[0] + off0, x[1] + off0};
					float *const oa[2] = {ya[0] + off0, ya[1] + off0};
					float *const ob[2] = {yb[0] + off0, yb[1] + off0};
					tg_limiter_process(&a, in, oa, m, 0, NULL);
					tg_limiter_process(&b, in, ob, m, 0, NULL);
					off0 += m;
				}
				for (uint32_t ch = 0; ch < n_ch; ++ch) {
					ASSERT_EQ(0, memcmp(ya[ch], yb[ch], n * sizeof(float)));
				}
			}
			uint64_t pa, ra, ta, pb, rb, tb;
			tg_limiter_counts(&a, &pa, &ra, &ta);
			tg_limiter_counts(&b, &pb, &rb, &tb);
			ASSERT_EQ(pb, pa);
			ASSERT_EQ(rb, ra);
			ASSERT_EQ(tb, ta);
			guard_acted += ta;
			tg_limiter_free(&a);
			tg_limiter_free(&b);
			for (uint32_t ch = 0; ch < 2; ++ch) {
				free(x[ch]);
				free(ya[ch]);
				free(yb[ch]);
			}
		}
	}
	printf("read-ahead against sub-block by sub-block: the same output; the guard acted on %llu "
	       "intervals\n",
	       (unsigned long long)guard_acted);
	ASSERT(guard_acted > 0);
	PASS();
}

/* ---- chain ---- */

TEST chain_transparent_under_limits(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(2, 2, (uint64_t)rate);
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.1, 0.0);
	tg_sig_sine(b.in[1], (uint32_t)b.n, rate, 3100.0, 0.1, 0.5);
	TgParams p;
	params_peak_only(&p);
	p.mono = 0.0f;
	p.volume_db = -6.0f;
	p.ramp_s = 0.1f;
	p.i_peak_ma = 10000.0f;
	render(&b, rate, &p, 512);
	TgChain *probe = tg_chain_new(rate, 2, 2);
	const uint32_t lat = tg_chain_latency(probe);
	tg_chain_free(probe);
	/* Expected: the delayed input times the volume, through the filters
	 * that are always on: the DC blocker and the guard band. */
	TgFilter dc;
	tg_filter_init(&dc, rate, 2);
	tg_filter_set(&dc, 80.0, 0, TG_BAND_LIMIT * rate, TG_BAND_ORDER, 1);
	float *ref[2] = {malloc((size_t)b.n * sizeof(float)), malloc((size_t)b.n * sizeof(float))};
	const float vol = powf(10.0f, -6.0f / 20.0f);
	for (uint32_t ch = 0; ch < 2; ++ch) {
		for (uint64_t i = 0; i < b.n; ++i) {
			ref[ch][i] = b.in[ch][i] * vol;
		}
	}
	tg_filter_process(&dc, ref, 0, (uint32_t)b.n);
	double worst = 0.0;
	for (uint32_t ch = 0; ch < 2; ++ch) {
		for (uint64_t i = (uint64_t)(0.2 * rate); i < b.n; ++i) {
			const double e = fabs((double)b.out[ch][i] - ref[ch][i - lat]);
			worst = e > worst ? e : worst;
		}
	}
	free(ref[0]);
	free(ref[1]);
	buffers_free(&b);
	printf("transparency: worst |out - delayed input x volume| = %.3g\n", worst);
	ASSERT(worst < 1e-6);
	PASS();
}

TEST chain_block_size_invariance(void)
{
	const double rate = 48000.0;
	static const uint32_t sizes[] = {37, 512, 4096, 0};
	for (int k = 0; k < 4; ++k) {
		TgParams p;
		stress_params(&p, k);
		p.ramp_s = 0.2f;
		Buffers ref = buffers_new(2, 2, (uint64_t)(1.5 * rate));
		make_program(&ref);
		render(&ref, rate, &p, 1);
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); ++s) {
			Buffers b = buffers_new(2, 2, ref.n);
			make_program(&b);
			render(&b, rate, &p, sizes[s]);
			double worst = 0.0;
			for (uint32_t ch = 0; ch < 2; ++ch) {
				for (uint64_t i = 0; i < b.n; ++i) {
					const double e = fabs((double)b.out[ch][i] - ref.out[ch][i]);
					worst = e > worst ? e : worst;
				}
			}
			buffers_free(&b);
			ASSERT(worst <= 1e-6);
		}
		buffers_free(&ref);
	}
	PASS();
}

TEST chain_block_size_zero(void)
{
	TgParams p;
	tg_params_default(&p);
	TgChain *chain = tg_chain_new(48000.0, 2, 2);
	ASSERT(chain != NULL);
	TgMeters m;
	tg_chain_process(chain, (const float *const[]){NULL, NULL}, (float *const[]){NULL, NULL}, 0,
	                 &p, &m);
	ASSERT_EQ_FMT((float)tg_chain_latency(chain), m.latency, "%g");
	tg_chain_free(chain);
	PASS();
}

TEST chain_dc_removed(void)
{
	const double rate = 48000.0;
	for (int hpf = 0; hpf <= 4; hpf += 4) {
		Buffers b = buffers_new(1, 1, (uint64_t)(2.0 * rate));
		for (uint64_t i = 0; i < b.n; ++i) {
			b.in[0][i] = 0.5f;
		}
		TgParams p;
		tg_params_default(&p);
		p.hpf_order = (float)hpf;
		p.ramp_s = 0.1f;
		p.i_rms_ma = 10000.0f;
		p.i_peak_ma = 10000.0f;
		render(&b, rate, &p, 512);
		double mean = 0.0;
		for (uint64_t i = (uint64_t)rate; i < b.n; ++i) {
			mean += b.out[0][i];
		}
		mean /= (double)(b.n - (uint64_t)rate);
		printf("DC 0.5 with HPF order %d: |mean| after 1 s = %.3g\n", hpf, fabs(mean));
		ASSERT((fabs(mean)) < (1e-4));
		buffers_free(&b);
	}
	PASS();
}

TEST mono_laws(void)
{
	static const struct {
		TgMonoMode mode;
		TgRoute route;
		float l, r; /* expected gains for out_l from (in_l, in_r) = (1, 0) and (0, 1) */
		float out_r_from_l, out_r_from_r;
	} cases[] = {
		{TG_MONO_STEREO, TG_ROUTE_BOTH, 1.0f, 0.0f, 0.0f, 1.0f},
		{TG_MONO_SUM_6DB, TG_ROUTE_BOTH, 0.5f, 0.5f, 0.5f, 0.5f},
		{TG_MONO_SUM_3DB, TG_ROUTE_BOTH, 0.70710678f, 0.70710678f, 0.70710678f, 0.70710678f},
		{TG_MONO_LEFT, TG_ROUTE_BOTH, 1.0f, 0.0f, 1.0f, 0.0f},
		{TG_MONO_RIGHT, TG_ROUTE_BOTH, 0.0f, 1.0f, 0.0f, 1.0f},
		{TG_MONO_SUM_6DB, TG_ROUTE_LEFT, 0.5f, 0.5f, 0.0f, 0.0f},
		{TG_MONO_SUM_6DB, TG_ROUTE_RIGHT, 0.0f, 0.0f, 0.5f, 0.5f},
		{TG_MONO_STEREO, TG_ROUTE_LEFT, 1.0f, 0.0f, 0.0f, 0.0f},
	};
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); ++c) {
		TgMono mono;
		tg_mono_init(&mono, 48000.0);
		tg_mono_set(&mono, cases[c].mode, cases[c].route, 1);
		const float l[2] = {1.0f, 0.0f}, r[2] = {0.0f, 1.0f};
		float ol[2], orr[2];
		tg_mono_process(&mono, l, r, ol, orr, 2);
		TG_ASSERT_NEAR(cases[c].l, ol[0], 1e-6);
		TG_ASSERT_NEAR(cases[c].r, ol[1], 1e-6);
		TG_ASSERT_NEAR(cases[c].out_r_from_l, orr[0], 1e-6);
		TG_ASSERT_NEAR(cases[c].out_r_from_r, orr[1], 1e-6);
	}
	PASS();
}

/* The sum variant: a centred source keeps its level at -6 dB law; a mode
 * of 0 (stereo) is not available and reads as 1. */
TEST chain_sum_variant(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(2, 1, (uint64_t)rate);
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.1, 0.0);
	memcpy(b.in[1], b.in[0], (size_t)b.n * sizeof(float));
	TgParams p;
	params_peak_only(&p);
	p.mono = 0.0f;
	render(&b, rate, &p, 512);
	const uint64_t tail = (uint64_t)(0.5 * rate);
	TG_ASSERT_NEAR(0.1 / sqrt(2.0), tg_rms(b.out[0] + b.n - tail, tail), 1e-4);
	buffers_free(&b);
	PASS();
}

/* Toggling bypass crossfades: no step larger than the signal's own. */
TEST chain_bypass_is_click_free(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	p.hpf_order = 4.0f;
	p.hpf_hz = 2000.0f;
	TgChain *chain = tg_chain_new(rate, 2, 2);
	tg_chain_activate(chain, &p);
	const uint32_t blk = 480;
	float l[480], ol[480], orr[480];
	const float *in[2] = {l, l};
	float *out[2] = {ol, orr};
	float prev = 0.0f, max_step = 0.0f;
	for (int k = 0; k < 200; ++k) {
		tg_sig_sine(l, blk, rate, 100.0, 0.3, 0.0);
		if (k >= 50) {
			p.enable = (k / 25) % 2 ? 0.0f : 1.0f;
		}
		tg_chain_process(chain, in, out, blk, &p, NULL);
		for (uint32_t i = 0; i < blk; ++i) {
			if (k >= 50) {
				max_step = fmaxf(max_step, fabsf(ol[i] - prev));
			}
			prev = ol[i];
		}
	}
	tg_chain_free(chain);
	/* A 100 Hz sine of 0.3 moves at most 0.004 per frame. */
	ASSERT(max_step < 0.01f);
	PASS();
}

/* Routing through the whole chain: the other output is silent. */
TEST chain_route(void)
{
	const double rate = 48000.0;
	for (int route = 1; route <= 2; ++route) {
		Buffers b = buffers_new(2, 2, (uint64_t)rate);
		tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.2, 0.0);
		tg_sig_sine(b.in[1], (uint32_t)b.n, rate, 1000.0, 0.2, 0.0);
		TgParams p;
		params_peak_only(&p);
		p.route = (float)route;
		render(&b, rate, &p, 512);
		const uint64_t tail = (uint64_t)(0.5 * rate);
		const float *const on = b.out[route - 1], *const off = b.out[2 - route];
		TG_ASSERT_NEAR(0.2 / sqrt(2.0), tg_rms(on + b.n - tail, tail), 1e-4);
		ASSERT_EQ_FMT(0.0, tg_rms(off, b.n), "%g");
		buffers_free(&b);
	}
	PASS();
}

TEST chain_sample_rate_range(void)
{
	ASSERT_EQ(NULL, tg_chain_new(7999.0, 2, 2));
	ASSERT_EQ(NULL, tg_chain_new(384001.0, 2, 2));
	ASSERT_EQ(NULL, tg_chain_new(NAN, 2, 2));
	ASSERT_EQ(NULL, tg_chain_new(48000.0, 1, 2));
	static const double ok[] = {8000.0, 22050.0, 44100.0, 48000.0, 96000.0, 384000.0};
	for (int k = 0; k < 6; ++k) {
		TgChain *c = tg_chain_new(ok[k], 2, 2);
		ASSERT(c != NULL);
		const double lat_s = tg_chain_latency(c) / ok[k];
		printf("latency at %.0f Hz: %u frames, %.3f ms\n", ok[k], tg_chain_latency(c), lat_s * 1e3);
		/* Within 2 ms from 44.1 kHz on. Below, the true-peak detector's
		 * and guard's reach (43 frames) and the shortest lookahead (12)
		 * take longer: 55 frames. */
		ASSERT(lat_s <= (ok[k] >= 44100.0 ? 0.002 : 55.0 / ok[k] + 1e-9));
		tg_chain_free(c);
	}
	PASS();
}

SUITE(filter_suite)
{
	RUN_TEST(filter_corner_minus_3db);
	RUN_TEST(filter_hpf4_at_half_corner);
	RUN_TEST(filter_corner_clamped_below_nyquist);
	RUN_TEST(filter_changes_glide);
	RUN_TEST(filter_block_kernels_match_scalar);
	RUN_TEST(filter_twin_follows_first_channel);
}

SUITE(limiter_suite)
{
	RUN_TEST(limiter_same_limits_change_nothing);
	RUN_TEST(limiter_one_buffer_matches_two);
	RUN_TEST(limiter_thdn_100hz);
	RUN_TEST(limiter_thdn_50hz);
	RUN_TEST(limiter_thdn_thermal);
	RUN_TEST(limiter_read_ahead_changes_nothing);
}

SUITE(chain_suite)
{
	RUN_TEST(chain_transparent_under_limits);
	RUN_TEST(chain_block_size_invariance);
	RUN_TEST(chain_block_size_zero);
	RUN_TEST(chain_dc_removed);
	RUN_TEST(mono_laws);
	RUN_TEST(chain_sum_variant);
	RUN_TEST(chain_bypass_is_click_free);
	RUN_TEST(chain_route);
	RUN_TEST(chain_sample_rate_range);
}

/* The guarantees' own files (SAFETY.md names each). */
SUITE_EXTERN(peak_suite);
SUITE_EXTERN(heat_suite);
SUITE_EXTERN(fault_suite);
SUITE_EXTERN(softstart_suite);
SUITE_EXTERN(wiring_suite);

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	RUN_SUITE(filter_suite);
	RUN_SUITE(limiter_suite);
	RUN_SUITE(chain_suite);
	RUN_SUITE(peak_suite);
	RUN_SUITE(heat_suite);
	RUN_SUITE(fault_suite);
	RUN_SUITE(softstart_suite);
	RUN_SUITE(wiring_suite);
	GREATEST_MAIN_END();
}
