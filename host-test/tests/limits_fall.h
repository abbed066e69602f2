/* A scenario two test programs share: the limits fall far under the heat
 * of a lookahead just filled (test_heat.c, the fast chain's heat against
 * the exact one; test_reference.c, the outputs of the two chains). 8 kHz
 * mono: a warm coil cools at tau 0.01 s in silence; the last 55 frames
 * before frame TG_FALL_AT bring 3 mA^2 of heat at 8 ohm and 1 V, then at
 * TG_FALL_AT i_rms 3.2 -> 0.1 mA and tau 0.01 -> 60 s, with a quieter sine
 * that heats the coil to near the new limit. */
#ifndef TG_LIMITS_FALL_H
#define TG_LIMITS_FALL_H

#include <math.h>
#include <stdint.h>

#include "chain.h"

#define TG_FALL_RATE 8000.0
#define TG_FALL_AT 20480u /* a multiple of 512 */

/** The controls before the fall. */
static inline void tg_fall_params(TgParams *p)
{
	tg_params_default(p);
	p->i_rms_ma = 3.2f;
	p->tau_s = 0.01f;
	p->i_peak_ma = 1000.0f;
	p->ramp_s = 0.01f;
	p->z_ohm = 8.0f;
	p->vfs = 1.0f;
}

/** The controls at and after it. */
static inline void tg_fall_lower(TgParams *p)
{
	p->i_rms_ma = 0.1f;
	p->tau_s = 60.0f;
}

/** The input at frame f. */
static inline float tg_fall_input(uint64_t f)
{
	if (f + 55 < TG_FALL_AT) {
		return 0.0f;
	}
	return (float)((f < TG_FALL_AT ? 0.07 : 0.02) * sin(0.3 * (double)f));
}

#endif
