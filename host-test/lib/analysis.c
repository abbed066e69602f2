/* tguard measurements on rendered audio. */
#include "analysis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

double tg_sample_peak(const float *const *x, uint32_t n_ch, uint64_t n)
{
	double peak = 0.0;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		for (uint64_t i = 0; i < n; ++i) {
			const double a = fabs((double)x[ch][i]);
			peak = a > peak ? a : peak;
		}
	}
	return peak;
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

/* ---- True peak ----
 *
 * FFT convolution, overlap-save: a block of N input frames is transformed
 * once; each pair of phases (p, q) is one complex filter spectrum
 * G = FFT(h_p + i h_q) / N, so one inverse transform of X G gives both
 * phases, as its real and imaginary parts (x and the taps are real).
 * The forward transform is a decimation in frequency (natural order in,
 * bit-reversed out) and the inverse a decimation in time (bit-reversed in,
 * natural out), so no reordering pass is needed: the filter spectra are
 * kept in the same bit-reversed order. */

/* The transform kernels below index fixed arrays of TP_N values only. Under
 * AddressSanitizer and UBSan their checks cost about 20 times their work
 * (they stop vectorisation) and would make the sanitizer run of
 * test_render a minute longer, so the kernels alone go unchecked; the
 * block walk, the copies and the visitors around them stay checked, and
 * test_truepeak compares the result with the direct sums. */
#if defined(__GNUC__) || defined(__clang__)
#define TP_KERNEL __attribute__((no_sanitize("address", "undefined")))
#else
#define TP_KERNEL
#endif

#define TP_N (4 * TG_MTP_TAPS)   /* FFT length */
#define TP_HOP (TP_N - TG_MTP_TAPS + 1)
#define TP_MAX_OS 64u

typedef struct {
	unsigned os;    /* 0: not built */
	unsigned pairs; /* (os - 1 + 1) / 2 phase pairs */
	float *tw_re, *tw_im; /* stage h: tw[h + j] = exp(-2 pi i j / (2h)), j < h */
	float *g_re, *g_im;   /* pairs x TP_N, bit-reversed order */
	float *x_re, *x_im, *y_re, *y_im;
} TpFilter;

static TpFilter tp_cache;

/* Modified Bessel function of the first kind, order 0: its power series
 * (converges for every argument; beta is at most about 20). */
static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0;
	const double q = x * x / 4.0;
	for (int k = 1; k < 200 && term > 1e-18 * sum; ++k) {
		term *= q / ((double)k * (double)k);
		sum += term;
	}
	return sum;
}

void tg_true_peak_taps(unsigned os, unsigned p, double *taps)
{
	const int half = TG_MTP_TAPS / 2;
	if (p == 0) {
		for (int k = 0; k < TG_MTP_TAPS; ++k) {
			taps[k] = k == half ? 1.0 : 0.0;
		}
		return;
	}
	const double i0b = bessel_i0(TG_MTP_BETA);
	double sum = 0.0;
	for (int k = 0; k < TG_MTP_TAPS; ++k) {
		const double t = (double)(k - half) + (double)p / (double)os;
		const double r = t / (double)half;
		const double w = r * r < 1.0 ? bessel_i0(TG_MTP_BETA * sqrt(1.0 - r * r)) / i0b : 0.0;
		const double s = sin(M_PI * t) / (M_PI * t);
		taps[k] = s * w;
		sum += taps[k];
	}
	for (int k = 0; k < TG_MTP_TAPS; ++k) {
		taps[k] /= sum;
	}
}

/* One stage's butterflies over h (a multiple of 4) pairs: a' = a + c,
 * c' = (a - c) w (forward), and a' = a + c w*, c' = a - c w* (inverse).
 * Separate restrict pointers and four butterflies per step let the
 * compiler use vector operations. */
TP_KERNEL static void bfly_dif(float *restrict ar, float *restrict ai, float *restrict cr,
                     float *restrict ci, const float *restrict wr, const float *restrict wi,
                     uint32_t h)
{
	for (uint32_t j = 0; j < h; j += 4) {
		float dr[4], di[4];
		for (uint32_t u = 0; u < 4; ++u) {
			dr[u] = ar[j + u] - cr[j + u];
			di[u] = ai[j + u] - ci[j + u];
			ar[j + u] += cr[j + u];
			ai[j + u] += ci[j + u];
		}
		for (uint32_t u = 0; u < 4; ++u) {
			cr[j + u] = dr[u] * wr[j + u] - di[u] * wi[j + u];
			ci[j + u] = dr[u] * wi[j + u] + di[u] * wr[j + u];
		}
	}
}

