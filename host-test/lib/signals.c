/* tguard test signals. */
#include "signals.h"

#include <math.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void tg_rng_seed(TgRng *rng, uint32_t seed) { rng->state = seed ? seed : 0x9e3779b9u; }

uint32_t tg_rng_next(TgRng *rng)
{
	uint32_t x = rng->state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	rng->state = x;
	return x;
}

float tg_rng_uniform(TgRng *rng)
{
	return (float)((double)tg_rng_next(rng) / 2147483648.0 - 1.0);
}

void tg_sig_sine(float *x, uint32_t n, double rate, double freq, double amp, double phase)
{
	const double w = 2.0 * M_PI * freq / rate;
	for (uint32_t i = 0; i < n; ++i) {
		x[i] = (float)(amp * sin(w * (double)i + phase));
	}
}

/* White noise through Paul Kellet's economy pink filter (three poles,
 * within 0.5 dB of -3 dB/oct above 40 Hz), then scaled to the RMS asked. */
void tg_sig_pink(float *x, uint32_t n, double rms, uint32_t seed)
{
	TgRng rng;
	tg_rng_seed(&rng, seed);
	double b0 = 0.0, b1 = 0.0, b2 = 0.0, sum2 = 0.0;
	for (uint32_t i = 0; i < n; ++i) {
		const double w = tg_rng_uniform(&rng);
		b0 = 0.99765 * b0 + w * 0.0990460;
		b1 = 0.96300 * b1 + w * 0.2965164;
		b2 = 0.57000 * b2 + w * 1.0526913;
		const double p = b0 + b1 + b2 + w * 0.1848;
		x[i] = (float)p;
		sum2 += p * p;
	}
	const double k = n ? rms / sqrt(sum2 / (double)n) : 0.0;
	for (uint32_t i = 0; i < n; ++i) {
		x[i] = (float)(x[i] * k);
	}
}

void tg_sig_square(float *x, uint32_t n, double rate, double freq, double amp)
{
	for (uint32_t i = 0; i < n; ++i) {
		const double ph = fmod((double)i * freq / rate, 1.0);
		x[i] = (float)(ph < 0.5 ? amp : -amp);
	}
}

void tg_sig_burst(float *x, uint32_t n, double rate, double silence_s, double burst_s,
                  double gap_s, double amp, uint32_t seed)
{
	TgRng rng;
	tg_rng_seed(&rng, seed);
	const uint32_t quiet = (uint32_t)(silence_s * rate);
	const uint32_t on = (uint32_t)(burst_s * rate), period = on + (uint32_t)(gap_s * rate);
	for (uint32_t i = 0; i < n; ++i) {
		const float noise = tg_rng_uniform(&rng);
		if (i < quiet || (i - quiet) % period >= on) {
			x[i] = 0.0f;
		} else {
			/* Full-scale: every other sample at the rails. */
			x[i] = (float)(amp * ((i & 1u) ? (noise < 0.0f ? -1.0 : 1.0) : noise));
		}
	}
}

void tg_sig_sweep(float *x, uint32_t n, double rate, double f0, double f1, double amp)
{
	const double dur = (double)n / rate;
	const double k = log(f1 / f0);
	for (uint32_t i = 0; i < n; ++i) {
		const double t = (double)i / rate;
		/* Exponential sweep phase (Farina): 2 pi f0 T / k (e^(k t / T) - 1). */
		const double ph = 2.0 * M_PI * f0 * dur / k * (exp(k * t / dur) - 1.0);
		x[i] = (float)(amp * sin(ph));
	}
}

