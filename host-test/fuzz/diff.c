/* tguard differential checker (see diff.h). */
#include "diff.h"

#include "limiter.h"
#include "safety.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define TG_DIFF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TG_DIFF_PRINTF(a, b)
#endif

static void diverge(TgDiff *d, const char *fmt, ...) TG_DIFF_PRINTF(2, 3);

static void diverge(TgDiff *d, const char *fmt, ...)
{
	char msg[sizeof(d->first) - 64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char where[sizeof(d->first)];
	snprintf(where, sizeof(where), "at %.0f Hz, %u in / %u out, frame %llu: %s", d->rate,
	         d->n_in, d->n_out, (unsigned long long)d->frames_all, msg);
	if (d->divergences++ == 0) {
		memcpy(d->first, where, sizeof(where));
	}
	if (d->trap) {
		char line[sizeof(where) + 32];
		snprintf(line, sizeof(line), "(fast against reference) %s", where);
		tg_inv_fail(line);
	}
}

int tg_diff_init(TgDiff *d, double rate, uint32_t n_in, uint32_t n_out, int trap, int shadow)
{
	memset(d, 0, sizeof(*d));
	d->rate = rate;
	d->n_in = n_in;
	d->n_out = n_out;
	d->sum = n_in == 2 && n_out == 1;
	d->trap = trap;
	d->fast = tg_chain_new(rate, n_in, n_out);
	d->ref = tg_ref_chain_new(rate, n_in, n_out);
	d->shadow = shadow ? tg_ref_chain_new(rate, n_in, n_out) : NULL;
	if (!d->fast || !d->ref || (shadow && !d->shadow)) {
		const int one = d->fast || d->ref;
		const int both = d->fast && d->ref;
		tg_chain_free(d->fast);
		tg_ref_chain_free(d->ref);
		tg_ref_chain_free(d->shadow);
		d->fast = NULL;
		d->ref = d->shadow = NULL;
		return one && !both ? -2 : -1;
	}
	d->env_decay = exp(-1.0 / (TG_DIFF_SHADOW_DECAY_S * rate));
	/* The detector's largest gain on a difference of two outputs: the
	 * L1 norm of its phases (each at least the sample itself, 1). */
	TgTruePeak tp;
	tg_tp_init(&tp);
	d->tp_l1 = 1.0;
	for (int ph = 0; ph < TG_TP_OVERSAMPLE - 1; ++ph) {
		double l1 = 0.0;
		for (int k = 0; k < TG_TP_TAPS; ++k) {
			l1 += fabs((double)tp.h[ph][k]);
		}
		d->tp_l1 = l1 > d->tp_l1 ? l1 : d->tp_l1;
	}
	d->latency = tg_chain_latency(d->fast);
	const int same_latency = tg_ref_chain_latency(d->ref) == d->latency;
	if (!same_latency || tg_inv_init(&d->inv_fast, rate, n_in, n_out, d->latency, 0) != 0 ||
	    tg_inv_init(&d->inv_ref, rate, n_in, n_out, d->latency, 0) != 0) {
		tg_diff_free(d);
		return same_latency ? -1 : -2;
	}
	return 0;
}

void tg_diff_free(TgDiff *d)
{
	tg_chain_free(d->fast);
	tg_ref_chain_free(d->ref);
	tg_ref_chain_free(d->shadow);
	d->fast = NULL;
	d->ref = d->shadow = NULL;
	tg_inv_free(&d->inv_fast);
	tg_inv_free(&d->inv_ref);
}

void tg_diff_activate(TgDiff *d, const TgParams *p)
{
	tg_chain_activate(d->fast, p);
	tg_ref_chain_activate(d->ref, p);
	if (d->shadow) {
		tg_ref_chain_activate(d->shadow, p);
	}
	d->env = 0.0;
	d->in_peak = 0.0;
	d->guard_ill_left = 0;
	TgParams pq = *p;
	tg_params_sanitize(&pq, d->sum);
	d->irms_force = (double)pq.i_rms_ma;
	d->hp_f = (double)pq.hpf_hz; /* activation: the filters jump to the controls */
	d->filter_held = 0.0;
	/* The heat outlives the activation, and with it what the two chains'
	 * heats part by: after an ill-conditioned episode nothing makes them
	 * agree again, so it stays ill (no longer reset here). */
	d->thermal_ill = 0;
	tg_inv_activate(&d->inv_fast);
	tg_inv_activate(&d->inv_ref);
	d->frame = 0;
}

void tg_diff_idle(TgDiff *d, double s)
{
	tg_chain_idle(d->fast, s);
	tg_ref_chain_idle(d->ref, s);
	if (d->shadow) {
		tg_ref_chain_idle(d->shadow, s);
	}
	tg_inv_idle(&d->inv_fast, s);
	tg_inv_idle(&d->inv_ref, s);
	tg_heat_cool(&d->heat_m, &d->heat_floor, s);
}

static double larger(double a, double b) { return a > b ? a : b; }
static uint64_t larger_u(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* Whether the thermal loop is ill-conditioned at the heat meter rms_ma
 * (see diff.h), under the sanitised controls p. */
static int thermal_ill(double rms_ma, double limit_ma, const TgParams *p)
{
	const double ratio = rms_ma / limit_ma;
	const double rho = ratio * ratio;
	if (!(rho > TG_DIFF_THERMAL_RHO)) {
		return 0;
	}
	const double knee2 = TG_THERMAL_KNEE * TG_THERMAL_KNEE;
	double g = (1.0 - rho) / (1.0 - knee2);
	g = g < 1e-6 ? 1e-6 : (g > 1.0 ? 1.0 : g);
	return g * (double)p->tau_s < TG_DIFF_THERMAL_GT_S;
}

/* The largest relative gap the fast chain's heat can open between the
 * two thermal gains (diff.h, the thermal gains' gap): the fast heat stands
 * over the reference's ec by at most a = unwind2 (the rebinds' add-backs)
 * + 2 TG_DIFF_TOL ec (outputs within TG_DIFF_TOL of each other relative to
 * the signal); the thermal gain (L^2 - ec) / (L^2 (1 - knee^2)), 1 under
 * the knee, then sits at least (1 - a / (L^2 - max(ec, knee^2 L^2))) of the
 * reference's. ec_hi: the reference's highest heat over the block. */
static double thermal_share(const TgDiff *d, double ec_hi)
{
	const double l2 = d->irms_force * d->irms_force;
	const double knee2 = TG_THERMAL_KNEE * TG_THERMAL_KNEE;
	const double a = d->unwind2 + 2.0 * TG_DIFF_TOL * ec_hi;
	if (!(a > 0.0) || ec_hi + a <= knee2 * l2) {
		return 0.0; /* both under the knee: both gains 1 */
	}
	const double room = l2 - larger(ec_hi, knee2 * l2);
	return room > a ? a / room : 1.0;
}

/* The verdicts of the two checkers, invariant by invariant. */
static void compare_verdicts(TgDiff *d)
{
	for (int k = 0; k < TG_INV_N_KINDS; ++k) {
		const uint64_t a = d->inv_fast.by_kind[k], b = d->inv_ref.by_kind[k];
		if (a != b) {
			diverge(d, "verdict on \"%s\": fast %llu violations, reference %llu (first: %s)",
			        tg_inv_kind_names[k], (unsigned long long)a, (unsigned long long)b,
			        a ? d->inv_fast.first : d->inv_ref.first);
			/* Report each difference once. */
			d->inv_fast.by_kind[k] = d->inv_ref.by_kind[k] = a > b ? a : b;
		}
	}
}

static void compare_meters(TgDiff *d, const TgMeters *a, const TgMeters *b, int conditioned,
                           int sub_clean, double peak_floor_ma, double heat_floor_ma)
{
	if (a->latency != b->latency) {
		diverge(d, "latency meter %g against %g", (double)a->latency, (double)b->latency);
	}
	const double dr = fabs((double)a->ramp - (double)b->ramp);
	d->worst_ramp = larger(d->worst_ramp, dr);
	if (!(dr <= TG_DIFF_RAMP_TOL)) {
		diverge(d, "ramp meter %.9g against %.9g", (double)a->ramp, (double)b->ramp);
	}
	const double dc = fabs((double)a->ceiling_db - (double)b->ceiling_db);
	d->worst_ceiling_db = larger(d->worst_ceiling_db, dc);
	if (!(dc <= TG_DIFF_CEILING_TOL)) {
		diverge(d, "ceiling meter %.9g dB against %.9g dB", (double)a->ceiling_db,
		        (double)b->ceiling_db);
	}
	const double rms = larger(a->rms_ma, b->rms_ma);
	const double drms = fabs((double)a->rms_ma - (double)b->rms_ma);
	const double dheat = fabs((double)a->rms_ma * a->rms_ma - (double)b->rms_ma * b->rms_ma);
	if (!conditioned) {
		return;
	}
	const double unwound = larger(TG_DIFF_HEAT_FLOOR * d->heat_peak, d->unwind2);
	if (dheat > unwound) {
		d->worst_rms = larger(d->worst_rms, rms > 0.0 ? drms / rms : 0.0);
	}
	if (!(drms <= TG_DIFF_RMS_TOL * rms + 1e-6 + heat_floor_ma || dheat <= unwound)) {
		diverge(d, "rms meter %.9g mA against %.9g mA", (double)a->rms_ma, (double)b->rms_ma);
	}
	if (!sub_clean) {
		return;
	}
	if (a->gr_db > -100.0f || b->gr_db > -100.0f) {
		const double dg = fabs((double)a->gr_db - (double)b->gr_db);
		d->worst_gr_db = larger(d->worst_gr_db, dg);
		/* The thermal gains' gap (thermal_share), in dB. */
		const double th_db = d->therm_share < 1.0 ? -20.0 * log10(1.0 - d->therm_share) : INFINITY;
		if (!(dg <= TG_DIFF_GR_TOL + th_db)) {
			diverge(d, "gain reduction meter %.9g dB against %.9g dB", (double)a->gr_db,
			        (double)b->gr_db);
		}
	}
	const double pk = larger(a->peak_ma, b->peak_ma);
	const double dp = fabs((double)a->peak_ma - (double)b->peak_ma);
	d->worst_peak = larger(d->worst_peak, pk > 0.0 ? dp / pk : 0.0);
	if (!(dp <= (TG_DIFF_PEAK_TOL + d->therm_share) * pk + peak_floor_ma)) {
		diverge(d, "peak meter %.9g mA against %.9g mA", (double)a->peak_ma, (double)b->peak_ma);
	}
}

/* The filters' term of the tolerance for a block of n frames (diff.h):
 * the high-pass corner the filters have (gliding towards the control as
 * the reference specifies), the lower of its values at the block's start
 * and end, and the rounding they accumulated under a lower corner before,
 * held and left to decay no faster than the cascade's slowest pole. */
static double filter_floor(TgDiff *d, const TgParams *pq, uint32_t n)
{
	const double f0 = d->hp_f;
	d->hp_f = f0 * pow((double)pq->hpf_hz / f0, 1.0 - exp(-(double)n / (TG_DIFF_GLIDE_S * d->rate)));
	const double f = f0 < d->hp_f ? f0 : d->hp_f;
	double now = 0.0;
	if (pq->hpf_order > 0.0f) {
		const double k = d->rate / f;
		const double vol = pow(10.0, (double)pq->volume_db / 20.0);
		/* The mix into the filter is at most the sum of the inputs. */
		now = TG_DIFF_FILTER_K * k * k * d->in_peak * (double)d->n_in * (vol > 1.0 ? vol : 1.0);
	}
	const double held = larger(now, d->filter_held);
	d->filter_held = larger(now, d->filter_held * exp(-TG_DIFF_SLOWEST_POLE * 6.283185307179586 * f * (double)n / d->rate));
	return held;
}

uint64_t tg_diff_block(TgDiff *d, const float *const *in, uint32_t n, const TgParams *p,
                       int in_place, int fast_meters)
{
	const uint64_t before = d->divergences;
	/* Each chain gets the same input; in place, each its own copy. The
	 * buffers have the block's exact size, so a sanitizer sees any access
	 * past its end. */
	float *out_fast[2] = {NULL, NULL}, *out_ref[2] = {NULL, NULL}, *sh[2] = {NULL, NULL};
	int ok = 1;
	for (uint32_t ch = 0; ch < d->n_out || ch < d->n_in; ++ch) {
		out_fast[ch] = malloc(n ? n * sizeof(float) : 1);
		out_ref[ch] = malloc(n ? n * sizeof(float) : 1);
		sh[ch] = malloc(n ? n * sizeof(float) : 1);
		ok = ok && out_fast[ch] && out_ref[ch] && sh[ch];
	}
	if (!ok) {
		for (uint32_t ch = 0; ch < 2; ++ch) {
			free(out_fast[ch]);
			free(out_ref[ch]);
			free(sh[ch]);
		}
		diverge(d, "out of memory");
		return d->divergences - before;
	}
	/* The shadow's input: every sample scaled by 1 + eps, unless that
	 * would make or unmake a fault; processed in place. Its vfs moved by
	 * eps too, inwards from the end of its range. */
	const float grow = (float)(1.0 + TG_DIFF_SHADOW_EPS);
	for (uint32_t ch = 0; ch < d->n_in; ++ch) {
		for (uint32_t i = 0; i < n; ++i) {
			const float x = in[ch][i];
			const float y = x * grow;
			sh[ch][i] = tg_is_fault(x) || tg_is_fault(y) ? x : y;
		}
	}
	TgParams ps = *p;
	tg_params_sanitize(&ps, d->sum);
	const float vfs_up = ps.vfs * grow;
	ps.vfs = vfs_up <= tg_port_info[TG_P_VFS].max ? vfs_up : ps.vfs / grow;
	/* Where the output is at the ceiling, vfs moves the ceiling and the
	 * output together and leaves the current as it is: the RMS limit moves
	 * too, so the thermal loop is perturbed in every regime. */
	const float irms_up = ps.i_rms_ma * grow;
	ps.i_rms_ma = irms_up <= tg_port_info[TG_P_I_RMS_MA].max ? irms_up : ps.i_rms_ma / grow;
	const float *in_fast[2] = {in[0], d->n_in > 1 ? in[1] : NULL};
	const float *in_ref[2] = {in[0], d->n_in > 1 ? in[1] : NULL};
	int fault = 0;
	for (uint32_t ch = 0; ch < d->n_in; ++ch) {
		for (uint32_t i = 0; i < n; ++i) {
			const int bad = tg_is_fault(in[ch][i]);
			fault |= bad;
			d->in_peak = bad ? d->in_peak : larger(d->in_peak, fabs((double)in[ch][i]));
		}
	}
	if (in_place) {
		for (uint32_t ch = 0; ch < d->n_in; ++ch) {
			memcpy(out_fast[ch], in[ch], n * sizeof(float));
			memcpy(out_ref[ch], in[ch], n * sizeof(float));
			in_fast[ch] = out_fast[ch];
			in_ref[ch] = out_ref[ch];
		}
	} else {
		/* Output the chain fails to write shows up as NaN. */
		for (uint32_t ch = 0; ch < d->n_out; ++ch) {
			memset(out_fast[ch], 0xff, n * sizeof(float));
			memset(out_ref[ch], 0xff, n * sizeof(float));
		}
	}
	if (tg_inv_input(&d->inv_fast, in, n) != 0 || tg_inv_input(&d->inv_ref, in, n) != 0) {
		diverge(d, "out of memory");
		n = 0;
	}
	TgMeters ma, mb, msh;
	TgStats sa0, sb0, sa1, sb1;
	tg_chain_stats(d->fast, &sa0);
	tg_ref_chain_stats(d->ref, &sb0);
	tg_chain_process(d->fast, in_fast, out_fast, n, p, fast_meters ? &ma : NULL);
	/* The reference and the shadow in pieces of TG_DIFF_PIECE frames: the
	 * reference works frame by frame, so its output does not depend on
	 * how its calls are cut, and the heat is seen every piece (a block can
	 * be long enough for the heat to rise to the limit and fall). Their
	 * meters combine to the whole block's: gain reduction and peak over
	 * the pieces (a piece that decides no sub-block shows the last one,
	 * decided in an earlier piece), the rest from the last piece. */
	const uint32_t n_pieces = n ? (n + TG_DIFF_PIECE - 1) / TG_DIFF_PIECE : 1;
	uint8_t *const piece_ill = calloc(n_pieces, 1);
	if (!piece_ill) {
		diverge(d, "out of memory");
	}
	TgParams pq = *p;
	tg_params_sanitize(&pq, d->sum);
	/* The RMS limit in force: a lowered one at once; a raised one glides
	 * up at rise_db_s, here taken to rise only after each block, so the
	 * estimate is never over the chains' own and the heat's ratio to it
	 * never under (thermal_ill). */
	d->irms_force = (double)pq.i_rms_ma < d->irms_force ? (double)pq.i_rms_ma : d->irms_force;
	/* New limits rebind the heat (diff.h, unwind2). */
	const TgParams *const o = &d->last;
	if (d->have_last &&
	    (pq.vfs != o->vfs || pq.z_ohm != o->z_ohm || pq.i_peak_ma != o->i_peak_ma ||
	     pq.i_rms_ma != o->i_rms_ma || pq.v_peak != o->v_peak || pq.tau_s != o->tau_s ||
	     pq.tau_magnet_s != o->tau_magnet_s || pq.magnet_share != o->magnet_share ||
	     pq.release_ms != o->release_ms || pq.rise_db_s != o->rise_db_s || pq.wiring != o->wiring)) {
		d->unwind2 += TG_DIFF_HEAT_FLOOR * d->heat_peak;
		/* The gains decided before stood against the old limit, their
		 * gap is held in therm_share; after it, the heat is rebound. */
		d->ec_prev = 0.0;
	}
	d->last = pq;
	d->have_last = 1;
	const double slow = pq.magnet_share > 0.0f && pq.tau_magnet_s > pq.tau_s ? (double)pq.tau_magnet_s
	                                                                         : (double)pq.tau_s;
	d->unwind2 *= exp(-(double)n / (slow * d->rate));
	float gr = 0.0f, peak = 0.0f;
	double ec_hi = d->ec_prev;
	for (uint32_t k = 0; k < n_pieces; ++k) {
		const uint32_t off = k * TG_DIFF_PIECE;
		const uint32_t len = n - off < TG_DIFF_PIECE ? n - off : TG_DIFF_PIECE;
		const float *ir[2] = {in_ref[0] + off, in_ref[1] ? in_ref[1] + off : NULL};
		float *orf[2] = {out_ref[0] + off, out_ref[1] ? out_ref[1] + off : NULL};
		const float *is[2] = {sh[0] + off, sh[1] ? sh[1] + off : NULL};
		float *os[2] = {sh[0] + off, sh[1] ? sh[1] + off : NULL};
		tg_ref_chain_process(d->ref, ir, orf, len, p, &mb);
		d->heat_peak = larger(d->heat_peak, (double)mb.rms_ma * mb.rms_ma);
		ec_hi = larger(ec_hi, (double)mb.rms_ma * mb.rms_ma);
		d->ec_prev = (double)mb.rms_ma * mb.rms_ma;
		gr = mb.gr_db < gr ? mb.gr_db : gr;
		peak = mb.peak_ma > peak ? mb.peak_ma : peak;
		if (!d->shadow) {
			continue; /* strict: nothing is set aside */
		}
		tg_ref_chain_process(d->shadow, is, os, len, &ps, &msh);
		/* The thermal loop (see diff.h), and the heat of the shadow,
		 * which departs from the reference's only where the thermal stage
		 * is ill-conditioned. */
		const double rms_sh = larger(msh.rms_ma, mb.rms_ma);
		if (piece_ill) {
			const int th = thermal_ill((double)mb.rms_ma, d->irms_force, &pq);
			const int heat = !(fabs((double)msh.rms_ma - (double)mb.rms_ma) <=
			                   TG_DIFF_RMS_TOL * rms_sh + 1e-6);
			piece_ill[k] = (uint8_t)(th ? 1 : (heat ? 2 : 0));
		}
	}
	mb.gr_db = gr;
	mb.peak_ma = peak;
	/* Where the RMS guard acts, in either chain, the frames it scales
	 * stand on the heat's distance to the bound over alpha (diff.h): from
	 * this block's first frame until they are out. */
	tg_chain_stats(d->fast, &sa1);
	tg_ref_chain_stats(d->ref, &sb1);
	uint64_t guard_left = d->guard_ill_left;
	if (d->shadow && (sa1.clamp_rms != sa0.clamp_rms || sb1.clamp_rms != sb0.clamp_rms)) {
		d->ill_by_guard += guard_left == 0;
		guard_left = larger_u(guard_left, (uint64_t)n + d->latency);
	}
	tg_inv_output(&d->inv_fast, p, (const float *const *)out_fast, n);
	tg_inv_output(&d->inv_ref, p, (const float *const *)out_ref, n);
	if (fast_meters) {
		tg_inv_meters(&d->inv_fast, &ma);
	}
	tg_inv_meters(&d->inv_ref, &mb);

	/* The ceiling in force at the end of the block bounds every sample of
	 * it: c from the reference's meter (dB, float: within 1e-6 of it). */
	const double c = pow(10.0, (double)mb.ceiling_db / 20.0);
	const double bound = TG_DIFF_TOL * c + larger(TG_DIFF_FLOOR, filter_floor(d, &pq, n));
	/* The thermal gains' gap, held as long as the allowance behind it
	 * (unwind2 decays with the heat's slower stage), and a glide keeps a
	 * ratio it has; relative to each output sample. */
	d->therm_share = larger(thermal_share(d, ec_hi), d->therm_share * exp(-(double)n / (slow * d->rate)));
	const double share = d->therm_share;
	int reported = 0;
	for (uint32_t i = 0; i < n; ++i) {
		/* Ill-conditioned at the start or the end of the frame's piece. */
		const uint32_t k = i / TG_DIFF_PIECE;
		if (!d->ill) {
			const int why = !piece_ill ? 2 : (piece_ill[k] ? piece_ill[k] : (k ? piece_ill[k - 1] : d->thermal_ill));
			d->ill_by_thermal += why == 1;
			d->ill_by_heat += why == 2;
			d->ill = why != 0;
		}
		double es = 0.0;
		for (uint32_t ch = 0; d->shadow && ch < d->n_out; ++ch) {
			const double v = fabs((double)sh[ch][i] - (double)out_ref[ch][i]);
			es = v > es || !(v == v) ? v : es;
		}
		/* In units of the ceiling, so that a lowered ceiling does not
		 * make the differences seen under the old one large. */
		const double er = es / c;
		d->env = er > d->env * d->env_decay || !(er == er) ? er : d->env * d->env_decay;
		if (!d->ill && !(d->env * c <= TG_DIFF_SHADOW_ILL * bound)) {
			d->ill = 1;
			++d->ill_by_output;
		}
		const int ill_frame = d->ill || guard_left > 0;
		guard_left -= guard_left > 0;
		d->ill_frames += (uint64_t)ill_frame;
		if (!ill_frame) {
			d->worst_shadow = larger(d->worst_shadow, es / c);
		}
		for (uint32_t ch = 0; ch < d->n_out; ++ch) {
			const double e = fabs((double)out_fast[ch][i] - (double)out_ref[ch][i]);
			const double r = e == e ? e / c : INFINITY;
			if (ill_frame) {
				d->worst_ill = larger(d->worst_ill, r);
				continue;
			}
			if (r > d->worst) {
				d->worst = r;
				d->worst_frame = d->frames_all + i;
				d->worst_c = c;
			}
			const double tol = bound + share * fabs((double)out_ref[ch][i]);
			d->worst_tol = larger(d->worst_tol, e == e ? e / tol : INFINITY);
			d->worst_abs = larger(d->worst_abs, e == e ? e : INFINITY);
			if (!(e <= tol) && !reported) {
				diverge(d,
				        "output %u at block frame %u: fast %.9g, reference %.9g, "
				        "%.3g of the ceiling %.6g (tolerance %g c + %.3g + %.3g of the "
				        "sample; the shadow %.3g)",
				        ch, i, (double)out_fast[ch][i], (double)out_ref[ch][i], r, c,
				        TG_DIFF_TOL, bound - TG_DIFF_TOL * c, share, d->env);
				reported = 1; /* one report per block */
			}
		}
	}
	if (piece_ill) {
		const int why = piece_ill[n_pieces - 1];
		if (!d->ill && why) {
			d->ill_by_thermal += why == 1;
			d->ill_by_heat += why == 2;
		}
		d->ill |= why != 0;
		d->thermal_ill = why;
	}
	free(piece_ill);
	compare_verdicts(d);
	/* The output bound in mA at the drive's full-scale voltage, and its
	 * weighted mean square over the heat's memory, as the heat weighs the
	 * frames (limiter.c: ms decays by exp(-1 / (tau_s fs)) per frame). */
	const double drive_vfs = (d->n_out == 2 && pq.wiring >= 1.0f ? 2.0 : 1.0) * (double)pq.vfs;
	const double bound_ma = bound * drive_vfs / (double)pq.z_ohm * 1e3;
	tg_heat_model(&d->heat_m, d->rate, (double)pq.tau_s, (double)pq.tau_magnet_s,
	              (double)pq.magnet_share);
	for (uint32_t i = 0; i < n; ++i) {
		tg_heat_step(&d->heat_m, &d->heat_floor, bound_ma);
	}
	if (fast_meters) {
		/* Gain reduction and peak: over the sub-blocks a block decides,
		 * which a block shorter than a sub-block may not; and a fault
		 * splits the fast chain's pass. */
		/* The peak meter reads the true peak of outputs that may part by
		 * the output's bound: by as much as the detector's gain on it
		 * (diff.h), in mA at the drive's full-scale voltage. */
		const double peak_floor = larger(1e-6, d->tp_l1 * bound_ma);
		compare_meters(d, &ma, &mb, !d->ill && d->guard_ill_left == 0 && guard_left == 0,
		               !fault && n >= 16, peak_floor, sqrt(d->heat_floor.ec));
	}
	d->guard_ill_left = guard_left;
	const double rise = pow(10.0, (double)pq.rise_db_s * (double)n / (20.0 * d->rate));
	d->irms_force = d->irms_force * rise < (double)pq.i_rms_ma ? d->irms_force * rise
	                                                            : (double)pq.i_rms_ma;
	d->frame += n;
	d->frames_all += n;
	for (uint32_t ch = 0; ch < 2; ++ch) {
		free(out_fast[ch]);
		free(out_ref[ch]);
		free(sh[ch]);
	}
	return d->divergences - before;
}

uint64_t tg_diff_finish(TgDiff *d)
{
	const uint64_t before = d->divergences;
	TgStats a, b;
	tg_chain_stats(d->fast, &a);
	tg_ref_chain_stats(d->ref, &b);
	if (a.frames != b.frames || a.nonfinite_in != b.nonfinite_in) {
		diverge(d, "stats: frames %llu against %llu, faults %llu against %llu",
		        (unsigned long long)a.frames, (unsigned long long)b.frames,
		        (unsigned long long)a.nonfinite_in, (unsigned long long)b.nonfinite_in);
	}
	compare_verdicts(d);
	return d->divergences - before;
}
