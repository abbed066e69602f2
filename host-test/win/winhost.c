/* tguard's plain LV2 test host, for the Windows build under wine and for
 * the Linux build beside it: the same source, built by the cross compiler
 * (LoadLibrary) and natively (dlopen), so both run exactly the same cases.
 *
 *   winhost run LIBRARY OUTDIR    every case; outputs and a summary to OUTDIR
 *   winhost compare DIR_A DIR_B TOLERANCE
 *
 * run: each plugin (stereo, mono, sum) with the port defaults and every
 * factory preset (build/presets.h, generated from presets/), at 44.1 and
 * 48 kHz, in blocks of 1, 37 and 512 frames. The input is one scenario:
 * sines at 0 dBFS through the soft start, hot noise, a +12 dBFS burst after
 * silence, then faults (NaN, +-Inf, huge samples). Every output sample goes
 * through the invariant checker of the fuzz targets (finite, full scale,
 * peak current and voltage, the coil's heat, exact silence where the soft
 * start restarts); the meters must be finite, the latency as the chain
 * reports it, and the soft start must rise from silence as a raised
 * cosine. Each case's output is written as raw 32-bit floats, interleaved,
 * with a line in OUTDIR/summary.txt. Exit 0 when every case holds.
 *
 * compare: the same case in two runs (one under wine, one on Linux) must
 * have the same input (its hash) and outputs within TOLERANCE, the largest
 * absolute difference of any sample; NaN must match NaN. Exit 0 if so.
 *
 * The input is built with + and * only (no libm), so it is the same bits
 * on both systems: any difference in the output is the plugin's.
 */
#ifdef _WIN32
#include <windows.h>
/* windows.h defines IN and OUT as empty annotations; they are port ids. */
#undef IN
#undef OUT
#else
#define _POSIX_C_SOURCE 200809L /* dlopen, clock_gettime */
#include <dlfcn.h>
#include <time.h>
#endif
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/core/lv2.h>

#include "chain.h"
#include "invariants.h"
#include "ports.h"
#include "presets.h"

/* ---- the factory presets, from build/presets.h ---- */

typedef struct {
	const char *symbol;
	double value;
} PresetValue;

typedef struct {
	const char *slug, *label;
	const PresetValue *values;
	unsigned n;
} Preset;

#define TG_X_VALUE(sym, v) {sym, v},
#define TG_X_DEFINE(id, slug, label) static const PresetValue id##_values[] = {TG_WIN_PRESET_##id(TG_X_VALUE)};
TG_WIN_PRESET_LIST(TG_X_DEFINE)
#undef TG_X_DEFINE
#undef TG_X_VALUE

#define TG_X_ROW(id, slug, label) {slug, label, id##_values, sizeof(id##_values) / sizeof(id##_values[0])},
static const Preset presets[] = {{"defaults", "the ports' defaults", NULL, 0}, TG_WIN_PRESET_LIST(TG_X_ROW)};
#undef TG_X_ROW
#define N_PRESETS (sizeof(presets) / sizeof(presets[0]))

/* ---- the input: the same bits on every system ---- */

#define N_RATES 2
#define N_BLOCKS 3
static const double rates[N_RATES] = {44100.0, 48000.0};
static const uint32_t blocks[N_BLOCKS] = {1, 37, 512};
#define SCENARIO_S 3.6
#define FAULTS_AT_S 3.3

/* sin(2 pi p) for a phase p in [0, 1), by its Taylor series on [-pi, pi]
 * (error under 1e-15): no libm, whose last bits differ between systems. */
static double det_sin_cycles(double p)
{
	const double u = p < 0.5 ? p : p - 1.0;
	const double x = 6.283185307179586 * u;
	const double x2 = x * x;
	double term = x, sum = x;
	for (int k = 1; k < 20; ++k) {
		term = term * -x2 / (double)((2 * k) * (2 * k + 1));
		sum += term;
	}
	return sum;
}

typedef struct {
	double phase, step;
} Osc;

