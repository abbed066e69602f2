/* tguard unit tests. Peak current and voltage on the true peak
 * (SAFETY.md 1): the detector, the true-peak guard, the gain computer
 * and the clamp, lowered and raised ceilings, the voltage limit, and
 * bypass keeping it all, with the dry path's DC blocker and guard band. */
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

TEST limiter_peak_and_rms_invariants(void)
{
	const double rate = 48000.0;
	double worst_peak = 0.0, worst_rms = 0.0;
	for (size_t s = 0; s < sizeof(MAKERS) / sizeof(MAKERS[0]); ++s) {
		for (int k = 0; k < 5; ++k) {
			Buffers b = buffers_new(2, 2, (uint64_t)(8.0 * rate));
			MAKERS[s](&b);
			TgParams p;
			stress_params(&p, k);
			const TgStats st = render(&b, rate, &p, 512);
			TgCurrentStats cs;
			tg_current_stats((const float *const *)b.out, 2, b.n, amps_of(&p), p.tau_s, rate,
			                 &cs);
			const double peak_ratio = cs.peak_a / (p.i_peak_ma * 1e-3);
			const double rms_ratio = cs.rms_a / (p.i_rms_ma * 1e-3);
			worst_peak = peak_ratio > worst_peak ? peak_ratio : worst_peak;
			worst_rms = rms_ratio > worst_rms ? rms_ratio : worst_rms;
			ASSERT_EQ(0, (int)cs.nonfinite);
			ASSERTm("peak current", (peak_ratio) <= (1.0));
			ASSERTm("RMS current", (rms_ratio) <= (1.02));
			for (uint64_t i = 0; i < b.n; ++i) {
				ASSERT(fabsf(b.out[0][i]) <= 1.0f && fabsf(b.out[1][i]) <= 1.0f);
			}
			if (st.clamp_rms || st.clamp_peak || rms_ratio > 1.0) {
				printf("  signal %zu, settings %d: peak %.4f, RMS %.4f; clamps %llu peak, "
				       "%llu RMS\n",
				       s, k, peak_ratio, rms_ratio, (unsigned long long)st.clamp_peak,
				       (unsigned long long)st.clamp_rms);
			}
			if (s == 0 && k == 0) {
				printf("pink +20 dBFS defaults: peak %.4f, RMS %.4f of limit; clamps %llu "
				       "peak, %llu RMS over %llu frames\n",
				       peak_ratio, rms_ratio, (unsigned long long)st.clamp_peak,
				       (unsigned long long)st.clamp_rms, (unsigned long long)st.frames);
			}
			buffers_free(&b);
		}
	}
	printf("worst over signals x settings: peak %.6f, RMS %.6f of limit\n", worst_peak,
	       worst_rms);
	PASS();
}

/* The limiter on its own, handed what the chain never passes it: a NaN
 * in either channel, one channel or two. The final clamp must catch what
 * the gain computer cannot (NaN times a gain is NaN): every output sample
 * finite and under the ceiling, and the clamp counted. */
TEST limiter_final_clamp_catches_nan(void)
{
	const double rate = 48000.0;
	enum { N = 4800 };
	for (uint32_t n_ch = 1; n_ch <= 2; ++n_ch) {
		for (uint32_t bad_ch = 0; bad_ch < n_ch; ++bad_ch) {
			TgLimiter lim;
			ASSERT_EQ(0, tg_limiter_init(&lim, rate, n_ch));
			TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.00625, .i_rms = 10.0,
			                      .v_peak = 100.0, .tau_s = 3.0, .release_s = 0.1,
			                      .rise_db_s = 10.0};
			tg_limiter_reset(&lim, &lp);
			static float in[2][N], out[2][N];
			tg_sig_sine(in[0], N, rate, 1000.0, 0.5, 0.0);
			tg_sig_sine(in[1], N, rate, 700.0, 0.5, 0.0);
			in[bad_ch][N / 2] = NAN;
			const float *ip[2] = {in[0], in[1]};
			float *op[2] = {out[0], out[1]};
			tg_limiter_process(&lim, ip, op, N, 0, NULL);
			const float cf = 0.2f;
			for (uint32_t ch = 0; ch < n_ch; ++ch) {
				for (uint32_t i = 0; i < N; ++i) {
					ASSERT(fabsf(out[ch][i]) <= cf);
				}
			}
			ASSERT(lim.clamp_peak >= 1u);
			tg_limiter_free(&lim);
		}
	}
	PASS();
}