TP_KERNEL static void bfly_dit(float *restrict ar, float *restrict ai, float *restrict cr,
                     float *restrict ci, const float *restrict wr, const float *restrict wi,
                     uint32_t h)
{
	for (uint32_t j = 0; j < h; j += 4) {
		float tr[4], ti[4];
		for (uint32_t u = 0; u < 4; ++u) {
			tr[u] = cr[j + u] * wr[j + u] + ci[j + u] * wi[j + u];
			ti[u] = ci[j + u] * wr[j + u] - cr[j + u] * wi[j + u];
		}
		for (uint32_t u = 0; u < 4; ++u) {
			cr[j + u] = ar[j + u] - tr[u];
			ci[j + u] = ai[j + u] - ti[u];
			ar[j + u] += tr[u];
			ai[j + u] += ti[u];
		}
	}
}

/* Forward, decimation in frequency: natural order in, bit-reversed out.
 * The last two stages, whose twiddles are 1 and -i, are one radix-4
 * pass. */
TP_KERNEL static void fft_dif(const TpFilter *f, float *re, float *im)
{
	for (uint32_t h = TP_N / 2; h >= 4; h /= 2) {
		for (uint32_t b = 0; b < TP_N; b += 2 * h) {
			bfly_dif(re + b, im + b, re + b + h, im + b + h, f->tw_re + h, f->tw_im + h, h);
		}
	}
	for (uint32_t b = 0; b < TP_N; b += 4) {
		float *const r = re + b, *const m = im + b;
		/* h = 2: pairs (0, 2) and (1, 3), twiddles 1 and -i. */
		const float s0r = r[0] + r[2], s0i = m[0] + m[2], d0r = r[0] - r[2], d0i = m[0] - m[2];
		const float s1r = r[1] + r[3], s1i = m[1] + m[3], d1r = r[1] - r[3], d1i = m[1] - m[3];
		/* (d1r + i d1i)(-i) = d1i - i d1r; then h = 1. */
		r[0] = s0r + s1r, m[0] = s0i + s1i;
		r[1] = s0r - s1r, m[1] = s0i - s1i;
		r[2] = d0r + d1i, m[2] = d0i - d1r;
		r[3] = d0r - d1i, m[3] = d0i + d1r;
	}
}

/* Inverse (conjugate twiddles, unscaled), decimation in time: bit-reversed
 * order in, natural out. The mirror of fft_dif. */
TP_KERNEL static void ifft_dit(const TpFilter *f, float *re, float *im)
{
	for (uint32_t b = 0; b < TP_N; b += 4) {
		float *const r = re + b, *const m = im + b;
		/* h = 1 */
		const float s0r = r[0] + r[1], s0i = m[0] + m[1], d0r = r[0] - r[1], d0i = m[0] - m[1];
		const float s1r = r[2] + r[3], s1i = m[2] + m[3], d1r = r[2] - r[3], d1i = m[2] - m[3];
		/* h = 2: twiddles 1 and +i; (d1r + i d1i)(i) = -d1i + i d1r. */
		r[0] = s0r + s1r, m[0] = s0i + s1i;
		r[2] = s0r - s1r, m[2] = s0i - s1i;
		r[1] = d0r - d1i, m[1] = d0i + d1r;
		r[3] = d0r + d1i, m[3] = d0i - d1r;
	}
	for (uint32_t h = 4; h < TP_N; h *= 2) {
		for (uint32_t b = 0; b < TP_N; b += 2 * h) {
			bfly_dit(re + b, im + b, re + b + h, im + b + h, f->tw_re + h, f->tw_im + h, h);
		}
	}
}

static void tp_free(TpFilter *f)
{
	free(f->tw_re);
	free(f->tw_im);
	free(f->g_re);
	free(f->g_im);
	free(f->x_re);
	free(f->x_im);
	free(f->y_re);
	free(f->y_im);
	memset(f, 0, sizeof(*f));
}

void tg_true_peak_release(void) { tp_free(&tp_cache); }

