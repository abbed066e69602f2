/* tguard fuzz target: the DSP chain through its public API (chain.h).
 *
 * The input decides the sample rate (8..384 kHz, or one that must be
 * refused), the layout (stereo 2/2, mono 1/1, sum 2/1), every control
 * (NaN, infinities, out of range included), control changes and
 * re-activations between blocks (v_peak starts at its default and changes
 * there), block sizes 0..8192, in-place processing,
 * and the samples (NaN, infinities, denormals, +-1e38 included). After
 * every block invariants.c checks docs/guarantees.md and traps on a
 * violation; ASan and UBSan catch the rest. Buffers are allocated at their
 * exact size, so any access past a block's end is caught.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "fuzz_input.h"
#include "invariants.h"
#include "ports.h"

/* Bounds per input keep executions fast; a few bytes still reach the
 * thermal steady state at short tau. */
#define MAX_BLOCKS 32
#define FRAME_BUDGET 8192u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t LAYOUT_IN[3] = {2, 1, 2};
static const uint32_t LAYOUT_OUT[3] = {2, 1, 1};

/* Uninitialised-looking output: samples the chain fails to write show up
 * as NaN. */
static float *garbage(uint32_t n)
{
	float *const x = malloc(n ? n * sizeof(float) : 1);
	if (x) {
		memset(x, 0xff, n * sizeof(float));
	}
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FzIn r = {data, size};
	int valid;
	const double rate = fz_rate(&r, &valid);
	const uint8_t layout = fz_u8(&r) % 3;
	const uint32_t n_in = LAYOUT_IN[layout], n_out = LAYOUT_OUT[layout];
	TgChain *const chain = tg_chain_new(rate, n_in, n_out);
	if (!valid || !chain) {
		/* Refused exactly when the rate is outside 8..384 kHz. */
		if (valid || chain) {
			tg_inv_fail(valid ? "a rate in 8..384 kHz was refused"
			                  : "a rate out of range was accepted");
		}
		tg_chain_free(chain);
		return 0;
	}
	TgParams p;
	tg_params_default(&p);
	fz_chain_controls(&r, &p, fz_u16(&r));
	tg_chain_activate(chain, &p);
	TgInv inv;
	if (tg_inv_init(&inv, rate, n_in, n_out, tg_chain_latency(chain), 1) != 0) {
		tg_chain_free(chain);
		return 0;
	}
	uint64_t frames = 0, since_activate = 0;
	for (int b = 0; b < MAX_BLOCKS && r.n > 0 && frames < FRAME_BUDGET; ++b) {
		const uint8_t op = fz_u8(&r);
		/* v_peak (added in 0.2) takes op bit 3, unused before, so the 16
		 * bits of the mask, and with them the saved inputs, keep their
		 * meaning. */
		if (op & 9) {
			fz_chain_controls(&r, &p,
			              (op & 1 ? fz_u16(&r) : 0u) | (op & 8 ? 1u << 16 : 0u));
		}
		/* wiring (added in 0.4) flips on op bit 7 and reads no byte, so
		 * the saved inputs stay aligned (with bit 7, the stereo chain
		 * now also changes wiring there). */
		if (op & 0x80) {
			p.wiring = p.wiring >= 1.0f ? 0.0f : 1.0f;
		}
		if ((op & 0x70) == 0x30) {
			fz_magnet(&p, frames);
		}
		if ((op & 0x70) == 0x50) {
			tg_chain_idle(chain, fz_idle_s(frames));
			tg_inv_idle(&inv, fz_idle_s(frames));
			tg_chain_activate(chain, &p);
			tg_inv_activate(&inv);
			since_activate = 0;
		}
		if ((op & 0x70) == 0x70) {
			tg_chain_activate(chain, &p);
			tg_inv_activate(&inv);
			since_activate = 0;
		}
		const int in_place = op & 2, with_meters = !(op & 4);
		uint32_t n = fz_block(&r);
		if (n > FRAME_BUDGET - frames) {
			n = (uint32_t)(FRAME_BUDGET - frames);
		}
		float *in[2] = {NULL, NULL}, *out[2] = {NULL, NULL};
		int ok = 1;
		for (uint32_t ch = 0; ch < n_in; ++ch) {
			in[ch] = malloc(n ? n * sizeof(float) : 1);
			ok = ok && in[ch];
			if (in[ch]) {
				fz_audio(&r, in[ch], n, ch);
			}
		}
		for (uint32_t ch = 0; ch < n_out; ++ch) {
			out[ch] = in_place ? in[ch] : garbage(n);
			ok = ok && out[ch];
		}
		if (ok && tg_inv_input(&inv, (const float *const *)in, n) == 0) {
			TgMeters m;
			tg_chain_process(chain, (const float *const *)in, out, n, &p,
			                 with_meters ? &m : NULL);
			tg_inv_output(&inv, &p, (const float *const *)out, n);
			if (with_meters) {
				tg_inv_meters(&inv, &m);
			}
			frames += n;
			since_activate += n;
		}
		for (uint32_t ch = 0; ch < 2; ++ch) {
			if (!in_place) {
				free(out[ch]);
			}
			free(in[ch]);
		}
	}
	TgStats st;
	tg_chain_stats(chain, &st);
	if (st.frames != since_activate) {
		tg_inv_fail("the chain's frame count differs from the frames processed");
	}
	tg_inv_free(&inv);
	tg_chain_free(chain);
	return 0;
}
