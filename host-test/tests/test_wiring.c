/* tguard unit tests. Wiring (SAFETY.md 6): the limits across a
 * transducer wired tip-ring. */
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

/* After a fault of any kind the soft start restarts from silence: the ramp
 * meter goes back to about 0, rises again and completes ramp_s after the
 * fault; the output follows it. */
/* Wired tip-ring, the transducer sees the difference of the outputs: the
 * right output is exactly the left negated, and every limit holds on that
 * difference, 2 y: the samples against the ceiling of 2 vfs, the true peak
 * and the heat (the same formula as docs/controls.md, on 2 y vfs / z). Driven
 * 24 dB into the limits, with the input in stereo (mono 0: the wiring
 * makes it a sum), at blocks 37 and 512. A change of wiring restarts the
 * soft start from silence: exactly 0 for the delay and a frame. */
TEST chain_tip_ring_limits_across(void)
{
	const double rate = 48000.0;
	static const uint32_t blocks[] = {37, 512};
	TgTruePeak tp;
	tg_tp_init(&tp);
	for (size_t b = 0; b < 2; ++b) {
		TgParams p;
		tg_params_default(&p);
		p.ramp_s = 0.1f;
		p.volume_db = 24.0f;
		p.mono = 0.0f;
		p.wiring = 1.0f;
		p.z_ohm = 150.0f;
		p.vfs = 1.41f;
		p.i_peak_ma = 10.0f;
		p.i_rms_ma = 2.0f; /* under the peak-limited noise's: the thermal stage acts */
		p.tau_s = 0.5f;
		TgChain *const chain = tg_chain_new(rate, 2, 2);
		ASSERT(chain != NULL);
		tg_chain_activate(chain, &p);
		const uint32_t n = (uint32_t)(3.0 * rate);
		float *x[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		float *y[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
		ASSERT(x[0] && x[1] && y[0] && y[1]);
		tg_sig_pink(x[0], n, 0.5, 7);
		tg_sig_sine(x[1], n, rate, 440.0, 0.7, 0.0);
		const uint32_t lat = tg_chain_latency(chain);
		const uint32_t rewire = (uint32_t)(2.0 * rate) / blocks[b] * blocks[b];
		for (uint32_t off = 0; off < n; off += blocks[b]) {
			const uint32_t m = n - off < blocks[b] ? n - off : blocks[b];
			p.wiring = off < rewire ? 1.0f : 0.0f;
			const float *in[2] = {x[0] + off, x[1] + off};
			float *out[2] = {y[0] + off, y[1] + off};
			tg_chain_process(chain, in, out, m, &p, NULL);
		}
		uint64_t not_negated = 0;
		double peak = 0.0, ms = 0.0, heat = 0.0;
		const double amps = 1.41 / 150.0, alpha = 1.0 - exp(-1.0 / (0.5 * rate));
		for (uint32_t i = 0; i < rewire; ++i) {
			not_negated += y[1][i] != -y[0][i];
			const double d = (double)y[0][i] - (double)y[1][i];
			peak = fmax(peak, fabs(d));
			ms += alpha * (d * d * amps * amps - ms);
			heat = fmax(heat, ms);
		}
		/* The true peak of the difference, from its own 4x reading. */
		float *d = malloc(rewire * sizeof(float));
		ASSERT(d != NULL);
		for (uint32_t i = 0; i < rewire; ++i) {
			d[i] = y[0][i] - y[1][i];
		}
		float tpk = 0.0f;
		for (uint32_t i = TG_TP_HALF; i + TG_TP_HALF < rewire; ++i) {
			for (unsigned k = 0; k < TG_TP_OVERSAMPLE; ++k) {
				const float v = fabsf(k ? tg_tp_point(&tp, d + i, k) : d[i]);
				tpk = v > tpk ? v : tpk;
			}
		}
		free(d);
		const double ceiling = 10e-3 * 150.0 / 1.41; /* across, in samples */
		uint64_t loud_after = 0;
		for (uint32_t i = rewire; i <= rewire + lat; ++i) {
			loud_after += y[0][i] != 0.0f || y[1][i] != 0.0f;
		}
		printf("tip-ring, block %u: peak across %.6f of the ceiling (true peak %.4f dB), heat "
		       "%.4f of the limit; after the change of wiring: %llu of %u frames not silent\n",
		       blocks[b], peak / ceiling, 20.0 * log10((double)tpk / ceiling),
		       sqrt(heat) / 2e-3, (unsigned long long)loud_after, lat + 1);
		for (int ch = 0; ch < 2; ++ch) {
			free(x[ch]);
			free(y[ch]);
		}
		tg_chain_free(chain);
		ASSERT_EQ_FMT(0ull, (unsigned long long)not_negated, "%llu");
		ASSERT(peak <= ceiling * (1.0 + 1e-6));
		ASSERT(peak > 0.5 * ceiling); /* driven into it */
		ASSERT((double)tpk <= ceiling * pow(10.0, 0.05 / 20.0));
		ASSERT(sqrt(heat) <= 1.02 * 2e-3);
		ASSERT(sqrt(heat) >= 0.9 * 2e-3);
		ASSERT_EQ_FMT(0ull, (unsigned long long)loud_after, "%llu");
	}
	/* The mono and sum chains have one output: no wiring across two. */
	TgParams p;
	tg_params_default(&p);
	p.wiring = 1.0f;
	ASSERT(!tg_bridged(p.wiring, 1));
	ASSERT(tg_bridged(p.wiring, 2));
	ASSERT(!tg_bridged(0.0f, 2));
	PASS();
}

SUITE(wiring_suite)
{
	RUN_TEST(chain_tip_ring_limits_across);
}
