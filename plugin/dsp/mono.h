/* tguard: mono summing with pan laws, and routing to one output.
 *
 * A single transducer or a retasked jack carries one channel; summing keeps
 * both sides of a stereo mix audible at a predictable level. Mode and route
 * become a 2x2 gain matrix that glides to its new value in a few
 * milliseconds, so switching never clicks.
 *
 * TgMono's fields are this module's own: other modules use the functions
 * and accessors below (host-test/tests/check-private.sh, run by make
 * check, holds plugin/ to that).
 */
#ifndef TG_MONO_H
#define TG_MONO_H

#include <stdint.h>

typedef enum {
	TG_MONO_STEREO = 0, /* no sum */
	TG_MONO_SUM_6DB,    /* (L+R)/2: a centred source keeps its level */
	TG_MONO_SUM_3DB,    /* (L+R)/sqrt(2): uncorrelated sides keep their power */
	TG_MONO_LEFT,
	TG_MONO_RIGHT,
	TG_MONO_N_MODES
} TgMonoMode;

typedef enum { TG_ROUTE_BOTH = 0, TG_ROUTE_LEFT, TG_ROUTE_RIGHT, TG_ROUTE_N } TgRoute;

typedef struct {
	float m[2][2];      /* out[o] = m[o][0] * in_l + m[o][1] * in_r */
	float from[2][2];
	float target[2][2];
	uint32_t pos;       /* frames into the glide; len when settled */
	uint32_t len;
} TgMono;

void tg_mono_init(TgMono *mono, double rate);

/** Choose the matrix; with jump set (at activation) it applies at once. */
void tg_mono_set(TgMono *mono, TgMonoMode mode, TgRoute route, int jump);

/** Whether the matrix is settled with both outputs the same mix. */
static inline int tg_mono_twin(const TgMono *mono)
{
	return mono->pos >= mono->len && mono->m[0][0] == mono->m[1][0] &&
	       mono->m[0][1] == mono->m[1][1];
}

/** The gain from input in (0 left, 1 right) to output out, now. */
static inline float tg_mono_gain(const TgMono *mono, int out, int in) { return mono->m[out][in]; }

/** out_l/out_r may alias in_l/in_r; in_r may equal in_l for a mono source.
 * out_r may be NULL when only the first output is wanted (a twin). */
void tg_mono_process(TgMono *mono, const float *in_l, const float *in_r,
                     float *out_l, float *out_r, uint32_t n);

#endif
