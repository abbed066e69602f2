/* tguard unit tests. RMS current, the heat (SAFETY.md 2): the thermal
 * formula, a lowered limit, and the per-frame guard on a sudden burst. */
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

/* The thermal stage with nothing else in the way, by the formula. */
TEST limiter_rms_formula_sustained(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(1, 1, (uint64_t)(20.0 * rate));
	tg_sig_sine(b.in[0], (uint32_t)b.n, rate, 1000.0, 0.9, 0.0);
	TgParams p;
	params_peak_only(&p);
	p.i_rms_ma = 5.0f; /* the sine is 20 mA RMS at the default 32 ohm, 1 V */
	p.tau_s = 1.0f;
	const TgStats st = render(&b, rate, &p, 256);
	TgCurrentStats cs;
	tg_current_stats((const float *const *)b.out, 1, b.n, amps_of(&p), p.tau_s, rate, &cs);
	printf("sustained sine 12 dB over the RMS limit: highest RMS %.4f mA (limit 5), "
	       "RMS guard %llu frames\n",
	       cs.rms_a * 1e3, (unsigned long long)st.clamp_rms);
	ASSERT((cs.rms_a) <= (1.02 * 5e-3));
	/* It settles under the limit, not far below it. */
	ASSERT((cs.rms_a) > (0.85 * 5e-3));
	ASSERT_EQ(0, (int)st.clamp_rms);
	buffers_free(&b);
	PASS();
}

/* A lowered RMS limit cannot undo heat already there: the output stays
 * silent until the estimate has cooled under the new limit, and the
 * estimate only falls meanwhile. */
TEST limiter_rms_decrease_mutes_until_cool(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	p.i_rms_ma = 10.0f;
	p.tau_s = 0.5f;
	Rig *const rig = rig_new(rate, &p, 480);
	tg_sig_sine(rig->in, 480, rate, 1000.0, 0.9, 0.0);
	TgMeters m;
	rig_run(rig, &p, 300, &m);
	ASSERT(m.rms_ma > 8.0f);
	p.i_rms_ma = 1.0f;
	float prev = m.rms_ma;
	int k = 0;
	for (; k < 1000 && m.rms_ma > 1.0f; ++k) {
		rig_run(rig, &p, 1, &m);
		ASSERT(m.rms_ma <= prev);
		prev = m.rms_ma;
		ASSERT(tg_rms(rig->out, 480) < 1e-6 || m.rms_ma <= 1.02f);
	}
	/* Cooling from about 9 mA to 1 mA at tau 0.5 s takes ln(81)/2 x 0.5 s. */
	printf("RMS limit lowered 10 -> 1 mA: silent for %.2f s while cooling\n", k * 0.01);
	ASSERT(k > 0 && k < 1000);
	rig_free(rig);
	PASS();
}

/* The per-frame RMS guard: a full-scale burst after silence, with a thermal
 * time constant of 50 ms and an RMS limit far under the burst's current
 * (31 mA against 1 to 3 mA), heats the estimate by several times the bound
 * within one sub-block, before the thermal gain can act. Frame by frame,
 * the heat of the output (the README's formula, computed here from the
 * output current of the louder channel) stays within 1.02 x the limit, at
 * sub-blocks of 4, 8 and 16 frames, with one and two channels, at several
 * block sizes; and the guard is what holds it there (without it, the heat
 * goes over the bound). */
TEST limiter_rms_guard_on_sudden_burst(void)
{
	static const double rates[] = {8000.0, 24000.0, 48000.0};
	static const double limits[] = {0.001, 0.003};
	static const uint32_t blocks[] = {1, 37, 256};
	double worst = 0.0;
	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); ++r) {
		const double rate = rates[r];
		const uint32_t n = (uint32_t)(0.8 * rate);
		float *x[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		float *y[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		/* 0.2 s of silence, 0.1 s of full-scale noise (right: a square),
		 * 0.3 s to cool (6 time constants), and again. */
		TgRng rng;
		tg_rng_seed(&rng, 71);
		for (uint32_t i = 0; i < n; ++i) {
			const double t = (double)i / rate;
			const int on = (t >= 0.2 && t < 0.3) || (t >= 0.6 && t < 0.7);
			x[0][i] = on ? (tg_rng_uniform(&rng) < 0.0f ? -1.0f : 1.0f) : 0.0f;
			x[1][i] = on ? ((i / 8) % 2 ? 0.99f : -0.99f) : 0.0f;
		}
		for (uint32_t n_ch = 1; n_ch <= 2; ++n_ch) {
			uint64_t guarded_all = 0;
			for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); ++l) {
				for (size_t bl = 0; bl < sizeof(blocks) / sizeof(blocks[0]); ++bl) {
					TgLimiter lim;
					ASSERT_EQ(0, tg_limiter_init(&lim, rate, n_ch));
					const TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 1.0,
					                            .i_rms = limits[l], .v_peak = 100.0,
					                            .tau_s = 0.05, .release_s = 0.1,
					                            .rise_db_s = 10.0};
					tg_limiter_reset(&lim, &lp);
					for (uint32_t off = 0; off < n; off += blocks[bl]) {
						const uint32_t m = blocks[bl] < n - off ? blocks[bl] : n - off;
						const float *in[2] = {x[0] + off, x[1] + off};
						float *out[2] = {y[0] + off, y[1] + off};
						tg_limiter_process(&lim, in, out, m, 0, NULL);
					}
					const double amps = lp.vfs / lp.z_ohm;
					const double alpha = 1.0 - exp(-1.0 / (lp.tau_s * rate));
					const double bound = TG_RMS_BOUND * lp.i_rms;
					double ms = 0.0, high = 0.0;
					int over = 0;
					for (uint32_t i = 0; i < n; ++i) {
						float a = fabsf(y[0][i]);
						a = n_ch > 1 && fabsf(y[1][i]) > a ? fabsf(y[1][i]) : a;
						const double cur = (double)a * amps;
						ms += alpha * (cur * cur - ms);
						high = fmax(high, sqrt(ms));
						over |= !(sqrt(ms) <= bound);
					}
					const uint64_t guarded = lim.clamp_rms;
					tg_limiter_free(&lim);
					worst = fmax(worst, high / lp.i_rms);
					if (over) {
						fprintf(stderr,
						        "%.0f Hz, %u channel(s), limit %.0f mA, block %u: heat %.4f x "
						        "the limit\n",
						        rate, n_ch, lp.i_rms * 1e3, blocks[bl], high / lp.i_rms);
					}
					ASSERTm("heat over 1.02 x the RMS limit", !over);
					guarded_all += guarded;
				}
			}
			/* At 1 mA every burst needs it; at 3 mA, depending on where
			 * the burst starts in a sub-block, the thermal gain may come
			 * in time. */
			ASSERTm("the per-frame RMS guard acted", guarded_all > 0);
		}
		free(x[0]), free(x[1]), free(y[0]), free(y[1]);
	}
	printf("full-scale bursts after silence, tau 50 ms, limit 1 and 3 mA: heat at most %.6f x "
	       "the limit\n",
	       worst);
	PASS();
}

SUITE(heat_suite)
{
	RUN_TEST(limiter_rms_formula_sustained);
	RUN_TEST(limiter_rms_decrease_mutes_until_cool);
	RUN_TEST(limiter_rms_guard_on_sudden_burst);
}