static void osc_init(Osc *o, double freq, double rate)
{
	o->phase = 0.0;
	o->step = freq / rate;
}

static double osc_next(Osc *o)
{
	const double v = det_sin_cycles(o->phase);
	o->phase += o->step;
	o->phase -= floor(o->phase); /* exact */
	return v;
}

/* xorshift32, uniform in [-1, 1). */
static double noise_next(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*s = x;
	return (double)x / 2147483648.0 - 1.0;
}

/* One channel of the scenario, n frames at rate: sine at 0 dBFS (the soft
 * start), noise at +6 dBFS peak (the peak and RMS limits), silence and a
 * 3 kHz burst at +12 dBFS, then a sine at -6 dBFS with faults in it. */
static void scenario(float *x, uint32_t n, double rate, int ch)
{
	Osc tone, burst, tail;
	osc_init(&tone, ch ? 660.0 : 440.0, rate);
	osc_init(&burst, 3000.0, rate);
	osc_init(&tail, 1000.0, rate);
	uint32_t seed = ch ? 0x9e3779b9u : 0x2545f491u;
	const uint32_t noise_at = (uint32_t)(1.5 * rate), burst_at = (uint32_t)(2.9 * rate),
	               burst_end = (uint32_t)(2.95 * rate), faults_at = (uint32_t)(FAULTS_AT_S * rate);
	for (uint32_t i = 0; i < n; ++i) {
		double v;
		if (i < noise_at) {
			v = (ch ? 0.7 : 1.0) * osc_next(&tone);
		} else if (i < (uint32_t)(2.7 * rate)) {
			v = 2.0 * noise_next(&seed);
		} else if (i >= burst_at && i < burst_end) {
			v = 4.0 * osc_next(&burst);
		} else if (i < faults_at) {
			v = 0.0;
		} else {
			v = 0.5 * osc_next(&tail);
		}
		x[i] = (float)v;
	}
	/* The faults, at fixed times after faults_at, one channel or both. */
	static const struct {
		double at_s;
		int ch; /* -1: both */
		int kind;
	} faults[] = {{0.02, 0, 0}, {0.08, 1, 1}, {0.08, 0, 2}, {0.14, -1, 3}, {0.20, 0, 4}, {0.24, 1, 5}};
	for (size_t k = 0; k < sizeof(faults) / sizeof(faults[0]); ++k) {
		if (faults[k].ch >= 0 && faults[k].ch != ch) {
			continue;
		}
		const uint32_t at = faults_at + (uint32_t)(faults[k].at_s * rate);
		if (at >= n) {
			continue;
		}
		switch (faults[k].kind) {
		case 0: x[at] = NAN; break;
		case 1: x[at] = INFINITY; break;
		case 2: x[at] = -INFINITY; break;
		case 3: x[at] = 1e30f; break;
		case 4: x[at] = 2000.0f; break; /* +66 dBFS: over the fault threshold */
		default: /* +59 dBFS for 1 ms: no fault, the limits must hold */
			for (uint32_t i = at; i < at + (uint32_t)(1e-3 * rate) && i < n; ++i) {
				x[i] = 900.0f;
			}
			break;
		}
	}
}

/* FNV-1a over the bits of the samples. */
static uint64_t hash_floats(const float *x, size_t n, uint64_t h)
{
	const unsigned char *b = (const unsigned char *)x;
	for (size_t i = 0; i < n * sizeof(float); ++i) {
		h = (h ^ b[i]) * 0x100000001b3ull;
	}
	return h;
}

/* ---- the plugin binary ---- */

typedef const LV2_Descriptor *(*DescriptorFn)(uint32_t);