/* Output side: a lowered peak limit binds from the next sample on. */
TEST limiter_ceiling_decrease_output(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	Rig *const rig = rig_new(rate, &p, 4800);
	tg_sig_pink(rig->in, 4800, 1.0, 41);
	rig_run(rig, &p, 10, NULL);
	p.i_peak_ma = 1.0f;
	const float ceiling = 1e-3f * p.z_ohm / p.vfs;
	for (int k = 0; k < 10; ++k) {
		rig_run(rig, &p, 1, NULL);
		for (int i = 0; i < 4800; ++i) {
			ASSERT(fabsf(rig->out[i]) <= ceiling);
		}
	}
	rig_free(rig);
	PASS();
}

/* A lowered ceiling scales, it does not clamp (limiter.c, rebind): the
 * frames already gained and every gain of the gain computer are multiplied
 * by the factor the ceiling fell by, so that on a signal over both
 * ceilings the output from the next frame out is the output without the
 * change times that factor, and the last-resort clamp never acts. Two
 * limiters on the same pink noise, 12 dB over the ceiling, one of them
 * given i_peak 30 -> 12 mA (the factor 0.4) after 0.3 s; at 44.1, 48 and
 * 96 kHz, in blocks of 512 and of 37. */
TEST limiter_lowered_ceiling_scales_the_output(void)
{
	static const double rates[] = {44100.0, 48000.0, 96000.0};
	static const uint32_t blocks[] = {512, 37};
	double worst = 0.0;
	for (size_t r = 0; r < 3; ++r) {
		for (size_t b = 0; b < 2; ++b) {
			const double rate = rates[r];
			const uint32_t blk = blocks[b];
			const uint32_t n = (uint32_t)(0.5 * rate);
			const uint32_t at = (uint32_t)(0.3 * rate) / blk * blk;
			TgLimiter la, lb;
			TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.030, .i_rms = 10.0,
			                      .v_peak = 100.0, .tau_s = 3.0, .tau_magnet_s = 60.0,
			                      .release_s = 0.1, .rise_db_s = 10.0};
			ASSERT_EQ(0, limiter_pair(&la, &lb, rate, 1, &lp));
			float *const x = malloc(n * sizeof(float));
			float *const ya = malloc(n * sizeof(float));
			float *const yb = malloc(n * sizeof(float));
			ASSERT(x && ya && yb);
			tg_sig_pink(x, n, 0.96 * 4.0 / 4.0, 45);
			const double c_old = tg_limiter_ceiling(&la);
			for (uint32_t pos = 0; pos < n; pos += blk) {
				const uint32_t m = n - pos < blk ? n - pos : blk;
				if (pos == at) {
					lp.i_peak = 0.012;
					tg_limiter_set(&la, &lp);
				}
				const float *ins[1] = {x + pos};
				float *oa[1] = {ya + pos}, *ob[1] = {yb + pos};
				tg_limiter_process(&la, ins, oa, m, 0, NULL);
				tg_limiter_process(&lb, ins, ob, m, 0, NULL);
			}
			const double c_new = tg_limiter_ceiling(&la), fall = c_new / c_old;
			TG_ASSERT_NEAR(0.4, fall, 1e-9);
			for (uint32_t i = 0; i < at; ++i) {
				ASSERT_EQ(ya[i], yb[i]);
			}
			for (uint32_t i = at; i < n; ++i) {
				ASSERT(fabsf(ya[i]) <= (float)c_new);
				worst = fmax(worst, fabs((double)ya[i] - fall * (double)yb[i]) / c_new);
			}
			uint64_t pk, rms, tp;
			tg_limiter_counts(&la, &pk, &rms, &tp);
			ASSERT_EQ(0u, pk);
			free(x), free(ya), free(yb);
			tg_limiter_free(&la);
			tg_limiter_free(&lb);
		}
	}
	printf("lowered ceiling (x 0.4): the output departs from 0.4 x the unchanged one by %.3g of "
	       "the new ceiling at most\n",
	       worst);
	ASSERT(worst <= 1e-5);
	PASS();
}

