/* tguard measurements on rendered audio. */
#include "analysis.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void tg_current_stats(const float *const *out, uint32_t n_ch, uint64_t n, double amps,
                      double tau_s, double rate, TgCurrentStats *stats)
{
	const double alpha = 1.0 - exp(-1.0 / (tau_s * rate));
	double ms = 0.0, peak = 0.0, ms_max = 0.0;
	uint64_t bad = 0;
	for (uint64_t i = 0; i < n; ++i) {
		double a = 0.0;
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			const float v = out[ch][i];
			if (!isfinite(v)) {
				++bad;
				continue;
			}
			const double av = fabs((double)v);
			a = av > a ? av : a;
		}
		const double cur = a * amps;
		peak = cur > peak ? cur : peak;
		ms += alpha * (cur * cur - ms);
		ms_max = ms > ms_max ? ms : ms_max;
	}
	stats->peak_a = peak;
	stats->rms_a = sqrt(ms_max);
	stats->nonfinite = bad;
}

double tg_thdn(const float *x, uint64_t n, double rate, double freq)
{
	/* Normal equations for y ~ a sin + b cos + c. */
	const double w = 2.0 * M_PI * freq / rate;
	double ss = 0, sc = 0, s1 = 0, cc = 0, c1 = 0, n1 = (double)n;
	double ys = 0, yc = 0, y1 = 0;
	for (uint64_t i = 0; i < n; ++i) {
		const double s = sin(w * (double)i), c = cos(w * (double)i), y = x[i];
		ss += s * s, sc += s * c, s1 += s, cc += c * c, c1 += c;
		ys += y * s, yc += y * c, y1 += y;
	}
	/* Solve the 3x3 system by Cramer's rule. */
	const double m[3][3] = {{ss, sc, s1}, {sc, cc, c1}, {s1, c1, n1}};
	const double r[3] = {ys, yc, y1};
	const double det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
	                   m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
	                   m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
	double sol[3];
	for (int k = 0; k < 3; ++k) {
		double t[3][3];
		for (int i = 0; i < 3; ++i) {
			for (int j = 0; j < 3; ++j) {
				t[i][j] = j == k ? r[i] : m[i][j];
			}
		}
		sol[k] = (t[0][0] * (t[1][1] * t[2][2] - t[1][2] * t[2][1]) -
		          t[0][1] * (t[1][0] * t[2][2] - t[1][2] * t[2][0]) +
		          t[0][2] * (t[1][0] * t[2][1] - t[1][1] * t[2][0])) /
		         det;
	}
	double res2 = 0.0;
	for (uint64_t i = 0; i < n; ++i) {
		const double fit = sol[0] * sin(w * (double)i) + sol[1] * cos(w * (double)i) + sol[2];
		const double e = x[i] - fit;
		res2 += e * e;
	}
	const double sig_rms = sqrt((sol[0] * sol[0] + sol[1] * sol[1]) / 2.0);
	return sqrt(res2 / n1) / sig_rms;
}

double tg_rms(const float *x, uint64_t n)
{
	double s = 0.0;
	for (uint64_t i = 0; i < n; ++i) {
		s += (double)x[i] * x[i];
	}
	return n ? sqrt(s / (double)n) : 0.0;
}
