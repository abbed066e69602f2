/* tguard: the coil's heat, a two-stage thermal model, and its lifecycle.
 *
 * The model. A voice coil heats in seconds and its magnet and frame in
 * minutes (speakersafetyd, Asahi Linux: tau_c 2.3 to 3.1 s, tau_m 61 to
 * 192 s, the magnet path holding more than half of the steady rise). In
 * units of the current squared, i^2 (A^2), with k the magnet path's share
 * of the steady rise, Rm / (Rc + Rm), per frame:
 *
 *     em <- em + am (k i^2 - em)
 *     ec <- ec + ac (em + (1 - k) i^2 - ec),     a = 1 - e^(-1 / (tau fs))
 *
 * em is the magnet's rise, ec the coil's (its own over the magnet's). In
 * steady state em = k i^2 and ec = i^2, so the RMS limit keeps its meaning,
 * the current the transducer takes continuously, and applies to sqrt(ec).
 * With k = 0, em stays 0 and ec is the one-pole mean square the limiter
 * always had: every operation below then gives the same bits as
 * ms + a (i^2 - ms) (a test holds them to it).
 *
 * The lifecycle. The heat is the coil's, not the plugin instance's:
 *  - activation keeps it; the time the plugin spent deactivated cools it
 *    as the model cools with no current (tg_heat_cool), so the heat
 *    computed over a host session's continuous output, pauses included,
 *    stays under the bound;
 *  - changing a limit or a time constant keeps it (in A^2, physical);
 *  - a new instance cannot know how hot the coil is, so it starts warm
 *    (tg_heat_warm), as speakersafetyd does after a restart: as if driven
 *    steadily at the thermal stage's onset, TG_THERMAL_KNEE of the RMS
 *    limit, each stage at its steady state for that current.
 *
 * TgHeatModel and TgHeat are this module's: the limiter and the chain hold
 * them and use these functions.
 */
#ifndef TG_HEAT_H
#define TG_HEAT_H

#include <math.h>
#include <stdint.h>

typedef struct {
	double bc, bm; /* per frame: e^(-1 / (tau fs)), coil and magnet */
	double ac, am; /* 1 - b */
	double k;      /* the magnet path's share of the steady rise, 0 .. 0.9 */
	double k1;     /* 1 - k */
	double rate;
} TgHeatModel;

typedef struct {
	double ec; /* the coil's heat, A^2: the estimate the RMS limit applies to */
	double em; /* the magnet's, A^2 */
} TgHeat;

/** The model for the rate and the controls (tau in s, k clamped 0 .. 0.9). */
void tg_heat_model(TgHeatModel *m, double rate, double tau_coil_s, double tau_magnet_s,
                   double magnet_share);

/** One frame at the current i (A). */
static inline void tg_heat_step(const TgHeatModel *m, TgHeat *h, double i_a)
{
	const double i2 = i_a * i_a;
	h->em = h->em + m->am * (m->k * i2 - h->em);
	h->ec = h->ec + m->ac * (h->em + m->k1 * i2 - h->ec);
}

/** The step undone: the state before the frame at i (A), each stage at
 * least 0 (rebinding new limits unwinds frames not yet out). */
static inline void tg_heat_unstep(const TgHeatModel *m, TgHeat *h, double i_a)
{
	const double i2 = i_a * i_a;
	/* The magnet's input before the coil's, as the step takes them. */
	const double ec = (h->ec - (m->ac * h->em + m->ac * m->k1 * i_a * i_a)) / (1.0 - m->ac);
	const double em = (h->em - m->am * m->k * i2) / (1.0 - m->am);
	h->ec = ec > 0.0 ? ec : 0.0;
	h->em = em > 0.0 ? em : 0.0;
}

/* The coil's heat after one frame is linear in i^2: ec' = P + Q i^2, with
 *     P = (1 - ac) ec + ac (1 - am) em,   Q = ac (am k + 1 - k). */
static inline double tg_heat_p(const TgHeatModel *m, const TgHeat *h)
{
	return (1.0 - m->ac) * h->ec + m->ac * ((1.0 - m->am) * h->em);
}
static inline double tg_heat_q(const TgHeatModel *m) { return m->ac * (m->am * m->k + m->k1); }

/** Whether a frame at i (A) would carry the coil's heat over b2 (A^2). */
static inline int tg_heat_over(const TgHeatModel *m, const TgHeat *h, double i_a, double b2)
{
	return tg_heat_p(m, h) + tg_heat_q(m) * i_a * i_a > b2;
}

/** The largest current (A) a frame may carry and keep the coil's heat at
 * most b2: sqrt((b2 - P) / Q), 0 when there is no room. */
static inline double tg_heat_room(const TgHeatModel *m, const TgHeat *h, double b2)
{
	const double room = (b2 - tg_heat_p(m, h)) / tg_heat_q(m);
	return room > 0.0 ? sqrt(room) : 0.0;
}

/** The steady state for a current of i_rms (A): em = k i^2, ec = i^2. */
void tg_heat_warm(const TgHeatModel *m, TgHeat *h, double i_rms);

/** Cooling with no current for seconds s (the plugin deactivated): the
 * model's own recursion over floor(s fs) frames of silence, in closed
 * form. A
 * negative or NaN s cools nothing. */
void tg_heat_cool(const TgHeatModel *m, TgHeat *h, double s);

/** Whether a sub-block whose largest |y| per frame squared sum to sq (in
 * samples; amps2: A^2 per sample squared) keeps the coil's heat h at most
 * b2 at every frame, whatever their order (safety.h, the RMS guard). */
static inline int tg_heat_closed_form_safe(const TgHeatModel *m, const TgHeat *h, double amps2,
                                           float sq, double b2)
{
	const double ac1 = m->ac * m->k1;
	const double em_hi = h->em + m->am * m->k * amps2 * (double)sq * 1.0001;
	const double ec_hi = h->ec > em_hi ? h->ec : em_hi;
	return ec_hi + ac1 * amps2 * (double)sq * 1.0001 <= b2;
}

/** Add to h the float error bound of a closed form over sub-blocks of sub
 * frames, (sub + 2) 2^-24 of the heat `summed` it was summed into. */
static inline void tg_heat_float_allowance(TgHeat *h, const TgHeat *summed, uint32_t sub)
{
	h->ec += (double)(sub + 2) * 0x1p-24 * summed->ec;
	h->em += (double)(sub + 2) * 0x1p-24 * summed->em;
}

#endif
