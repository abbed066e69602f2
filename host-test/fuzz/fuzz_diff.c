/* tguard fuzz target: the fast chain against the reference (reference.h).
 *
 * The input is read as fuzz_chain reads it, so its seeds serve here too:
 * the sample rate (8..384 kHz, or one both must refuse), the layout, every
 * control (NaN, infinities, out of range included), control changes and
 * re-activations between blocks, block sizes 0..8192, in-place processing,
 * and the samples (NaN, infinities, denormals, +-1e38, values just over the
 * fault bound). Both chains get the same; after every block diff.c requires
 * the outputs within TG_DIFF_TOL of the ceiling in force, the same verdict
 * on every invariant, and the meters within their tolerances, and traps on
 * any difference (ASan and UBSan catch the rest). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chain.h"
#include "diff.h"
#include "fuzz_input.h"
#include "invariants.h"
#include "ports.h"

/* The reference is about 30 times slower than the fast chain: fewer frames
 * per input than fuzz_chain, still enough for a soft start at short ramps
 * and for the thermal stage at short tau. */
#define MAX_BLOCKS 32
#define FRAME_BUDGET 8192u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint32_t LAYOUT_IN[3] = {2, 1, 2};
static const uint32_t LAYOUT_OUT[3] = {2, 1, 1};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FzIn r = {data, size};
	int valid;
	const double rate = fz_rate(&r, &valid);
	const uint8_t layout = fz_u8(&r) % 3;
	const uint32_t n_in = LAYOUT_IN[layout], n_out = LAYOUT_OUT[layout];
	TgDiff d;
	const int st = tg_diff_init(&d, rate, n_in, n_out, 1, 1);
	if (st != 0) {
		if (st == -2) {
			tg_inv_fail("one chain refused what the other took (rate or latency)");
		} else if (valid) {
			tg_inv_fail("a rate in 8..384 kHz was refused");
		}
		return 0;
	}
	if (!valid) {
		tg_inv_fail("a rate out of range was accepted");
	}
	TgParams p;
	tg_params_default(&p);
	fz_chain_controls(&r, &p, fz_u16(&r));
	tg_diff_activate(&d, &p);
	uint64_t frames = 0;
	for (int b = 0; b < MAX_BLOCKS && r.n > 0 && frames < FRAME_BUDGET; ++b) {
		const uint8_t op = fz_u8(&r);
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
			tg_diff_idle(&d, fz_idle_s(frames));
			tg_diff_activate(&d, &p);
		}
		if ((op & 0x70) == 0x70) {
			tg_diff_activate(&d, &p);
		}
		const int in_place = op & 2, with_meters = !(op & 4);
		uint32_t n = fz_block(&r);
		if (n > FRAME_BUDGET - frames) {
			n = (uint32_t)(FRAME_BUDGET - frames);
		}
		/* At its exact size, so any read past a block's end is caught. */
		float *in[2] = {NULL, NULL};
		int ok = 1;
		for (uint32_t ch = 0; ch < n_in; ++ch) {
			in[ch] = malloc(n ? n * sizeof(float) : 1);
			ok = ok && in[ch];
			if (in[ch]) {
				fz_audio(&r, in[ch], n, ch);
			}
		}
		if (ok) {
			tg_diff_block(&d, (const float *const *)in, n, &p, in_place, with_meters);
			frames += n;
		}
		free(in[0]);
		free(in[1]);
	}
	tg_diff_finish(&d);
	tg_diff_free(&d);
	return 0;
}
