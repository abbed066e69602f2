/* tguard differential checker: the fast chain (chain.h) against the
 * reference (reference.h), block by block, on the same input and controls.
 * Shared by the differential test (host-test/tests/test_reference.c) and the fuzz
 * target fuzz_diff.c.
 *
 * After every block it requires:
 *  - every output sample of the two within TG_DIFF_TOL of the sample
 *    ceiling in force at the end of the block (the reference's c, which
 *    bounds every sample of the block: a lowered ceiling binds at once, a
 *    raised one only rises);
 *  - the same verdict, invariant by invariant (invariants.h), each chain
 *    checked by its own TgInv;
 *  - the same latency, and meters within the tolerances below (gain
 *    reduction and peak only over blocks that decide a sub-block and hold
 *    no fault: their figures depend on how a block splits around a fault);
 * and at the end the same frame and fault counts.
 *
 * The tolerance. Both chains compute the same quantities in float and
 * double, so they part by rounding: float carries 24 bits (6e-8), and a
 * sample passes a few dozen float operations whose errors are relative to
 * the signal (mix, filter output, gains, clamp, guards); the limited
 * output is at most c. Measured, the two stay within 1e-6 c on program
 * material and 1e-5 c elsewhere; 1e-5 c is 0.0001 dB of the limit, 500
 * times finer than the 0.05 dB to which the true peak is guaranteed.
 * The filters' rounding is relative to their input instead: both run in
 * double, but a block state-space kernel and a direct form part by about
 * 1e-14 of the input, which a high-pass may have taken nearly all of (a
 * +52 dBFS DC input leaves 1e-10 of itself). Against a ceiling 170 dB under
 * the input that is more than 1e-5 c, so the tolerance never goes under
 * TG_DIFF_FLOOR = 2^-30 of full scale (-180 dBFS, 1/128 of a 24-bit step,
 * 47 nV at the largest vfs): it matters only where c < 1e-4.
 * At high rates with a low high-pass corner they part by more: a pole pair
 * near z = 1 amplifies rounding by about (fs / (2 pi f))^2, and measured
 * (a +60 dBFS DC step, the 4th-order high-pass at 10 and 80 Hz, 48 to
 * 384 kHz) the two stay within 5e-18 (fs / f)^2 of the input's magnitude:
 * 3.1e-9 of it at 384 kHz and 10 Hz. Both are the specification rounded
 * in double; neither is nearer to it. So the tolerance also never goes
 * under TG_DIFF_FILTER_K (fs / f)^2 (four times that) of the largest input
 * magnitude since activation, times the volume gain, which follows the
 * filter (fuzz_diff found 1.29e-5 c at 384 kHz, 10 Hz, c = 3.2e-4).
 * The rounding lives in the filters' states, so that term belongs to the
 * corner the filters have and to their memory, not to the control: a
 * raised corner glides up (8 ms in log frequency, as the reference
 * specifies), and what was rounded under the lower one leaves the states
 * no faster than the cascade's slowest pole decays, e^(-2 pi f sin(pi/8) t)
 * for the 4th-order Butterworth at the corner f it has. So the term is
 * taken at the lower of the corner's values at a block's start and end, and
 * held, decaying at that rate (fuzz_diff found 3.7e-5 c at 384 kHz when the
 * corner was raised from 10 Hz to 5 kHz: the term had followed the control
 * at once, from 4.4e-6 down to 7e-11 of full scale).
 *
 * Where the specification itself is ill-conditioned, no two roundings of
 * it agree that well, the reference against itself included. Thermal
 * limiting at tau up to about 0.2 s is chaotic: near the limit the thermal
 * gain falls 11 % (and at 0.9994 of it 1750 %) for 1 % more heat, and feeds
 * back through the 50 ms hold, so a one-ulp change of the input grows to
 * 1e-2 of full scale in a second or two. So a third chain, the shadow,
 * runs the reference with the input, vfs and i_rms moved by TG_DIFF_SHADOW_EPS
 * (faults left as they are). That is at least ten times the fast chain's
 * own departure in every direction (float rounds to 6e-8; its heat sums
 * part from the reference's by 1e-8 to 1e-7, against the shadow's 2e-6), so
 * where the shadow stays within TG_DIFF_SHADOW_ILL times the tolerance, the
 * fast chain, amplified alike, stays within a fifth of it. Where the
 * envelope of |shadow - ref| / c (its peak, decaying by e^-1 in
 * TG_DIFF_SHADOW_DECAY_S) exceeds that, or its heat meter
 * departs from the reference's, the chain is ill-conditioned, and stays so
 * for the rest of the run, activations included (the heat is the coil's, and
 * outlives them): the heat estimate keeps the memory of such an
 * episode (it only decays, by the same factor in every chain, so its
 * relative difference stays). Its output is then not compared, only the
 * verdicts are, and neither are the meters that follow the signal (heat,
 * gain reduction, peak). Such frames are counted and their worst difference
 * reported. Elsewhere the plain tolerance holds.
 *
 * Where the per-frame RMS guard acts, the frames it scales are ill-
 * conditioned too, by design: it scales a frame to the current whose heat
 * reaches the bound, sqrt((b2 - (1 - alpha) ms) / alpha), so a relative
 * change eps of the heat estimate moves that frame by up to eps / (2 alpha)
 * relatively (alpha = 1 / (tau fs): 2.4e5 times at tau 60 s and 8 kHz).
 * The two chains' heats part by float sums (1e-7) and, after new limits,
 * by the fast chain's allowance for them (1.07e-6, limiter.c rebind). So
 * with the shadow on, a block in which either chain's RMS guard acted is
 * set aside from its first frame until those frames are out (the latency
 * after the block), its signal meters too; only the verdicts are compared
 * (fuzz_diff found 7.2e-5 c at 8 kHz, tau 60 s, after the limits changed).
 *
 * The thermal loop's conditioning is also known in closed form, and the
 * shadow alone may show it late: with the heat at the fraction rho of the
 * limit squared, the thermal gain is g = (1 - rho) / (1 - 0.81), a relative
 * change of the heat moves it rho / (1 - rho) times as much, and the loop
 * (gain 2 / (0.19 g) on the heat, alpha = 1 / (tau fs) per frame, through
 * the 50 ms hold) has a gain of the order of 0.53 s / (g tau). Measured,
 * it is chaotic at g tau = 0.02 s and 0.0045 s (tau = 3 s, the output 60 dB
 * over the RMS limit: g = 0.0015), on the edge at 0.08 s, and well-behaved
 * at 0.4 s and over (the presets at tau 1 to 3 s). So the reference runs in pieces of
 * TG_DIFF_PIECE frames (its output does not depend on how its calls are
 * cut), and a piece is ill-conditioned too when, at its start or end, the
 * reference's heat meter is over
 * TG_DIFF_THERMAL_RHO of the limit squared and g tau < TG_DIFF_THERMAL_GT_S
 * (five times the edge). The limit is the one in force: a raised RMS limit
 * glides up at rise_db_s, and until it arrives the heat stands against the
 * lower one (fuzz_diff found the thermal loop chaotic at tau 0.05 s while
 * i_rms_ma was gliding from 10 to 3247 mA).
 *
 * The thermal gains' gap. Where the conditioning is good, the fast chain's
 * heat may still stand over the reference's by a known amount: the
 * rebinds' add-backs (unwind2, below: 1.07e-6 of the heat before, which
 * can be a large part of a limit lowered far under it), and the heat of
 * outputs within TG_DIFF_TOL of each other, 2 TG_DIFF_TOL of the heat. So
 * a = unwind2 + 2 TG_DIFF_TOL ec. The thermal gain (L^2 - ec) /
 * (L^2 (1 - knee^2)), 1 under the knee, of a heat over the reference's by
 * at most a is at least 1 - a / (L^2 - max(ec, knee^2 L^2)) = 1 - s of the
 * reference's; the other gains multiply it, and the hold (a minimum) and
 * the rise glide (a common factor per sub-block) keep such a ratio. So
 * every output sample may part from the reference's y by s |y| besides the
 * tolerance above, the gain reduction meter by -20 log10(1 - s) dB and the
 * peak meter by s of itself; s is taken at the reference's highest heat
 * over the block and the last block's end (the heat before new limits
 * left out: those gains stood against the old limit), at the RMS limit in
 * force, and held, decaying with the heat's slower stage as unwind2 does.
 * Where s reaches 1 the fast output may be anything between 0 and the
 * reference's. (fuzz_diff found a gain 1.6 % under the reference's, 1.35e-5
 * c, at 8 kHz with the input 4,000 times over the ceiling: the limits had
 * fallen 125,000 times under a heat of 0.31 mA^2 and the heat then rose to
 * 0.905 of the new limit squared, where s is 0.065; the finding uses 0.25
 * of the tolerance so derived.)
 */
