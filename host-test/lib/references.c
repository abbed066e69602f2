/* tguard regression references. */
#define _XOPEN_SOURCE 700

#include "references.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "host.h"
#include "signals.h"

/* The stereo plugin twice: the transducer against ground on each output,
 * and across both (wiring tip-ring, the report then across them). */
static const struct {
	const char *uri;
	const char *name;
	float wiring;
} VARIANTS[] = {
	{"urn:tguard:stereo", "stereo", 0.0f},
	{"urn:tguard:mono", "mono", 0.0f},
	{"urn:tguard:sum", "sum", 0.0f},
	{"urn:tguard:stereo", "tipring", 1.0f},
};
#define N_VARIANTS (sizeof(VARIANTS) / sizeof(VARIANTS[0]))

/* Every signal but the raw ones (calib) at 48 kHz; these also at the other rates. */
static const char *const OTHER_RATE_SIGNALS[] = {"sweep", "pink", "burst"};
static const double OTHER_RATES[] = {44100.0, 96000.0, 192000.0};

static void collect_preset(void *data, const char *label, const char *uri, const char *bank)
{
	(void)uri;
	(void)bank;
	TgPresetList *const l = (TgPresetList *)data;
	if (l->n < sizeof(l->labels) / sizeof(l->labels[0])) {
		snprintf(l->labels[l->n++], sizeof(l->labels[0]), "%s", label);
	}
}

void tg_ref_preset_labels(TgHost *host, TgPresetList *list)
{
	list->n = 0;
	tg_host_presets(host, collect_preset, list);
}

void tg_ref_slug(const char *label, char *slug, size_t len)
{
	size_t k = 0;
	for (const char *p = label; *p && k + 1 < len; ++p) {
		const unsigned char ch = (unsigned char)*p;
		if (isalnum(ch)) {
			slug[k++] = (char)tolower(ch);
		} else if (k > 0 && slug[k - 1] != '-') {
			slug[k++] = '-';
		}
	}
	while (k > 0 && slug[k - 1] == '-') {
		--k;
	}
	slug[k] = '\0';
}

static void add_case(TgRefCase *cases, unsigned max, unsigned *n, int v, const char *preset,
                     const char *signal, double rate)
{
	if (cases && *n < max) {
		TgRefCase *const c = &cases[*n];
		c->uri = VARIANTS[v].uri;
		c->variant = VARIANTS[v].name;
		c->wiring = VARIANTS[v].wiring;
		snprintf(c->preset, sizeof(c->preset), "%s", preset);
		if (preset[0]) {
			tg_ref_slug(preset, c->slug, sizeof(c->slug));
		} else {
			snprintf(c->slug, sizeof(c->slug), "default");
		}
		c->signal = signal;
		c->rate = rate;
	}
	++*n;
}

unsigned tg_ref_cases(const char *bundle, TgRefCase *cases, unsigned max)
{
	static TgPresetList presets;
	presets.n = 0;
	TgHost *const host = tg_host_new(bundle);
	char err[512];
	if (host && tg_host_load(host, VARIANTS[0].uri, 48000.0, err, sizeof(err)) == TG_HOST_OK) {
		tg_ref_preset_labels(host, &presets);
	}
	tg_host_free(host);
	unsigned n = 0;
	for (int v = 0; v < (int)N_VARIANTS; ++v) {
		for (unsigned p = 0; p <= presets.n; ++p) {
			const char *const label = p == 0 ? "" : presets.labels[p - 1];
			for (unsigned s = 0; s < tg_n_builtin_signals; ++s) {
				if (!tg_builtin_signals[s].raw) {
					add_case(cases, max, &n, v, label, tg_builtin_signals[s].name, 48000.0);
				}
			}
		}
	}
	for (size_t r = 0; r < sizeof(OTHER_RATES) / sizeof(OTHER_RATES[0]); ++r) {
		for (size_t s = 0; s < sizeof(OTHER_RATE_SIGNALS) / sizeof(OTHER_RATE_SIGNALS[0]); ++s) {
			add_case(cases, max, &n, 0, "", OTHER_RATE_SIGNALS[s], OTHER_RATES[r]);
		}
	}
	return n;
}