static DescriptorFn load_library(const char *path)
{
#ifdef _WIN32
	/* LoadLibrary wants backslashes. */
	char win[1024];
	size_t i = 0;
	for (; path[i] && i + 1 < sizeof(win); ++i) {
		win[i] = path[i] == '/' ? '\\' : path[i];
	}
	win[i] = '\0';
	HMODULE lib = LoadLibraryA(win);
	if (!lib) {
		fprintf(stderr, "LoadLibrary(%s) failed: error %lu\n", win, (unsigned long)GetLastError());
		return NULL;
	}
	FARPROC f = GetProcAddress(lib, "lv2_descriptor");
	DescriptorFn fn;
	memcpy(&fn, &f, sizeof(fn)); /* a function pointer's bits, without a cast between kinds */
#else
	void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "dlopen(%s) failed: %s\n", path, dlerror());
		return NULL;
	}
	void *f = dlsym(lib, "lv2_descriptor");
	DescriptorFn fn;
	memcpy(&fn, &f, sizeof(fn));
#endif
	if (!fn) {
		fprintf(stderr, "%s has no lv2_descriptor\n", path);
	}
	return fn;
}

static double now_s(void)
{
#ifdef _WIN32
	LARGE_INTEGER f, t;
	QueryPerformanceFrequency(&f);
	QueryPerformanceCounter(&t);
	return (double)t.QuadPart / (double)f.QuadPart;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
}

/* ---- one case ---- */

typedef struct {
	/* what the summary line holds */
	uint64_t frames, checked, zero_checked, violations;
	double worst_peak, worst_rms, out_max;
	uint64_t in_hash, out_hash;
	char problem[300]; /* the first failure, empty when none */
} Result;

/* Keep the first failure of a case. */
__attribute__((format(printf, 2, 3))) static void problem(Result *r, const char *fmt, ...)
{
	if (!r->problem[0]) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(r->problem, sizeof(r->problem), fmt, ap);
		va_end(ap);
	}
}

static int is_control_in(TgPortId id)
{
	return tg_port_info[id].kind == TG_KIND_CONTROL && tg_port_info[id].dir == TG_DIR_IN;
}

/* The port index of a symbol in the variant; -1 if it has none. */
static int port_index(const TgVariantInfo *var, const char *symbol)
{
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		if (strcmp(tg_port_info[var->ports[i]].symbol, symbol) == 0) {
			return (int)i;
		}
	}
	return -1;
}