#ifndef TG_DIFF_H
#define TG_DIFF_H

#include <stdint.h>

#include "chain.h"
#include "heat.h"
#include "invariants.h"
#include "reference.h"

/* Output samples: |fast - reference| <= TG_DIFF_TOL * c + TG_DIFF_FLOOR
 * where the shadow stays within TG_DIFF_SHADOW_ILL times that. */
#define TG_DIFF_TOL 1e-5
#define TG_DIFF_FLOOR 9.313225746154785e-10 /* 2^-30 */
#define TG_DIFF_FILTER_K 2e-17 /* of the input, times (fs / f_hpf)^2 */
#define TG_DIFF_GLIDE_S 0.008  /* the filters' corner glide (reference.c, REF_FILTER_GLIDE_S) */
#define TG_DIFF_SLOWEST_POLE 0.3826834323650898 /* sin(pi / 8): a 4th-order Butterworth's least damping */
#define TG_DIFF_SHADOW_EPS 1e-6
#define TG_DIFF_SHADOW_DECAY_S 0.25
#define TG_DIFF_SHADOW_ILL 2.0
#define TG_DIFF_PIECE 64 /* frames: the reference's calls, where the heat is sampled */
#define TG_DIFF_THERMAL_RHO 0.75 /* under the knee, 0.81, where g = 1 */
#define TG_DIFF_THERMAL_GT_S 0.4
/* Meters. */
#define TG_DIFF_RAMP_TOL 1e-6     /* soft-start progress, absolute */
#define TG_DIFF_CEILING_TOL 1e-4  /* dB */
/* The heat meter: within 1e-4 of the larger and 1e-6 mA, or (in mA^2)
 * 2e-6 of the largest heat since activation. New limits unwind the heat of
 * the frames not yet out, subtracting nearly equal heats; the fast chain
 * sums a sub-block's heat in float (6e-8 of the sum) and unwinds it in
 * double. Where the limit fell under the heat it then adds back the float
 * error bound, (TG_SUB_MAX + 2) 2^-24 = 1.07e-6 of the heat before
 * (limiter.c, rebind), so that the heat of the frames already out is never
 * under-counted: what is left stands over the reference's by that much.
 * The heat outlives activations, so those add-backs pile up: each change of
 * limits adds TG_DIFF_HEAT_FLOOR of the largest heat to the allowance
 * (unwind2), which then decays no faster than the heat's slower stage.
 * And never closer than the outputs it is summed from need be: the heat
 * is an exponentially weighted mean square of the drive current, and for
 * two such means over the same weights the triangle inequality of the
 * weighted L2 norm gives |rms(a) - rms(b)| <= rms(a - b): the coil's heat
 * is a sum of the frames' i^2 with the two-stage model's weights (heat.h),
 * positive and summing to at most 1, the same for both chains. Each frame
 * of the two parts by at most the output bound (above), in mA at the
 * drive's full-scale voltage, so the meters part by at most the model's
 * own weighted mean of that bound squared (heat_floor), kept over the
 * whole run as the heat is, activations and idle time included:
 * a bound held over the heat's memory, not the present block's alone
 * (fuzz_diff found the meters 1.7e-6 mA apart at 8 kHz under a ceiling of
 * 5e-7, where the outputs may part by 2^-30 of full scale). */
