/* tguard: mono summing with pan laws, and routing to one output. */
#include "mono.h"

#include <math.h>
#include <string.h>

void tg_mono_init(TgMono *mono, double rate)
{
	memset(mono, 0, sizeof(*mono));
	/* A 10 ms linear crossfade between matrices: short enough to follow a
	 * switch at once, long enough not to click. */
	mono->len = (uint32_t)(0.010 * rate);
	tg_mono_set(mono, TG_MONO_STEREO, TG_ROUTE_BOTH, 1);
}

void tg_mono_set(TgMono *mono, TgMonoMode mode, TgRoute route, int jump)
{
	static const float laws[TG_MONO_N_MODES][2] = {
		[TG_MONO_STEREO] = {1.0f, 0.0f},
		[TG_MONO_SUM_6DB] = {0.5f, 0.5f},
		[TG_MONO_SUM_3DB] = {0.70710678f, 0.70710678f},
		[TG_MONO_LEFT] = {1.0f, 0.0f},
		[TG_MONO_RIGHT] = {0.0f, 1.0f},
	};
	float t[2][2];
	t[0][0] = laws[mode][0];
	t[0][1] = laws[mode][1];
	if (mode == TG_MONO_STEREO) {
		t[1][0] = 0.0f;
		t[1][1] = 1.0f;
	} else {
		t[1][0] = laws[mode][0];
		t[1][1] = laws[mode][1];
	}
	if (route == TG_ROUTE_LEFT) {
		t[1][0] = t[1][1] = 0.0f;
	} else if (route == TG_ROUTE_RIGHT) {
		t[0][0] = t[0][1] = 0.0f;
	}
	if (jump) {
		memcpy(mono->m, t, sizeof(t));
		memcpy(mono->target, t, sizeof(t));
		mono->pos = mono->len;
	} else if (memcmp(t, mono->target, sizeof(t)) != 0) {
		memcpy(mono->from, mono->m, sizeof(t));
		memcpy(mono->target, t, sizeof(t));
		mono->pos = 0;
	}
}

static void mix(const TgMono *mono, const float *in_l, const float *in_r,
                float *out_l, float *out_r, uint32_t n)
{
	const float m00 = mono->m[0][0], m01 = mono->m[0][1];
	const float m10 = mono->m[1][0], m11 = mono->m[1][1];
	if (!out_r) {
		for (uint32_t i = 0; i < n; ++i) {
			out_l[i] = m00 * in_l[i] + m01 * in_r[i];
		}
		return;
	}
	for (uint32_t i = 0; i < n; ++i) {
		const float l = in_l[i], r = in_r[i];
		out_l[i] = m00 * l + m01 * r;
		out_r[i] = m10 * l + m11 * r;
	}
}

void tg_mono_process(TgMono *mono, const float *in_l, const float *in_r,
                     float *out_l, float *out_r, uint32_t n)
{
	uint32_t i = 0;
	for (; i < n && mono->pos < mono->len; ++i) {
		const float t = (float)(mono->pos + 1) / (float)mono->len;
		for (int o = 0; o < 2; ++o) {
			for (int c = 0; c < 2; ++c) {
				mono->m[o][c] = mono->from[o][c] +
				                t * (mono->target[o][c] - mono->from[o][c]);
			}
		}
		mix(mono, in_l + i, in_r + i, out_l + i, out_r ? out_r + i : NULL, 1);
		if (++mono->pos == mono->len) {
			memcpy(mono->m, mono->target, sizeof(mono->m));
		}
	}
	mix(mono, in_l + i, in_r + i, out_l + i, out_r ? out_r + i : NULL, n - i);
}