/* Lowering vfs raises the allowed sample level, by the peak and by the RMS
 * limit: both rise no faster than rise_db_s. */
TEST limiter_vfs_drop_glides(void)
{
	const double rate = 48000.0;
	TgParams p;
	tg_params_default(&p);
	p.hpf_order = 0.0f;
	p.lpf_order = 0.0f;
	p.ramp_s = 0.1f;
	Rig *const rig = rig_new(rate, &p, 480);
	tg_sig_sine(rig->in, 480, rate, 1000.0, 1.0, 0.0);
	rig_run(rig, &p, 500, NULL);
	double prev = tg_rms(rig->out, 480);
	p.vfs = 0.1f;
	double worst = 0.0;
	for (int k = 0; k < 300; ++k) {
		rig_run(rig, &p, 1, NULL);
		const double lvl = tg_rms(rig->out, 480);
		ASSERT(lvl > 0.0);
		worst = fmax(worst, 20.0 * log10(lvl / prev) / 0.01);
		prev = lvl;
	}
	printf("vfs lowered 1 -> 0.1 V: fastest level rise %.1f dB/s (rise_db_s 10)\n", worst);
	ASSERT(worst <= 10.0 * 1.5);
	rig_free(rig);
	PASS();
}

TEST limiter_ceiling_rise_glides_fall_instant(void)
{
	TgLimiter lim;
	ASSERT_EQ(0, tg_limiter_init(&lim, 48000.0, 1));
	TgLimiterParams lp = {.vfs = 1.0, .z_ohm = 32.0, .i_peak = 0.010, .i_rms = 1.0,
	                      .v_peak = 100.0, .tau_s = 3.0, .release_s = 0.1, .rise_db_s = 10.0};
	tg_limiter_reset(&lim, &lp);
	const double c_low = 0.010 * 32.0;
	TG_ASSERT_NEAR(c_low, tg_limiter_ceiling(&lim), 1e-9);
	lp.i_peak = 0.020; /* +6.02 dB: takes 0.602 s at 10 dB/s */
	tg_limiter_set(&lim, &lp);
	float x[480], y[480];
	const float *ins[1] = {x};
	float *outs[1] = {y};
	memset(x, 0, sizeof(x));
	for (int k = 0; k < 30; ++k) { /* 0.3 s */
		tg_limiter_process(&lim, ins, outs, 480, 0, NULL);
	}
	TG_ASSERT_NEAR(3.0, 20.0 * log10(tg_limiter_ceiling(&lim) / c_low), 0.05);
	lp.i_peak = 0.005;
	tg_limiter_set(&lim, &lp);
	tg_limiter_process(&lim, ins, outs, 1, 0, NULL);
	TG_ASSERT_NEAR(0.005 * 32.0, tg_limiter_ceiling(&lim), 1e-9);
	tg_limiter_free(&lim);
	PASS();
}

TEST chain_bypass_keeps_protection(void)
{
	const double rate = 48000.0;
	Buffers b = buffers_new(2, 2, (uint64_t)(3.0 * rate));
	tg_sig_pink(b.in[0], (uint32_t)b.n, 3.0, 31);
	tg_sig_pink(b.in[1], (uint32_t)b.n, 3.0, 32);
	TgParams p;
	tg_params_default(&p);
	p.enable = 0.0f;
	p.ramp_s = 0.1f;
	render(&b, rate, &p, 512);
	TgCurrentStats cs;
	tg_current_stats((const float *const *)b.out, 2, b.n, amps_of(&p), p.tau_s, rate, &cs);
	ASSERT((cs.peak_a) <= (p.i_peak_ma * 1e-3));
	ASSERT((cs.rms_a) <= (1.02 * p.i_rms_ma * 1e-3));
	buffers_free(&b);

	/* Bypassed and under the limits: the dry input, delayed. */
	Buffers d = buffers_new(2, 2, (uint64_t)rate);
	tg_sig_sine(d.in[0], (uint32_t)d.n, rate, 50.0, 0.05, 0.0);
	tg_sig_sine(d.in[1], (uint32_t)d.n, rate, 70.0, 0.05, 0.0);
	params_peak_only(&p);
	p.enable = 0.0f;
	p.hpf_order = 4.0f;
	p.volume_db = 12.0f;
	p.mono = 1.0f;
	render(&d, rate, &p, 512);
	TgChain *probe = tg_chain_new(rate, 2, 2);
	const uint32_t lat = tg_chain_latency(probe);
	tg_chain_free(probe);
	double worst = 0.0;
	for (uint64_t i = (uint64_t)(0.5 * rate); i < d.n; ++i) {
		worst = fmax(worst, fabs((double)d.out[1][i] - d.in[1][i - lat]));
	}
	/* Only the 2 Hz DC blocker differs from the dry input: at 70 Hz that
	 * is a phase shift of 0.03 rad. */
	ASSERT(worst < 0.05 * 0.035);
	buffers_free(&d);
	PASS();
}