#define TG_DIFF_RMS_TOL 1e-4
#define TG_DIFF_HEAT_FLOOR 2e-6
#define TG_DIFF_GR_TOL 0.01       /* dB, above -100 dB */
/* The peak meter: within 1e-4 of the larger (the detectors' float
 * rounding), and never closer than the outputs themselves need be: the
 * output bound (above) times the detector's gain on a difference, the L1
 * norm of its phases (tp_l1, 2.25 at the half-sample phase), in mA at the
 * drive's full-scale voltage (and at least 1e-6 mA). Under a ceiling of
 * 5e-7 (-126 dBFS) the output's floor, 2^-30 of full scale, allowed the
 * meters 3.8e-5 mA apart where a fixed 1e-6 mA was asked (fuzz_diff's
 * hour found them 2.0e-6 mA apart at 8 kHz). */
#define TG_DIFF_PEAK_TOL 1e-4

typedef struct {
	TgChain *fast;
	TgRefChain *ref;
	TgRefChain *shadow; /* the reference on the input, vfs and i_rms moved by TG_DIFF_SHADOW_EPS */
	double env;         /* envelope of |shadow - ref| / c */
	double heat_peak;   /* the largest heat meter of the reference since activation, mA^2 */
	TgHeat heat_floor;  /* the heat model's weighted mean of the output bound squared, mA^2 */
	TgHeatModel heat_m; /* the model of the last block */
	double unwind2;     /* the rebinds' add-backs still in the heat, mA^2 (TG_DIFF_HEAT_FLOOR) */
	double ec_prev;     /* the reference's heat at the last block's end, mA^2 */
	double therm_share; /* the thermal gains' largest relative gap, held (thermal_share) */
	TgParams last;      /* the sanitised controls of the last block */
	int have_last;
	double in_peak;     /* the largest input magnitude since activation (faults left out) */
	double hp_f;        /* the high-pass corner the filters have, gliding as specified */
	double filter_held; /* the filters' term, held over their memory (filter_floor) */
	double tp_l1;       /* the true-peak detector's largest gain on a difference */
	int ill;            /* ill-conditioned once: for good, as the heat outlives activations */
	int thermal_ill;    /* the end of the last block was so: 1 thermal loop, 2 shadow's heat */
	double env_decay;   /* per frame */
	TgInv inv_fast, inv_ref;
	double rate;
	uint32_t n_in, n_out, latency;
	int sum;
	uint64_t frame; /* output frames since activation */
	/* figures */
	double worst_tol;     /* highest |fast - ref| / the tolerance (see above): <= 1 */
	double worst;         /* highest |fast - ref| / c */
	double worst_abs;     /* highest |fast - ref|, of full scale */
	uint64_t worst_frame; /* where the highest / c was (frames since the start) */
	double worst_c;       /* the c there */
	double worst_shadow;  /* highest |shadow - ref| / c over the frames compared */
	double worst_ill;     /* highest |fast - ref| / c over the ill-conditioned frames */
	uint64_t ill_frames;  /* frames not compared: the shadow showed ill-conditioning */
	/* What made the chain ill-conditioned: the shadow's output, the
	 * shadow's heat, the thermal loop's gain, the RMS guard acting (counted
	 * once per episode). */
	unsigned ill_by_output, ill_by_heat, ill_by_thermal, ill_by_guard;
	uint64_t guard_ill_left; /* frames still set aside after the RMS guard acted */
	double irms_force;       /* the RMS limit in force, mA, as the glide allows at most */
	double worst_ramp, worst_ceiling_db, worst_rms, worst_gr_db, worst_peak; /* meters */
	uint64_t frames_all;  /* frames since the start, activations included */
	uint64_t divergences;
	char first[320]; /* the first divergence */
	int trap;        /* each divergence goes to tg_inv_fail() */
} TgDiff;

/** Both chains for that rate and layout, and the checkers; trap: report
 * each divergence to tg_inv_fail() (the fuzz target); shadow: run the
 * shadow and set ill-conditioned frames aside, else (strict) compare every
 * frame. 0 on success; -1 when both chains refuse the rate or layout, or
 * memory runs out; -2 when only one refuses, or their latencies differ. */
int tg_diff_init(TgDiff *d, double rate, uint32_t n_in, uint32_t n_out, int trap, int shadow);
void tg_diff_free(TgDiff *d);

/** Activate both chains (and the checkers) with p. */
void tg_diff_activate(TgDiff *d, const TgParams *p);

/** Both chains (and the checkers) did not run for s seconds. */
void tg_diff_idle(TgDiff *d, double s);

/** One block of n frames through both chains, with the controls p
 * as a host gives them; in_place: each chain writes over its own copy of
 * the input; fast_meters: the fast chain is asked for meters (the
 * reference always is). Returns the divergences found in the block. */
uint64_t tg_diff_block(TgDiff *d, const float *const *in, uint32_t n, const TgParams *p,
                       int in_place, int fast_meters);

/** The final comparison (stats); returns the divergences found. */
uint64_t tg_diff_finish(TgDiff *d);

#endif