static int run_case(const LV2_Descriptor *d, const TgVariantInfo *var, const Preset *pre, double rate,
                    uint32_t block, FILE *out_file, Result *r)
{
	memset(r, 0, sizeof(*r));
	float value[TG_MAX_PORTS];
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		value[i] = tg_port_info[var->ports[i]].def;
	}
	for (unsigned k = 0; k < pre->n; ++k) {
		const int i = port_index(var, pre->values[k].symbol);
		if (i >= 0 && is_control_in(var->ports[i])) {
			value[i] = (float)pre->values[k].value;
		} else if (port_index(&tg_variants[TG_VARIANT_STEREO], pre->values[k].symbol) < 0) {
			/* The mono and sum plugins lack some stereo controls (as
			 * ttl/gen-presets.sh drops them); a symbol no plugin has is
			 * a preset out of step with ports.def. */
			problem(r, "preset sets unknown port %s", pre->values[k].symbol);
		}
	}
	TgParams params;
	tg_params_default(&params);
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		if (is_control_in(var->ports[i])) {
			*tg_inv_param(&params, var->ports[i]) = value[i];
		}
	}
	const int ramp_port = port_index(var, "ramp"), latency_port = port_index(var, "latency");
	const double ramp_s = (double)value[port_index(var, "ramp_s")];

	const uint32_t n = (uint32_t)(SCENARIO_S * rate);
	float *in_buf[2] = {NULL, NULL}, *out_buf[2] = {NULL, NULL};
	float *inter = malloc(sizeof(float) * block * 2);
	int ok = inter != NULL;
	for (uint32_t c = 0; c < var->n_in; ++c) {
		in_buf[c] = malloc(sizeof(float) * n);
		ok = ok && in_buf[c];
		if (in_buf[c]) {
			scenario(in_buf[c], n, rate, (int)c);
			r->in_hash = hash_floats(in_buf[c], n, c ? r->in_hash : 0xcbf29ce484222325ull);
		}
	}
	for (uint32_t c = 0; c < var->n_out; ++c) {
		out_buf[c] = malloc(sizeof(float) * block);
		ok = ok && out_buf[c];
	}
	TgChain *probe = ok ? tg_chain_new(rate, var->n_in, var->n_out) : NULL;
	LV2_Handle h = probe ? d->instantiate(d, rate, "", (const LV2_Feature *const[]){NULL}) : NULL;
	TgInv inv;
	if (!h || tg_inv_init(&inv, rate, var->n_in, var->n_out, tg_chain_latency(probe), 0) != 0) {
		snprintf(r->problem, sizeof(r->problem), "could not set the case up (instantiate, memory)");
		if (h) {
			d->cleanup(h);
		}
		tg_chain_free(probe);
		free(inter);
		for (int c = 0; c < 2; ++c) {
			free(in_buf[c]);
			free(out_buf[c]);
		}
		return -1;
	}
	const uint32_t latency = tg_chain_latency(probe);
	tg_chain_free(probe);
	uint32_t ao = 0;
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		const TgPortInfo *info = &tg_port_info[var->ports[i]];
		if (info->kind == TG_KIND_CONTROL) {
			d->connect_port(h, i, &value[i]);
		} else if (info->dir == TG_DIR_OUT) {
			d->connect_port(h, i, out_buf[ao++]);
		} /* the inputs: at each block, below */
	}
	if (d->activate) {
		d->activate(h);
	}
	tg_inv_activate(&inv);

	/* The soft start: silent at first; under the raised cosine's
	 * (1 - cos(pi t / T)) / 2 at a tenth of the ramp, 0.0245, times the
	 * input's peak (1, with headroom for the filters' ripple); the ramp
	 * meter rising to 1 before the faults, and falling back after them. */
	const uint32_t early_end = latency + (uint32_t)(0.1 * ramp_s * rate);
	const uint32_t faults_at = (uint32_t)(FAULTS_AT_S * rate);
	double early_peak = 0.0, ramp_prev = 0.0, ramp_before_faults = 0.0, ramp_after = 1.0;

	for (uint32_t pos = 0; pos < n; pos += block) {
		const uint32_t m = n - pos < block ? n - pos : block;
		const float *in_now[2] = {in_buf[0] ? in_buf[0] + pos : NULL, in_buf[1] ? in_buf[1] + pos : NULL};
		uint32_t k = 0;
		for (uint32_t i = 0; i < var->n_ports; ++i) {
			const TgPortInfo *info = &tg_port_info[var->ports[i]];
			if (info->kind == TG_KIND_AUDIO && info->dir == TG_DIR_IN) {
				/* The plugin reads its input only: the cast drops a
				 * const the LV2 API has no place for. */
				d->connect_port(h, i, (void *)(uintptr_t)in_now[k++]);
			}
		}
		if (tg_inv_input(&inv, in_now, m) != 0) {
			problem(r, "the checker ran out of memory");
		}
		d->run(h, m);
		tg_inv_output(&inv, &params, (const float *const *)out_buf, m);
		for (uint32_t i = 0; i < var->n_ports; ++i) {
			const TgPortInfo *info = &tg_port_info[var->ports[i]];
			if (info->kind == TG_KIND_CONTROL && info->dir == TG_DIR_OUT && !isfinite(value[i])) {
				problem(r, "meter %s not finite (%g)", info->symbol, (double)value[i]);
			}
		}
		if (value[latency_port] != (float)latency) {
			problem(r, "latency port %g, not the chain's %u", (double)value[latency_port], latency);
		}
		const double ramp = (double)value[ramp_port];
		if (pos + m <= faults_at) {
			if (ramp < ramp_prev) {
				problem(r, "ramp meter fell before the faults, to %g", ramp);
			}
			ramp_prev = ramp;
			ramp_before_faults = ramp;
		} else if (pos >= faults_at + (uint32_t)(0.02 * rate) && ramp < ramp_after) {
			ramp_after = ramp; /* after the first fault (NaN, at +20 ms) */
		}
		for (uint32_t i = 0; i < m; ++i) {
			for (uint32_t c = 0; c < var->n_out; ++c) {
				const float y = out_buf[c][i];
				inter[i * var->n_out + c] = y;
				const double a = fabs((double)y);
				r->out_max = a > r->out_max ? a : r->out_max;
				if (pos + i < early_end) {
					early_peak = a > early_peak ? a : early_peak;
				}
			}
		}
		r->out_hash = hash_floats(inter, (size_t)m * var->n_out, pos ? r->out_hash : 0xcbf29ce484222325ull);
		if (out_file && fwrite(inter, sizeof(float) * var->n_out, m, out_file) != m) {
			problem(r, "could not write the output");
		}
	}
	if (early_peak > 0.03) {
		problem(r, "soft start: %g over 0.03 in the first tenth of the ramp", early_peak);
	}
	if (ramp_s < FAULTS_AT_S - 0.1 && ramp_before_faults < 1.0) {
		problem(r, "ramp meter %g before the faults, not 1", ramp_before_faults);
	}
	if (ramp_after > 0.05) {
		problem(r, "ramp meter %g after a fault: the soft start did not restart", ramp_after);
	}
	if (d->deactivate) {
		d->deactivate(h);
	}
	d->cleanup(h);
	r->frames = n;
	r->checked = inv.checked;
	r->zero_checked = inv.zero_checked;
	r->violations = inv.violations;
	r->worst_peak = inv.worst_peak;
	r->worst_rms = inv.worst_rms;
	if (inv.violations) {
		problem(r, "invariant: %s", inv.first);
	}
	tg_inv_free(&inv);
	free(inter);
	for (int c = 0; c < 2; ++c) {
		free(in_buf[c]);
		free(out_buf[c]);
	}
	return r->problem[0] ? -1 : 0;
}

