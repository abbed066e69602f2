/* tguard invariant checker for fuzzing and soak runs. */
#include "invariants.h"

#include "safety.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rounding slack of the checks themselves, relative: the chain computes
 * the same quantities in the same precision, so only the last bits of a
 * multiplication may differ. Far under any real excess (the RMS bound has
 * 2 % of margin over the limit, the peak bound none). */
#define SLACK 1e-9

#if defined(__GNUC__) || defined(__clang__)
#define TG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TG_PRINTF(a, b)
#endif

static void violation(TgInv *inv, TgInvKind kind, const char *fmt, ...) TG_PRINTF(3, 4);

const char *const tg_inv_kind_names[TG_INV_N_KINDS] = {
    "finite output", "full scale", "peak current", "peak voltage",
    "RMS bound",     "silence at a restart", "meters", "checker use"};

static void violation(TgInv *inv, TgInvKind kind, const char *fmt, ...)
{
	char msg[sizeof(inv->first)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	++inv->by_kind[kind];
	if (inv->violations++ == 0) {
		memcpy(inv->first, msg, sizeof(msg));
	}
	if (inv->trap) {
		char where[sizeof(msg) + 96];
		snprintf(where, sizeof(where),
		         "at %.0f Hz, %u in / %u out, block at frame %llu: %s", inv->rate,
		         inv->n_in, inv->n_out, (unsigned long long)inv->frame, msg);
		tg_inv_fail(where);
	}
}

unsigned long tg_inv_failures;

void tg_inv_fail(const char *what)
{
	++tg_inv_failures;
	if (tg_inv_failures <= 10) {
		fprintf(stderr, "invariant violated %s\n", what);
	}
#ifndef TG_INV_NO_TRAP
	__builtin_trap();
#endif
}

static uint32_t pow2_at_least(uint32_t v)
{
	uint32_t p = 1;
	while (p < v) {
		p <<= 1;
	}
	return p;
}

int tg_inv_init(TgInv *inv, double rate, uint32_t n_in, uint32_t n_out, uint32_t latency, int trap)
{
	memset(inv, 0, sizeof(*inv));
	inv->rate = rate;
	inv->n_in = n_in;
	inv->n_out = n_out;
	inv->latency = latency;
	inv->sum = n_in == 2 && n_out == 1;
	inv->trap = trap;
	inv->mask = pow2_at_least(latency + 1) - 1;
	inv->restart = calloc((size_t)inv->mask + 1, 1);
	if (!inv->restart) {
		return -1;
	}
	tg_inv_activate(inv);
	return 0;
}

void tg_inv_free(TgInv *inv)
{
	free(inv->restart);
	free(inv->block_bad);
	inv->restart = inv->block_bad = NULL;
}

void tg_inv_activate(TgInv *inv)
{
	inv->frame = 0;
	inv->quiet = 0;
	memset(inv->restart, 0, (size_t)inv->mask + 1);
}

/* The plugin's first block starts the coil warm (each stage steady at 0.9
 * i_rms), whatever it output. */
static void warm_if_new(TgInv *inv, const TgParams *sanitized)
{
	if (!inv->heat_known) {
		const double i_rms = (double)sanitized->i_rms_ma * 1e-3;
		const double warm = 0.9 * 0.9 * i_rms * i_rms;
		inv->ms = warm;
		inv->em = (double)sanitized->magnet_share * warm;
		inv->heat_known = 1;
	}
}

void tg_inv_no_output(TgInv *inv, const TgParams *params)
{
	TgParams p = *params;
	tg_params_sanitize(&p, inv->sum);
	warm_if_new(inv, &p);
}

void tg_inv_idle(TgInv *inv, double s)
{
	if (!inv->heat_known || !(s > 0.0)) {
		return;
	}
	/* Frame by frame, as the model cools with no current, up to 1e8
	 * frames (4 minutes at 384 kHz): past that the checker cools no
	 * further, which can only over-estimate the heat. */
	double n = floor(s * inv->rate);
	n = n < 1e8 ? n : 1e8;
	const double ac = 1.0 - exp(-1.0 / ((double)inv->tau_s * inv->rate));
	const double am = 1.0 - exp(-1.0 / ((double)inv->tau_magnet_s * inv->rate));
	for (double f = 0.0; f < n && (inv->ms > 0.0 || inv->em > 0.0); f += 1.0) {
		inv->em -= am * inv->em;
		inv->ms += ac * (inv->em - inv->ms);
	}
}

int tg_inv_input(TgInv *inv, const float *const *in, uint32_t n)
{
	if (n > inv->block_cap) {
		uint8_t *const bigger = realloc(inv->block_bad, n);
		if (!bigger) {
			return -1;
		}
		inv->block_bad = bigger;
		inv->block_cap = n;
	}
	for (uint32_t i = 0; i < n; ++i) {
		int bad = 0;
		for (uint32_t ch = 0; ch < inv->n_in; ++ch) {
			bad |= tg_is_fault(in[ch][i]);
		}
		inv->block_bad[i] = (uint8_t)bad;
	}
	inv->block_n = n;
	return 0;
}

void tg_inv_output(TgInv *inv, const TgParams *params, const float *const *out, uint32_t n)
{
	TgParams p = *params;
	tg_params_sanitize(&p, inv->sum);
	const double amps = (double)p.vfs / (double)p.z_ohm;
	/* The peak current bound: i_peak_ma, or the current v_peak drives
	 * through z_ohm when that is lower (the voltage limit). */
	const double i_peak_ctl = p.i_peak_ma * 1e-3;
	const double i_volt = (double)p.v_peak / (double)p.z_ohm;
	const double i_peak = i_volt < i_peak_ctl ? i_volt : i_peak_ctl;
	const double i_rms = p.i_rms_ma * 1e-3;
	const double bound2 = 1.02 * 1.02 * i_rms * i_rms;
	const double alpha = 1.0 - exp(-1.0 / ((double)p.tau_s * inv->rate));
	const double am = 1.0 - exp(-1.0 / ((double)p.tau_magnet_s * inv->rate));
	const double k = p.magnet_share;
	inv->tau_s = p.tau_s;
	inv->tau_magnet_s = p.tau_magnet_s;
	warm_if_new(inv, &p);
	const uint32_t lat = inv->latency;
	if (n != inv->block_n) {
		violation(inv, TG_INV_MISUSE, "checker misuse: %u frames in, %u out", inv->block_n, n);
		return;
	}
	/* Wired tip-ring, the transducer sees the difference of the two
	 * outputs (docs/controls.md, wiring): every limit holds on it. A change of
	 * wiring drops the delay and restarts the soft start: silence from
	 * there through a whole delay and one frame. */
	const int bridged = inv->n_out == 2 && p.wiring >= 1.0f;
	if (inv->frame > 0 && bridged != inv->bridged) {
		inv->quiet_from = inv->frame;
		inv->quiet = 1;
	}
	inv->bridged = bridged;
	for (uint32_t i = 0; i < n; ++i) {
		const uint64_t f = inv->frame + i;
		float a = 0.0f;
		int zero = 1;
		for (uint32_t ch = 0; ch < inv->n_out; ++ch) {
			const float y = out[ch][i];
			if (!isfinite(y)) {
				violation(inv, TG_INV_FINITE, "output %u is not finite (%g)", ch, (double)y);
				return;
			}
			const float ay = fabsf(y);
			a = ay > a ? ay : a;
			zero &= y == 0.0f;
		}
		if (a > 1.0f) {
			violation(inv, TG_INV_FULL_SCALE, "output over 0 dBFS: %.9g", (double)a);
		}
		/* The transducer's drive, in samples: across both outputs, or the
		 * louder one against ground. */
		const double drive = bridged ? fabs((double)out[0][i] - (double)out[1][i]) : (double)a;
		const double cur = drive * amps;
		if (cur > i_peak_ctl * (1.0 + SLACK)) {
			violation(inv, TG_INV_CURRENT, "peak current %.9g mA over the %.9g mA limit", cur * 1e3,
			          (double)p.i_peak_ma);
		}
		if (cur > i_volt * (1.0 + SLACK)) {
			violation(inv, TG_INV_VOLTAGE, "peak voltage %.9g V over the %.9g V limit",
			          drive * p.vfs, (double)p.v_peak);
		}
		const double r = cur / i_peak;
		inv->worst_peak = r > inv->worst_peak ? r : inv->worst_peak;

		inv->em += am * (k * cur * cur - inv->em);
		const double ms = inv->ms + alpha * (inv->em + (1.0 - k) * cur * cur - inv->ms);
		if (ms > bound2) {
			/* Only after a lowered limit, and then the heat only falls,
			 * or rises in silence: the magnet's heat flows back into
			 * the coil (two stages), which no output can undo. */
			if (ms > bound2 * (1.0 + SLACK) && ms > inv->ms && cur > 0.0) {
				violation(inv, TG_INV_RMS,
				          "thermal estimate %.9g mA over 1.02 x %.9g mA and rising "
				          "(tau %g s)",
				          sqrt(ms) * 1e3, (double)p.i_rms_ma, (double)p.tau_s);
			}
			++inv->cooling;
		} else {
			const double rr = sqrt(ms) / i_rms;
			inv->worst_rms = rr > inv->worst_rms ? rr : inv->worst_rms;
		}
		inv->ms = ms;

		/* Soft start: silence through the delay line after activation,
		 * and gain 0 where the ramp restarts. */
		const int must_zero = f <= lat || inv->restart[(f - lat) & inv->mask] ||
		                      (inv->quiet && f - inv->quiet_from <= lat);
		if (must_zero) {
			if (!zero) {
				violation(inv, TG_INV_SILENCE, "output %.9g where the soft start must give silence",
				          (double)a);
			}
			++inv->zero_checked;
		}
		inv->restart[f & inv->mask] = inv->block_bad[i];
	}
	inv->frame += n;
	inv->checked += n;
	inv->block_n = 0;
}

/* Each output control finite and within its declared range (ports.def),
 * and the latency the one reported at activation. */
void tg_inv_meters(TgInv *inv, const TgMeters *m)
{
#define TG_X_METER(ID, group, sym, name, field, ...)                                                 \
	{                                                                                     \
		const TgPortInfo *const info = &tg_port_info[TG_P_##ID];                          \
		const float v = m->field;                                                         \
		if (!(v >= info->min && v <= info->max)) {                                        \
			violation(inv, TG_INV_METERS, "meter %s = %g outside %g..%g", info->symbol,   \
			          (double)v, (double)info->min, (double)info->max);                   \
			return;                                                                       \
		}                                                                                 \
	}
	TG_PORTS(TG_X_NONE, TG_X_METER, TG_X_NONE)
#undef TG_X_METER
	if (m->latency != (float)inv->latency) {
		violation(inv, TG_INV_METERS, "latency meter %g, reported %u", (double)m->latency,
		          (unsigned)inv->latency);
	}
}

#define TG_X_ID(ID, ...) TG_P_##ID,
const TgPortId tg_inv_controls[TG_INV_N_CONTROLS] = {TG_PORTS(TG_X_ID, TG_X_NONE, TG_X_NONE)};
#undef TG_X_ID

float *tg_inv_param(TgParams *p, TgPortId id)
{
	switch (id) {
#define TG_X_FIELD(ID, group, sym, name, field, ...) \
	case TG_P_##ID:                           \
		return &p->field;
		TG_PORTS(TG_X_FIELD, TG_X_NONE, TG_X_NONE)
#undef TG_X_FIELD
	default:
		return NULL;
	}
}