const TgBuiltinSignal tg_builtin_signals[] = {
	{"sine1k", 4.0, "1 kHz sine at 0 dBFS", 0},
	{"sine100", 4.0, "100 Hz sine at 0 dBFS", 0},
	{"sweep", 4.0, "logarithmic sine sweep 20 Hz - 20 kHz at -12 dBFS (under the default limits)", 0},
	{"pink", 4.0, "pink noise at +12 dBFS RMS", 0},
	{"square50", 4.0, "50 Hz square wave at 0 dBFS", 0},
	{"burst", 4.0, "1 s of silence, then full-scale noise bursts (50 ms on, 450 ms off)", 0},
	{"nanburst", 4.0, "pink noise at -12 dBFS with NaN and Inf bursts at 1.0 s and 2.5 s", 0},
	{"dc", 4.0, "a 0.5 DC offset under a 1 kHz sine at -20 dBFS", 0},
	{"antiphase", 4.0, "200 Hz sine at -6 dBFS, right channel inverted", 0},
	{"calib", 30.0, "60 Hz sine at -6 dBFS peak, written raw (never through tguard), for measuring vfs", 1},
};
const unsigned tg_n_builtin_signals = sizeof(tg_builtin_signals) / sizeof(tg_builtin_signals[0]);

const TgBuiltinSignal *tg_builtin_find(const char *name)
{
	for (unsigned i = 0; i < tg_n_builtin_signals; ++i) {
		if (strcmp(tg_builtin_signals[i].name, name) == 0) {
			return &tg_builtin_signals[i];
		}
	}
	return NULL;
}

int tg_builtin_signal(const char *name, double rate, uint32_t n_ch, uint64_t n64, float *const *x)
{
	const uint32_t n = (uint32_t)n64;
	const uint32_t r = n_ch > 1 ? 1 : 0; /* index of the second channel */
	if (strcmp(name, "sine1k") == 0) {
		tg_sig_sine(x[0], n, rate, 1000.0, 1.0, 0.0);
	} else if (strcmp(name, "sine100") == 0) {
		tg_sig_sine(x[0], n, rate, 100.0, 1.0, 0.0);
	} else if (strcmp(name, "sweep") == 0) {
		tg_sig_sweep(x[0], n, rate, 20.0, 20000.0, 0.25);
	} else if (strcmp(name, "pink") == 0) {
		tg_sig_pink(x[0], n, pow(10.0, 12.0 / 20.0), 101);
		if (r) {
			tg_sig_pink(x[r], n, pow(10.0, 12.0 / 20.0), 102);
		}
	} else if (strcmp(name, "square50") == 0) {
		tg_sig_square(x[0], n, rate, 50.0, 1.0);
	} else if (strcmp(name, "burst") == 0) {
		tg_sig_burst(x[0], n, rate, 1.0, 0.05, 0.45, 1.0, 201);
		if (r) {
			tg_sig_burst(x[r], n, rate, 1.0, 0.05, 0.45, 1.0, 202);
		}
	} else if (strcmp(name, "nanburst") == 0) {
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			tg_sig_pink(x[ch], n, pow(10.0, -12.0 / 20.0), 301 + ch);
			for (double at = 1.0; at < 3.0; at += 1.5) {
				const uint32_t a = (uint32_t)(at * rate), b = a + (uint32_t)(0.010 * rate);
				for (uint32_t i = a; i < b && i < n; ++i) {
					x[ch][i] = ch ? (float)INFINITY : (float)NAN;
				}
			}
		}
		return 0;
	} else if (strcmp(name, "dc") == 0) {
		tg_sig_sine(x[0], n, rate, 1000.0, 0.1, 0.0);
		for (uint32_t i = 0; i < n; ++i) {
			x[0][i] += 0.5f;
		}
	} else if (strcmp(name, "antiphase") == 0) {
		tg_sig_sine(x[0], n, rate, 200.0, 0.5, 0.0);
		if (r) {
			for (uint32_t i = 0; i < n; ++i) {
				x[r][i] = -x[0][i];
			}
		}
		return 0;
	} else if (strcmp(name, "calib") == 0) {
		tg_sig_sine(x[0], n, rate, TG_CALIB_HZ, TG_CALIB_AMP, 0.0);
	} else {
		return -1;
	}
	/* Signals without their own second channel play the same on both. */
	for (uint32_t ch = 1; ch < n_ch; ++ch) {
		if (strcmp(name, "pink") != 0 && strcmp(name, "burst") != 0) {
			memcpy(x[ch], x[0], n * sizeof(float));
		}
	}
	return 0;
}