/* ---- the modes ---- */

static int cmd_run(const char *lib_path, const char *dir, int quick)
{
	DescriptorFn fn = load_library(lib_path);
	if (!fn) {
		return 2;
	}
	/* Every stereo control in every preset, nothing else (as test_bundle
	 * checks the Turtle): the header and ports.def are in step. */
	for (size_t p = 1; p < N_PRESETS; ++p) {
		if (presets[p].n != TG_N_INPUT_CONTROLS) {
			fprintf(stderr, "preset %s sets %u controls, not %d\n", presets[p].slug, presets[p].n,
			        TG_N_INPUT_CONTROLS);
			return 2;
		}
	}
	char path[1024];
	snprintf(path, sizeof(path), "%s/summary.txt", dir);
	FILE *summary = fopen(path, "w");
	if (!summary) {
		fprintf(stderr, "cannot write %s\n", path);
		return 2;
	}
	fprintf(summary, "# case frames in_hash out_hash checked zero_checked violations worst_peak worst_rms out_max\n");
	unsigned n_cases = 0, n_bad = 0;
	const double t0 = now_s();
	double block_s[N_BLOCKS] = {0.0}; /* seconds per block size, writing included */
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		const TgVariantInfo *var = &tg_variants[v];
		const LV2_Descriptor *d = NULL;
		for (uint32_t i = 0; (d = fn(i)) != NULL; ++i) {
			if (strcmp(d->URI, var->uri) == 0) {
				break;
			}
		}
		if (!d) {
			fprintf(stderr, "%s: no descriptor for %s\n", lib_path, var->uri);
			fclose(summary);
			return 2;
		}
		for (size_t p = 0; p < N_PRESETS; ++p) {
			for (int ri = 0; ri < N_RATES; ++ri) {
				for (int bi = 0; bi < N_BLOCKS; ++bi) {
					if (quick && (p > 1 || bi != 1)) {
						continue;
					}
					char name[200];
					snprintf(name, sizeof(name), "%s-%s-%.0f-%u", var->slug, presets[p].slug,
					         rates[ri], (unsigned)blocks[bi]);
					snprintf(path, sizeof(path), "%s/%s.f32", dir, name);
					FILE *out = fopen(path, "wb"); /* binary: no newline translation */
					Result r;
					const double t = now_s();
					const int rc = out ? run_case(d, var, &presets[p], rates[ri], blocks[bi], out, &r) : -1;
					block_s[bi] += now_s() - t;
					if (!out) {
						snprintf(r.problem, sizeof(r.problem), "cannot write %.200s", path);
					} else if (fclose(out) != 0) {
						snprintf(r.problem, sizeof(r.problem), "cannot write %.200s", path);
					}
					++n_cases;
					fprintf(summary, "%s %llu %016llx %016llx %llu %llu %llu %.9f %.9f %.9g\n", name,
					        (unsigned long long)r.frames, (unsigned long long)r.in_hash,
					        (unsigned long long)r.out_hash, (unsigned long long)r.checked,
					        (unsigned long long)r.zero_checked, (unsigned long long)r.violations,
					        r.worst_peak, r.worst_rms, r.out_max);
					if (rc != 0 || r.problem[0]) {
						++n_bad;
						printf("FAIL %s: %s\n", name, r.problem);
					}
				}
			}
		}
	}
	fclose(summary);
	if (quick) {
		printf("winhost: %u cases (quick: the defaults and one preset, blocks of %u) in %.1f s\n",
		       n_cases, (unsigned)blocks[1], now_s() - t0);
	} else {
		printf("winhost: %u cases (%d plugins, %u presets with the defaults, %d rates, %d block sizes) "
		       "in %.1f s\n",
		       n_cases, TG_N_VARIANTS, (unsigned)N_PRESETS, N_RATES, N_BLOCKS, now_s() - t0);
	}
	printf("winhost: seconds by block size:");
	for (int bi = 0; bi < N_BLOCKS; ++bi) {
		printf(" %u: %.1f", (unsigned)blocks[bi], block_s[bi]);
	}
	printf("\n%u passed, %u failed\n", n_cases - n_bad, n_bad);
	return n_bad ? 1 : 0;
}