char *tg_ref_read_file(const char *path)
{
	FILE *const f = fopen(path, "rb");
	if (!f) {
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	const long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *const s = len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (s) {
		s[fread(s, 1, (size_t)len, f)] = '\0';
	}
	fclose(f);
	return s;
}

void tg_ref_name(const TgRefCase *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s-%s-%.0f.txt", c->variant, c->slug, c->signal, c->rate);
}

static double signal_seconds(const char *name)
{
	for (unsigned i = 0; i < tg_n_builtin_signals; ++i) {
		if (strcmp(tg_builtin_signals[i].name, name) == 0) {
			return tg_builtin_signals[i].seconds;
		}
	}
	return 1.0;
}

/* Append printf output to a growing string. */
typedef struct {
	char *s;
	size_t len, cap;
} Text;

static void text_add(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_add(Text *t, const char *fmt, ...)
{
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		const int k = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		if (k < 0) {
			return;
		}
		if (t->s && t->len + (size_t)k < t->cap) {
			t->len += (size_t)k;
			return;
		}
		const size_t cap = (t->cap ? t->cap * 2 : 4096) + (size_t)k;
		char *const s = realloc(t->s, cap);
		if (!s) {
			return;
		}
		t->s = s;
		t->cap = cap;
	}
}

static void level_db(Text *t, double v)
{
	if (v < 1e-6) { /* -120 dB: silence */
		text_add(t, " -inf");
	} else {
		text_add(t, " %.2f", 20.0 * log10(v));
	}
}

static char *summarize(const TgRefCase *c, const TgReport *r, float *const *out, uint32_t n_ch,
                       uint64_t n)
{
	Text t = {NULL, 0, 0};
	text_add(&t, "# tguard reference: %s, preset \"%s\", signal %s, %.0f Hz%s\n", c->uri,
	         c->preset[0] ? c->preset : "(defaults)", c->signal, c->rate,
	         c->wiring > 0.0f ? ", wiring tip-ring" : "");
	text_add(&t, "peak_ma %.3f\nrms_ma %.3f\nclamps %.0f\nramp_done_s %.4f\n", r->peak_ma,
	         r->rms_ma, r->clamps, r->ramp_done_s);
	text_add(&t, "# per %.0f ms window, each channel: RMS dB, peak dB\n", TG_REF_WINDOW_S * 1e3);
	const uint64_t w = (uint64_t)lround(TG_REF_WINDOW_S * c->rate);
	for (uint64_t pos = 0; pos + w <= n; pos += w) {
		for (uint32_t ch = 0; ch < n_ch; ++ch) {
			double peak = 0.0;
			for (uint64_t i = pos; i < pos + w; ++i) {
				peak = fmax(peak, fabs((double)out[ch][i]));
			}
			level_db(&t, tg_rms(out[ch] + pos, w));
			level_db(&t, peak);
		}
		text_add(&t, "\n");
	}
	return t.s;
}

int tg_ref_render(const char *bundle, const TgRefCase *c, uint32_t block,
                  const char *const *sets, double gain_db, uint32_t shift_frames,
                  TgReport *report, char **summary, float **out_keep, uint64_t *frames)
{
	*summary = NULL;
	TgHost *const host = tg_host_new(bundle);
	char err[1024];
	if (!host || tg_host_load(host, c->uri, c->rate, err, sizeof(err)) != TG_HOST_OK) {
		fprintf(stderr, "%s\n", host ? err : "no host");
		tg_host_free(host);
		return -1;
	}
	if (c->preset[0] && tg_host_apply_preset(host, c->preset, err, sizeof(err)) != TG_HOST_OK) {
		fprintf(stderr, "%s\n", err);
		tg_host_free(host);
		return -1;
	}
	if (c->wiring > 0.0f) {
		tg_host_set(host, "wiring", c->wiring);
	}
	for (const char *const *s = sets; s && *s; s += 2) {
		tg_host_set(host, s[0], (float)atof(s[1]));
	}
	const uint64_t n = (uint64_t)(signal_seconds(c->signal) * c->rate);
	const uint32_t n_in = tg_host_n_audio_in(host), n_out = tg_host_n_audio_out(host);
	float *in[2] = {calloc(n, sizeof(float)), calloc(n, sizeof(float))};
	float *out[2] = {calloc(n, sizeof(float)), calloc(n, sizeof(float))};
	int rc = -1;
	if (in[0] && in[1] && out[0] && out[1] &&
	    tg_builtin_signal(c->signal, c->rate, n_in, n, in) == 0 &&
	    tg_render(host, c->rate, (const float *const *)in, n_in, n, out,
	              &(TgRenderOpts){block, 7, 0}, report) == 0) {
		const float g = (float)pow(10.0, gain_db / 20.0);
		for (uint32_t ch = 0; ch < n_out; ++ch) {
			memmove(out[ch] + shift_frames, out[ch], (n - shift_frames) * sizeof(float));
			memset(out[ch], 0, shift_frames * sizeof(float));
			for (uint64_t i = 0; i < n; ++i) {
				out[ch][i] *= g;
			}
		}
		*summary = summarize(c, report, out, n_out, n);
		rc = *summary ? 0 : -1;
	}
	if (out_keep) {
		out_keep[0] = out[0];
		out_keep[1] = n_out > 1 ? out[1] : NULL;
		if (n_out == 1) {
			free(out[1]);
		}
		*frames = n;
	} else {
		free(out[0]);
		free(out[1]);
	}
	free(in[0]);
	free(in[1]);
	tg_host_free(host);
	return rc;
}

static const char *next_line(const char *s) { return s ? strchr(s, '\n') : NULL; }

static int parse_db(const char **p, double *v)
{
	while (**p == ' ') {
		++*p;
	}
	if (strncmp(*p, "-inf", 4) == 0) {
		*p += 4;
		*v = -INFINITY;
		return 1;
	}
	char *end;
	*v = strtod(*p, &end);
	if (end == *p) {
		return 0;
	}
	*p = end;
	return 1;
}

int tg_ref_compare(const char *expected, const char *actual, char *why, size_t len)
{
	const char *e = expected, *a = actual;
	unsigned line = 1, window = 0;
	for (; e && a && *e && *a; ++line) {
		const char *const e_end = next_line(e), *const a_end = next_line(a);
		if (*e == '#' || *a == '#') {
			/* Comments are descriptive only. */
		} else if (isalpha((unsigned char)*e)) {
			char ek[32], ak[32];
			double ev, av;
			if (sscanf(e, "%31s %lf", ek, &ev) != 2 || sscanf(a, "%31s %lf", ak, &av) != 2 ||
			    strcmp(ek, ak) != 0) {
				snprintf(why, len, "line %u: header differs", line);
				return 1;
			}
			const double tol = strcmp(ek, "ramp_done_s") == 0 ? TG_REF_TOL_RAMP_S
			                   : strcmp(ek, "clamps") == 0   ? 0.0
			                                                 : 0.002 * fmax(fabs(ev), 0.01);
			if (fabs(ev - av) > tol) {
				snprintf(why, len, "line %u: %s was %g, now %g", line, ek, ev, av);
				return 1;
			}
		} else {
			const char *pe = e, *pa = a;
			++window;
			double ev, av;
			int col = 0;
			while (pe < (e_end ? e_end : pe + strlen(pe)) && parse_db(&pe, &ev)) {
				++col;
				if (!parse_db(&pa, &av)) {
					snprintf(why, len, "line %u: fewer values than expected", line);
					return 1;
				}
				const int both_quiet = ev < -100.0 && av < -100.0;
				if (!both_quiet && !(fabs(ev - av) <= TG_REF_TOL_DB)) {
					snprintf(why, len, "line %u (window at %.0f ms), value %d: %.2f dB, was %.2f dB",
					         line, (window - 1) * TG_REF_WINDOW_S * 1e3, col, av, ev);
					return 1;
				}
			}
		}
		e = e_end ? e_end + 1 : NULL;
		a = a_end ? a_end + 1 : NULL;
	}
	const int e_more = e && *e, a_more = a && *a;
	if (e_more || a_more) {
		snprintf(why, len, "line %u: %s", line, e_more ? "render is shorter" : "render is longer");
		return 1;
	}
	return 0;
}
