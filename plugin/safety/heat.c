/* tguard: the coil's heat, a two-stage thermal model (heat.h). */
#include "heat.h"

#include <math.h>

void tg_heat_model(TgHeatModel *m, double rate, double tau_coil_s, double tau_magnet_s,
                   double magnet_share)
{
	m->rate = rate;
	m->bc = exp(-1.0 / (tau_coil_s * rate));
	m->bm = exp(-1.0 / (tau_magnet_s * rate));
	m->ac = 1.0 - m->bc;
	m->am = 1.0 - m->bm;
	const double k = magnet_share > 0.0 ? magnet_share : 0.0;
	m->k = k < 0.9 ? k : 0.9;
	m->k1 = 1.0 - m->k;
}

void tg_heat_warm(const TgHeatModel *m, TgHeat *h, double i_rms)
{
	const double i2 = i_rms * i_rms;
	h->em = m->k * i2;
	h->ec = i2;
}

void tg_heat_cool(const TgHeatModel *m, TgHeat *h, double s)
{
	if (!(s > 0.0)) {
		return;
	}
	/* N = floor(s fs) whole frames of silence (a part-frame cools
	 * nothing): em_N = bm^N em, and the coil, fed by the
	 * magnet each frame (ec_j = bc ec_(j-1) + ac em_j),
	 *     ec_N = bc^N ec + ac em sum_(j=1..N) bc^(N-j) bm^j,
	 * the sum bm (bm^N - bc^N) / (bm - bc), or N bc^N where bm = bc. Near
	 * each other, the difference of powers as bc^N expm1(N ln(bm / bc)),
	 * which keeps its precision as the two constants meet. */
	const double n = floor(s * m->rate);
	const double lc = log1p(-m->ac), lm = log1p(-m->am);
	const double bcn = exp(n * lc), bmn = exp(n * lm);
	double sum;
	const double d = n * (lm - lc);
	if (m->ac == m->am) {
		sum = n * bcn;
	} else if (fabs(d) < 1.0) {
		sum = (1.0 - m->am) * bcn * expm1(d) / (m->ac - m->am);
	} else {
		/* Far apart the plain difference is exact enough, and it stays
		 * finite where bc^N underflows and expm1 would overflow. */
		sum = (1.0 - m->am) * (bmn - bcn) / (m->ac - m->am);
	}
	h->ec = bcn * h->ec + m->ac * h->em * sum;
	h->em = bmn * h->em;
}