typedef struct {
	char name[200];
	unsigned long long frames;
	char in_hash[17], out_hash[17];
	double worst_peak, worst_rms;
} Line;

static Line *read_summary(const char *dir, size_t *count)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/summary.txt", dir);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot read %s\n", path);
		return NULL;
	}
	size_t cap = 64, n = 0;
	Line *lines = malloc(cap * sizeof(Line));
	char buf[1024];
	while (lines && fgets(buf, sizeof(buf), f)) {
		if (buf[0] == '#') {
			continue;
		}
		if (n == cap) {
			Line *more = realloc(lines, 2 * cap * sizeof(Line));
			if (!more) {
				free(lines);
				lines = NULL;
				break;
			}
			lines = more;
			cap *= 2;
		}
		Line *l = &lines[n];
		if (sscanf(buf, "%199s %llu %16s %16s %*s %*s %*s %lf %lf", l->name, &l->frames, l->in_hash,
		           l->out_hash, &l->worst_peak, &l->worst_rms) == 6) {
			++n;
		}
	}
	fclose(f);
	*count = n;
	return lines;
}

/* The largest |a - b| over the two files; NaN against NaN counts as equal,
 * NaN against a number as infinitely different. -1 when unreadable. */
static double max_diff(const char *pa, const char *pb, uint64_t *n_diff)
{
	FILE *a = fopen(pa, "rb"), *b = fopen(pb, "rb");
	double worst = -1.0;
	*n_diff = 0;
	if (a && b) {
		worst = 0.0;
		float xa[4096], xb[4096];
		size_t na, nb;
		do {
			na = fread(xa, sizeof(float), 4096, a);
			nb = fread(xb, sizeof(float), 4096, b);
			if (na != nb) {
				worst = INFINITY;
				break;
			}
			for (size_t i = 0; i < na; ++i) {
				const int nan_a = isnan(xa[i]), nan_b = isnan(xb[i]);
				double dd = nan_a || nan_b ? (nan_a && nan_b ? 0.0 : INFINITY)
				                           : fabs((double)xa[i] - (double)xb[i]);
				*n_diff += dd != 0.0;
				worst = dd > worst ? dd : worst;
			}
		} while (na == 4096);
	}
	if (a) {
		fclose(a);
	}
	if (b) {
		fclose(b);
	}
	return worst;
}