/* While a twin runs enabled, its single input pass keeps the bypass path's
 * DC blockers up to date in closed form: switched to bypass after a second
 * of DC under a signal, the output follows the crossfade from the
 * processed signal to the dry input through a plain DC blocker run from
 * the start, from the first frame of the fade on (a blocker starting from
 * rest would let 0.25 of DC through, decaying over 80 ms). */
TEST chain_bypass_dry_dc_and_guard_band(void)
{
	const double rate = 48000.0;
	const uint32_t blk = 480, sw = 48000, n = sw + 9600;
	Buffers a = buffers_new(2, 2, n), b = buffers_new(2, 2, n);
	tg_sig_sine(a.in[0], n, rate, 300.0, 0.1, 0.0);
	tg_sig_sine(a.in[1], n, rate, 1100.0, 0.1, 0.3);
	for (uint32_t i = 0; i < n; ++i) {
		a.in[0][i] += 0.25f;
		a.in[1][i] -= 0.15f;
	}
	memcpy(b.in[0], a.in[0], n * sizeof(float));
	memcpy(b.in[1], a.in[1], n * sizeof(float));
	TgParams p; /* the defaults (a twin: both outputs the -6 dB sum), limits out of the way */
	tg_params_default(&p);
	p.ramp_s = 0.1f;
	p.i_peak_ma = 10000.0f;
	p.i_rms_ma = 10000.0f;
	TgParams q = p;
	TgChain *const ca = tg_chain_new(rate, 2, 2), *const cb = tg_chain_new(rate, 2, 2);
	tg_chain_activate(ca, &p);
	tg_chain_activate(cb, &p);
	for (uint32_t off = 0; off < n; off += blk) {
		q.enable = off < sw ? 1.0f : 0.0f;
		const float *ia[2] = {a.in[0] + off, a.in[1] + off}, *ib[2] = {b.in[0] + off, b.in[1] + off};
		float *oa[2] = {a.out[0] + off, a.out[1] + off}, *ob[2] = {b.out[0] + off, b.out[1] + off};
		tg_chain_process(ca, ia, oa, blk, &p, NULL);
		tg_chain_process(cb, ib, ob, blk, &q, NULL);
	}
	const uint32_t lat = tg_chain_latency(ca);
	tg_chain_free(ca);
	tg_chain_free(cb);
	/* The dry signal: each input through its own DC blocker from the start. */
	float *dry[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
	TgDcBlock dc;
	tg_dc_init(&dc, rate);
	/* Then the guard band, from rest where the crossfade starts. */
	TgBiquadCoefs band[2];
	for (int k = 0; k < 2; ++k) {
		tg_biquad_design(&band[k], TG_LOWPASS, TG_BAND_LIMIT * rate, tg_band_q(k), rate);
	}
	for (uint32_t ch = 0; ch < 2; ++ch) {
		memcpy(dry[ch], a.in[ch], n * sizeof(float));
		tg_dc_process(&dc, dry[ch], ch, n);
		for (int k = 0; k < 2; ++k) {
			TgBiquadState st = {0.0, 0.0, 0.0, 0.0};
			tg_biquad_process(&band[k], &st, dry[ch] + sw, n - sw);
		}
	}
	/* The chain's crossfade, frame by frame from the switch: the enabled
	 * chain's output (the processed signal, limiter transparent) to dry. */
	const float step = (float)(1.0 / (0.020 * rate));
	float xf = 1.0f;
	double worst = 0.0, worst_fade = 0.0;
	for (uint32_t i = sw; i + lat < n; ++i) {
		xf = xf - step > 0.0f ? xf - step : 0.0f;
		for (uint32_t ch = 0; ch < 2; ++ch) {
			const double e = (double)xf * a.out[ch][i + lat] + (1.0 - (double)xf) * dry[ch][i];
			const double d = fabs((double)b.out[ch][i + lat] - e);
			worst = fmax(worst, d);
			worst_fade = xf > 0.0f ? fmax(worst_fade, d) : worst_fade;
		}
	}
	printf("bypass after a twin: worst |out - fade to DC-blocked dry| %.3g in the fade, %.3g "
	       "in all 200 ms\n",
	       worst_fade, worst);
	free(dry[0]);
	free(dry[1]);
	buffers_free(&a);
	buffers_free(&b);
	ASSERT_LT(worst, 1e-5);
	PASS();
}

/* The voltage limit: the sample ceiling is min(1, i_peak z / vfs, v_peak /
 * vfs). With vfs 10 V, z 8 ohm and the current limits out of the way, v_peak
 * 2 V holds a full-scale sine to 0.2 of full scale, and the ceiling meter
 * says so. A lowered v_peak binds from the next block on; a raised one
 * glides at rise_db_s. */
TEST chain_v_peak_limits(void)
{
	const double rate = 48000.0;
	TgParams p;
	params_peak_only(&p);
	p.vfs = 10.0f;
	p.z_ohm = 8.0f;
	p.i_peak_ma = 10000.0f; /* 10 A: 8 x full scale */
	p.v_peak = 2.0f;
	Rig *const rig = rig_new(rate, &p, 480); /* 10 ms blocks */
	tg_sig_sine(rig->in, 480, rate, 1000.0, 1.0, 0.0);
	TgMeters m;
	rig_run(rig, &p, 50, &m); /* 0.5 s: the 0.1 s soft start is over */
	float peak = 0.0f;
	for (int k = 0; k < 20; ++k) {
		rig_run(rig, &p, 1, &m);
		for (int i = 0; i < 480; ++i) {
			ASSERT(fabsf(rig->out[i]) <= 0.2f + 1e-6f);
			peak = fmaxf(peak, fabsf(rig->out[i]));
		}
		TG_ASSERT_NEAR(20.0 * log10(0.2), (double)m.ceiling_db, 1e-4);
	}
	/* Limited to the ceiling less the true-peak margin, not silenced. */
	ASSERT(peak > 0.2f * 0.895f);
	TG_ASSERT_NEAR(0.2 * 0.9016 * 10.0 / 8.0 * 1e3, (double)m.peak_ma, 0.01 * 250.0);

	/* Lowered to 1 V: the next block is under 0.1 of full scale. */
	p.v_peak = 1.0f;
	rig_run(rig, &p, 1, &m);
	for (int i = 0; i < 480; ++i) {
		ASSERT(fabsf(rig->out[i]) <= 0.1f + 1e-6f);
	}
	TG_ASSERT_NEAR(-20.0, (double)m.ceiling_db, 1e-4);

	/* Raised to 4 V (+12.04 dB): at 10 dB/s the ceiling has risen 3 dB
	 * after 0.3 s, never more than 0.1 dB per 10 ms block, and the output
	 * stays under the ceiling in force. */
	p.v_peak = 4.0f;
	double prev_db = m.ceiling_db;
	for (int k = 0; k < 30; ++k) {
		rig_run(rig, &p, 1, &m);
		ASSERT((double)m.ceiling_db >= prev_db - 1e-6);
		ASSERT((double)m.ceiling_db <= prev_db + 0.1 + 1e-3);
		const float ceiling = powf(10.0f, m.ceiling_db / 20.0f);
		for (int i = 0; i < 480; ++i) {
			ASSERT(fabsf(rig->out[i]) <= ceiling * (1.0f + 1e-5f));
		}
		prev_db = m.ceiling_db;
	}
	TG_ASSERT_NEAR(-20.0 + 3.0, (double)m.ceiling_db, 0.05);
	rig_run(rig, &p, 200, &m); /* 2 s more: the glide (1.2 s) and the release are over */
	TG_ASSERT_NEAR(20.0 * log10(0.4), (double)m.ceiling_db, 1e-4);
	float top = 0.0f;
	for (int i = 0; i < 480; ++i) {
		top = fmaxf(top, fabsf(rig->out[i]));
	}
	ASSERT(top <= 0.4f + 1e-6f && top > 0.4f * 0.895f); /* the true-peak margin */
	printf("v_peak 2 V at vfs 10 V: sample peak %.4f (ceiling 0.2); raised 1 -> 4 V: "
	       "+3 dB in 0.3 s\n",
	       (double)peak);
	rig_free(rig);
	PASS();
}

/* The detector against its plain definition, and its reading of tones: at
 * most TG_TP_MARGIN_DB low up to Nyquist, and at most 0.05 dB high. */
TEST truepeak_fast_equals_reference(void)
{
	TgTruePeak tp;
	tg_tp_init(&tp);
	enum { N = 4096 };
	static float x[N];
	tg_sig_pink(x, N, 1.0, 11);
	double worst = 0.0;
	for (uint32_t off = 64; off + 64 < N; off += 16) {
		const double r = tg_tp_max_ref(&tp, x + off, 16);
		const double f = (double)tg_tp_max(&tp, x + off, 16);
		worst = fabs(f - r) / r > worst ? fabs(f - r) / r : worst;
		/* Sub-blocks of 4 and 8 (low rates) take the same kernel. */
		TG_ASSERT_NEAR(tg_tp_max_ref(&tp, x + off, 4), (double)tg_tp_max(&tp, x + off, 4),
		               1e-5);
	}
	printf("true-peak detector: fast vs reference, worst relative difference %.2g\n", worst);
	ASSERT(worst < 1e-5);
	PASS();
}

/* Every length the limiter asks for (multiples of 4, in pieces of 16, 8
 * and 4), through the kernel the CPU gets and through the portable one:
 * each within 1e-5 of the definition, and a frame reads the same whatever
 * piece it falls in, so the maximum over a span is the maximum over any
 * cut of it into parts; and tg_tp_max_each gives each piece's reading. */
TEST truepeak_lengths_and_kernels(void)
{
	TgTruePeak fast, portable;
	tg_tp_init(&fast);
	portable = fast;
	portable.avx2 = 0; /* the test's own copy: the vector kernel every CPU has */
	enum { N = 2048 };
	static float x[N];
	tg_sig_pink(x, N, 2.0, 5);
	double worst = 0.0;
	for (uint32_t len = 4; len <= 44; len += 4) {
		for (uint32_t off = 32; off + len + 32 < N; off += 52) {
			const double r = tg_tp_max_ref(&fast, x + off, len);
			const TgTruePeak *const kinds[2] = {&fast, &portable};
			for (int k = 0; k < 2; ++k) {
				const double f = (double)tg_tp_max(kinds[k], x + off, len);
				ASSERT(isfinite(f));
				worst = fabs(f - r) / r > worst ? fabs(f - r) / r : worst;
				float parts = 0.0f;
				for (uint32_t p = 0; p < len; p += 4) {
					const float v = tg_tp_max(kinds[k], x + off + p, 4);
					parts = v > parts ? v : parts;
				}
				ASSERT_EQ_FMT((double)parts, f, "%.9g");
			}
		}
	}
	/* The readings of consecutive sub-blocks in one pass: the same values. */
	for (uint32_t len = 4; len <= 16; len += 4) {
		for (uint32_t count = 1; count <= 7; ++count) {
			const TgTruePeak *const kinds[2] = {&fast, &portable};
			for (int k = 0; k < 2; ++k) {
				float each[7];
				tg_tp_max_each(kinds[k], x + 100, count, len, each);
				for (uint32_t j = 0; j < count; ++j) {
					ASSERT_EQ_FMT((double)tg_tp_max(kinds[k], x + 100 + j * len, len),
					              (double)each[j], "%.9g");
				}
			}
		}
	}
	printf("true-peak detector, lengths 4..44, both kernels: worst relative difference %.2g\n",
	       worst);
	ASSERT(worst < 1e-5);
	PASS();
}

TEST truepeak_reads_tones(void)
{
	TgTruePeak tp;
	tg_tp_init(&tp);
	enum { N = 1024 };
	static float x[N];
	double lo = 0.0, hi = -100.0;
	for (double f = 0.01; f < 0.5; f += 0.01) {
		for (int ph = 0; ph < 16; ++ph) {
			for (int i = 0; i < N; ++i) {
				x[i] = (float)cos(2.0 * 3.14159265358979 * f * i + ph * 3.14159265358979 / 16.0);
			}
			/* Over 64 frames: what one sub-block and its neighbours see. */
			const double db = 20.0 * log10(tg_tp_max_ref(&tp, x + 512, 64));
			lo = db < lo ? db : lo;
			hi = db > hi ? db : hi;
		}
	}
	/* fs/4 with a 45 degree phase: every sample at -3.01 dB, the true
	 * peak exactly between them, on a point the 4x grid reads. */
	for (int i = 0; i < N; ++i) {
		x[i] = (float)cos(3.14159265358979 / 2.0 * i + 3.14159265358979 / 4.0);
	}
	const double q = 20.0 * log10(tg_tp_max_ref(&tp, x + 512, 64));
	printf("true-peak detector on tones to 0.49 fs: reads %+.3f .. %+.3f dB; fs/4 at 45 deg: %+.3f dB\n",
	       lo, hi, q);
	ASSERT(lo >= -TG_TP_MARGIN_DB);
	ASSERT(hi <= 0.05);
	TG_ASSERT_NEAR(0.0, q, 0.02);
	PASS();
}

/* The guard alone, with no gain computer: a pattern whose interpolated
 * peak is far over the ceiling between two frames comes out reading at
 * most the ceiling, frames far away untouched. */
TEST truepeak_guard_alone(void)
{
	TgTruePeak tp;
	tg_tp_init(&tp);
	enum { N = 256, C = 128 };
	static float a[N], b[N];
	for (int k = 0; k < N; ++k) {
		const double u = 0.5 - (double)(k - C);
		const int near = abs(k - C) < 8;
		a[k] = near ? (float)(0.5 * (sin(3.14159265358979 * u) / u > 0.0 ? 1.0 : -1.0)) : 0.01f;
		b[k] = a[k];
	}
	const float cg = 0.5f;
	const double before = tg_tp_max_ref(&tp, a + 64, 128);
	float *const x[1] = {a + 64};
	float pk = 0.0f;
	const uint32_t engaged = tg_tp_guard(&tp, x, 1, 128, cg, &pk);
	const double after = tg_tp_max_ref(&tp, a + 64, 128);
	printf("true-peak guard: pattern %.3f x the ceiling before, %.5f after, %u intervals scaled\n",
	       before / cg, after / cg, engaged);
	ASSERT(before > 1.5 * cg);
	ASSERT(engaged > 0);
	ASSERT(after <= (double)cg * (1.0 + 1e-5));
	ASSERT(pk <= cg);
	/* Frames beyond its reach and fade are untouched. */
	ASSERT_EQ_FMT(b[10], a[10], "%g");
	ASSERT_EQ_FMT(b[N - 10], a[N - 10], "%g");
	/* Under the ceiling it changes nothing. */
	float *const y[1] = {b + 64};
	ASSERT_EQ(0u, tg_tp_guard(&tp, y, 1, 128, 2.0f, &pk));
	TG_ASSERT_NEAR(before, (double)pk, 1e-5);
	PASS();
}

SUITE(peak_suite)
{
	RUN_TEST(limiter_peak_and_rms_invariants);
	RUN_TEST(limiter_final_clamp_catches_nan);
	RUN_TEST(limiter_ceiling_decrease_output);
	RUN_TEST(limiter_lowered_ceiling_scales_the_output);
	RUN_TEST(limiter_vfs_drop_glides);
	RUN_TEST(limiter_ceiling_rise_glides_fall_instant);
	RUN_TEST(chain_bypass_keeps_protection);
	RUN_TEST(chain_bypass_dry_dc_and_guard_band);
	RUN_TEST(chain_v_peak_limits);
	RUN_TEST(truepeak_fast_equals_reference);
	RUN_TEST(truepeak_lengths_and_kernels);
	RUN_TEST(truepeak_reads_tones);
	RUN_TEST(truepeak_guard_alone);
}