static TpFilter *tp_filter(unsigned os)
{
	TpFilter *const f = &tp_cache;
	if (os < 1 || os > TP_MAX_OS) {
		return NULL;
	}
	if (f->os == os) {
		return f;
	}
	tp_free(f);
	const unsigned pairs = os / 2; /* phases 1..os-1 in pairs */
	const size_t nb = TP_N * sizeof(float), gb = (pairs ? pairs : 1) * nb;
	f->tw_re = malloc(nb), f->tw_im = malloc(nb);
	f->g_re = malloc(gb), f->g_im = malloc(gb);
	f->x_re = malloc(nb), f->x_im = malloc(nb);
	f->y_re = malloc(nb), f->y_im = malloc(nb);
	double *const taps = malloc(TG_MTP_TAPS * sizeof(double));
	if (!f->tw_re || !f->tw_im || !f->g_re || !f->g_im || !f->x_re || !f->x_im || !f->y_re ||
	    !f->y_im || !taps) {
		free(taps);
		tp_free(f);
		return NULL;
	}
	for (uint32_t h = 1; h < TP_N; h *= 2) {
		for (uint32_t j = 0; j < h; ++j) {
			const double a = -M_PI * (double)j / (double)h;
			f->tw_re[h + j] = (float)cos(a);
			f->tw_im[h + j] = (float)sin(a);
		}
	}
	f->tw_re[0] = f->tw_im[0] = 0.0;
	for (unsigned k = 0; k < pairs; ++k) {
		float *const gr = f->g_re + (size_t)k * TP_N, *const gi = f->g_im + (size_t)k * TP_N;
		memset(gr, 0, nb);
		memset(gi, 0, nb);
		const unsigned p = 2 * k + 1, q = 2 * k + 2;
		tg_true_peak_taps(os, p, taps);
		for (int j = 0; j < TG_MTP_TAPS; ++j) {
			gr[j] = (float)(taps[j] / TP_N);
		}
		if (q < os) {
			tg_true_peak_taps(os, q, taps);
			for (int j = 0; j < TG_MTP_TAPS; ++j) {
				gi[j] = (float)(taps[j] / TP_N);
			}
		}
		fft_dif(f, gr, gi);
	}
	free(taps);
	f->os = os;
	f->pairs = pairs;
	return f;
}

/* y = x g, elementwise over TP_N complex values. */
TP_KERNEL static void cmul(float *restrict yr, float *restrict yi, const float *restrict xr,
                 const float *restrict xi, const float *restrict gr, const float *restrict gi)
{
	for (uint32_t j = 0; j < TP_N; ++j) {
		yr[j] = xr[j] * gr[j] - xi[j] * gi[j];
		yi[j] = xr[j] * gi[j] + xi[j] * gr[j];
	}
}

/* The largest |v[j]|, j < m, four lanes at a time. */
TP_KERNEL static float abs_max(const float *restrict v, uint64_t m)
{
	float lane[4] = {0.0f, 0.0f, 0.0f, 0.0f};
	uint64_t j = 0;
	for (; j + 4 <= m; j += 4) {
		for (int u = 0; u < 4; ++u) {
			const float a = fabsf(v[j + (uint64_t)u]);
			lane[u] = a > lane[u] ? a : lane[u];
		}
	}
	for (; j < m; ++j) {
		const float a = fabsf(v[j]);
		lane[0] = a > lane[0] ? a : lane[0];
	}
	const float l01 = lane[0] > lane[1] ? lane[0] : lane[1];
	const float l23 = lane[2] > lane[3] ? lane[2] : lane[3];
	return l01 > l23 ? l01 : l23;
}

/* The sample at k, or 0 outside [0, n) and for a non-finite one. */
static float tp_sample(const float *x, uint64_t n, int64_t k)
{
	if (k < 0 || (uint64_t)k >= n || !isfinite(x[k])) {
		return 0.0f;
	}
	return x[k];
}

/* The shared walk: for each block of up to TP_HOP frames starting at i0,
 * hand each phase's m values to the visitor. */
typedef void (*TpVisit)(void *data, uint64_t i0, uint64_t m, unsigned phase, const float *v);