static int cmd_compare(const char *da, const char *db, double tol)
{
	size_t na = 0, nb = 0;
	Line *la = read_summary(da, &na), *lb = read_summary(db, &nb);
	if (!la || !lb || na == 0) {
		free(la);
		free(lb);
		return 2;
	}
	unsigned bad = 0, identical = 0;
	double worst = 0.0, worst_peak_gap = 0.0;
	char worst_name[200] = "no case";
	printf("%-52s %12s %10s  %s\n", "case", "max |diff|", "samples", "worst peak / RMS ratio (A, B)");
	for (size_t i = 0; i < na; ++i) {
		const Line *b = NULL;
		for (size_t j = 0; j < nb; ++j) {
			if (strcmp(lb[j].name, la[i].name) == 0) {
				b = &lb[j];
				break;
			}
		}
		if (!b) {
			printf("FAIL %s: missing from %s\n", la[i].name, db);
			++bad;
			continue;
		}
		if (strcmp(la[i].in_hash, b->in_hash) != 0 || la[i].frames != b->frames) {
			printf("FAIL %s: the inputs differ (%s, %s)\n", la[i].name, la[i].in_hash, b->in_hash);
			++bad;
			continue;
		}
		char pa[1024], pb[1024];
		snprintf(pa, sizeof(pa), "%s/%s.f32", da, la[i].name);
		snprintf(pb, sizeof(pb), "%s/%s.f32", db, la[i].name);
		uint64_t n_diff = 0;
		const double dd = max_diff(pa, pb, &n_diff);
		const double gap = fabs(la[i].worst_peak - b->worst_peak);
		worst_peak_gap = gap > worst_peak_gap ? gap : worst_peak_gap;
		identical += dd == 0.0;
		if (dd > worst) {
			worst = dd;
			snprintf(worst_name, sizeof(worst_name), "%s", la[i].name);
		}
		const int fails = !(dd >= 0.0 && dd <= tol);
		printf("%s%-47s %12.3g %10llu  %.6f %.6f / %.6f %.6f\n", fails ? "FAIL " : "     ", la[i].name, dd,
		       (unsigned long long)n_diff, la[i].worst_peak, b->worst_peak, la[i].worst_rms, b->worst_rms);
		bad += (unsigned)fails;
	}
	if (nb != na) {
		printf("FAIL: %zu cases in %s, %zu in %s\n", na, da, nb, db);
		++bad;
	}
	printf("compare: %zu cases, %u bit-identical, largest difference %.3g (%s), tolerance %.3g; "
	       "largest gap of the worst peak ratio %.3g\n",
	       na, identical, worst, worst_name, tol, worst_peak_gap);
	printf("%zu passed, %u failed\n", na - (bad > na ? na : bad), bad);
	free(la);
	free(lb);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "run") == 0) {
		return cmd_run(argv[2], argv[3], argc > 4 && strcmp(argv[4], "--quick") == 0);
	}
	if (argc == 5 && strcmp(argv[1], "compare") == 0) {
		return cmd_compare(argv[2], argv[3], strtod(argv[4], NULL));
	}
	fprintf(stderr, "usage: winhost run LIBRARY OUTDIR [--quick]\n"
	                "       winhost compare DIR_A DIR_B TOLERANCE\n");
	return 2;
}
