/* tguard: soft-start ramp and rate-limited gain glides.
 *
 * A transducer is safest when its level starts from silence and only rises
 * slowly: the ramp runs 0 -> 1 with zero slope at both ends at every start
 * and after faults; a glide lets a gain fall fast but rise at a fixed rate in
 * dB/s (volume, and any increase of the current ceiling).
 *
 * TgRamp's and TgGlide's fields are this module's own: other modules use
 * the functions and accessors below (host-test/tests/check-private.sh, run
 * by make check, holds plugin/ to that).
 */
#ifndef TG_RAMP_H
#define TG_RAMP_H

#include <math.h>
#include <stdint.h>

typedef struct {
	double phase; /* 0 .. 1 */
	double step;  /* phase increment per frame */
	double len;   /* 1 / step: the ramp's length in frames */
	double frame; /* frames since the start, a whole number */
	uint32_t grid; /* frames between points of the curve, a power of two */
} TgRamp;

/** Set the ramp's duration; a running ramp keeps its progress. */
void tg_ramp_set_time(TgRamp *ramp, double rate, double seconds);

/** Start again from silence. */
void tg_ramp_restart(TgRamp *ramp);

/** Write the next n gains of the raised-cosine ramp to gain[]. */
void tg_ramp_process(TgRamp *ramp, float *gain, uint32_t n);

/** The progress, 0 .. 1: 1 once the ramp is over. */
static inline double tg_ramp_phase(const TgRamp *ramp) { return ramp->phase; }

typedef struct {
	double value;    /* current linear gain, > 0 */
	double rise;     /* multiplier per frame while rising */
	double fall;     /* log-domain one-pole coefficient while falling; 1 = at once */
} TgGlide;

/** Jump straight to value (at activation). */
void tg_glide_reset(TgGlide *glide, double value);

/** Rises limited to rise_db_s; falls with time constant fall_s (0: at once). */
void tg_glide_set_rates(TgGlide *glide, double rate, double rise_db_s, double fall_s);

/** The current gain. */
static inline double tg_glide_value(const TgGlide *glide) { return glide->value; }

/** Advance one frame towards target (> 0) and return the new value. */
static inline double tg_glide_next(TgGlide *glide, double target)
{
	double v = glide->value;
	if (v < target) {
		v *= glide->rise;
		if (v > target) {
			v = target;
		}
	} else if (v > target) {
		/* One-pole in the log domain: the remaining fall in dB decays
		 * exponentially, however deep it is. */
		v = glide->fall >= 1.0 ? target : v * exp(glide->fall * log(target / v));
		/* Snap once inaudibly close, so steady state is exact. */
		if (v - target < 1e-7 * target) {
			v = target;
		}
	}
	glide->value = v;
	return v;
}

#endif