static int tp_walk(const float *x, uint64_t n, uint64_t from, uint64_t to, unsigned os,
                   TpVisit visit, void *data)
{
	TpFilter *const f = tp_filter(os);
	if (!f) {
		return -1;
	}
	const int64_t half = TG_MTP_TAPS / 2;
	for (uint64_t i0 = from; i0 < to; i0 += TP_HOP) {
		/* Frames i0 .. i0 + TP_HOP - 1 come out of the block at s. */
		const int64_t s = (int64_t)i0 - half + 1;
		const uint64_t m = to - i0 < TP_HOP ? to - i0 : TP_HOP;
		for (int64_t j = 0; j < TP_N; ++j) {
			f->x_re[j] = tp_sample(x, n, s + j);
			f->x_im[j] = 0.0f;
		}
		/* Phase 0: the samples, x[i0 + j] = x_re[half - 1 + j]. */
		visit(data, i0, m, 0, f->x_re + half - 1);
		if (f->pairs == 0) {
			continue;
		}
		fft_dif(f, f->x_re, f->x_im);
		for (unsigned k = 0; k < f->pairs; ++k) {
			const float *const gr = f->g_re + (size_t)k * TP_N;
			const float *const gi = f->g_im + (size_t)k * TP_N;
			cmul(f->y_re, f->y_im, f->x_re, f->x_im, gr, gi);
			ifft_dit(f, f->y_re, f->y_im);
			/* Valid outputs start at TG_MTP_TAPS - 1: frame i0 + j. */
			const unsigned p = 2 * k + 1, q = 2 * k + 2;
			visit(data, i0, m, p, f->y_re + TG_MTP_TAPS - 1);
			if (q < os) {
				visit(data, i0, m, q, f->y_im + TG_MTP_TAPS - 1);
			}
		}
	}
	return 0;
}

typedef struct {
	TgTpMeasure *tp;
	double over;
} TpMax;

static void visit_max(void *data, uint64_t i0, uint64_t m, unsigned phase, const float *v)
{
	TpMax *const a = (TpMax *)data;
	TgTpMeasure *const tp = a->tp;
	const double block = (double)abs_max(v, m);
	if (phase == 0) {
		tp->sample_peak = block > tp->sample_peak ? block : tp->sample_peak;
	}
	/* Most blocks hold neither a new peak nor a first crossing. */
	if (block > tp->peak) {
		for (uint64_t j = 0; j < m; ++j) {
			if (fabs((double)v[j]) == block) {
				tp->peak = block;
				tp->at = i0 + j;
				tp->phase = phase;
				break;
			}
		}
	}
	if (block > a->over && i0 < tp->first_over) {
		for (uint64_t j = 0; j < m && i0 + j < tp->first_over; ++j) {
			if (fabs((double)v[j]) > a->over) {
				tp->first_over = i0 + j;
				break;
			}
		}
	}
}

int tg_true_peak_range(const float *x, uint64_t n, uint64_t from, uint64_t to, unsigned os,
                       double over, TgTpMeasure *tp)
{
	memset(tp, 0, sizeof(*tp));
	tp->first_over = UINT64_MAX;
	TpMax a = {tp, over};
	return tp_walk(x, n, from, to < n ? to : n, os, visit_max, &a);
}

double tg_true_peak(const float *x, uint64_t n, unsigned os)
{
	TgTpMeasure tp;
	return tg_true_peak_range(x, n, 0, n, os, INFINITY, &tp) == 0 ? tp.peak : NAN;
}

double tg_true_peak_channels(const float *const *x, uint32_t n_ch, uint64_t n, uint64_t from,
                             uint64_t to, unsigned os)
{
	double peak = 0.0;
	for (uint32_t ch = 0; ch < n_ch; ++ch) {
		int seen = 0;
		for (uint32_t c = 0; c < ch && !seen; ++c) {
			seen = memcmp(x[c], x[ch], n * sizeof(float)) == 0;
		}
		TgTpMeasure tp;
		if (seen) {
			continue;
		}
		if (tg_true_peak_range(x[ch], n, from, to, os, INFINITY, &tp) != 0) {
			return NAN;
		}
		peak = tp.peak > peak ? tp.peak : peak;
	}
	return peak;
}

typedef struct {
	double *y;
	unsigned os;
} TpStore;

static void visit_store(void *data, uint64_t i0, uint64_t m, unsigned phase, const float *v)
{
	const TpStore *const st = (const TpStore *)data;
	for (uint64_t j = 0; j < m; ++j) {
		st->y[(i0 + j) * st->os + phase] = (double)v[j];
	}
}

int tg_true_peak_upsample(const float *x, uint64_t n, unsigned os, double *y)
{
	TpStore st = {y, os};
	return tp_walk(x, n, 0, n, os, visit_store, &st);
}

void tg_true_peak_method(unsigned os, char *buf, size_t len)
{
	snprintf(buf, len, "%ux windowed-sinc reconstruction (Kaiser, beta %g, %d taps per phase)",
	         os, TG_MTP_BETA, TG_MTP_TAPS);
}
