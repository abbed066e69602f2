/* tguard test signals. */
#include "signals.h"

#include <math.h>

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
