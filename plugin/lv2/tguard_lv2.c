/* tguard: LV2 glue. Maps ports onto the chain and nothing more.
 *
 * For debugging, a host can run the reference chain (reference.h) instead
 * of the fast one: at instantiation, the options feature (LV2_OPTIONS__options)
 * with the option urn:tguard:reference, an atom:Bool (or atom:Int) true in
 * the instance context, and the URID map to read its key. The choice is
 * fixed for the instance's life. */
#if !defined(_WIN32) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#endif
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
/* windows.h defines IN and OUT as empty parameter annotations; they are
 * port ids in ports.def, expanded through nested macros. */
#undef IN
#undef OUT
#else
#include <time.h>
#endif

#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/urid/urid.h>

#include "chain.h"
#include "display.h"
#include "inline_display.h"
#include "ports.h"
#include "reference.h"

/* ---- Ardour's inline display: state (functions further down) ---- */

/* The values run() hands to render(), one atomic word each: relaxed
 * loads and stores of float bits, lock-free on every target we build for.
 * A picture may mix two updates 33 ms apart, which no eye can tell. */
enum {
	TG_IDPY_PEAK,
	TG_IDPY_HOLD,
	TG_IDPY_HEAT,
	TG_IDPY_MAGNET,
	TG_IDPY_GR,
	TG_IDPY_RAMP,
	TG_IDPY_FLAGS,
	TG_IDPY_N
};

typedef struct {
	/* Audio thread. */
	const TgIdpyQueueDraw *queue; /* NULL when the host offers no display */
	int sum;                      /* the 2-in/1-out variant (for the clamps) */
	uint32_t period;              /* frames between two updates: 1/30 s */
	uint32_t frames;              /* frames since the last update */
	uint32_t hold_frames;         /* how long a peak stays held */
	uint32_t hold_age;            /* frames since the held peak was set */
	float peak_ma, gr_db;         /* the highest peak, lowest gain since then */
	float hold;
	int drawn[TG_IDPY_N]; /* what the last redraw request showed */
	/* Shared. */
	atomic_uint shared[TG_IDPY_N];
	/* GUI thread. */
	uint32_t *pixels; /* TG_DISPLAY_MAX_W x TG_DISPLAY_MAX_H, from the first render() */
	TgIdpySurface surface;
} TgIdpy;

typedef struct {
	const TgVariantInfo *variant;
	TgChain *chain;  /* the fast chain, or */
	TgRefChain *ref; /* the reference, when the host asked for it */
	float *port[TG_P_COUNT]; /* by logical id; NULL when not connected */
	TgIdpy idpy;
	double idle_from; /* when deactivate() was called, s on the monotonic clock; NAN when active */
} Tguard;

static void idpy_init(TgIdpy *d, double rate, int sum, const LV2_Feature *const *features);
static void idpy_run(TgIdpy *d, uint32_t n, const TgParams *raw, const TgMeters *m,
                     double magnet_a2);
static const void *extension_data(const char *uri);

/* Whether the host passed the option urn:tguard:reference, true. */
static int wants_reference(const LV2_Feature *const *features)
{
	const LV2_URID_Map *map = NULL;
	const LV2_Options_Option *opts = NULL;
	for (int i = 0; features && features[i]; ++i) {
		if (strcmp(features[i]->URI, LV2_URID__map) == 0) {
			map = (const LV2_URID_Map *)features[i]->data;
		} else if (strcmp(features[i]->URI, LV2_OPTIONS__options) == 0) {
			opts = (const LV2_Options_Option *)features[i]->data;
		}
	}
	if (!map || !opts) {
		return 0;
	}
	const LV2_URID key = map->map(map->handle, TG_URI_REFERENCE);
	const LV2_URID t_bool = map->map(map->handle, LV2_ATOM__Bool);
	const LV2_URID t_int = map->map(map->handle, LV2_ATOM__Int);
	/* The array ends with an option of key 0 and value NULL. */
	for (const LV2_Options_Option *o = opts; o->key != 0 || o->value != NULL; ++o) {
		if (key != 0 && o->key == key && o->context == LV2_OPTIONS_INSTANCE && o->value &&
		    o->size == sizeof(int32_t) && (o->type == t_bool || o->type == t_int)) {
			int32_t v;
			memcpy(&v, o->value, sizeof(v));
			return v != 0;
		}
	}
	return 0;
}

/** Instantiation class: everything run() needs is allocated here. */
static LV2_Handle instantiate(const LV2_Descriptor *descriptor, double rate,
                              const char *bundle_path, const LV2_Feature *const *features)
{
	(void)bundle_path;
	const TgVariantInfo *variant = NULL;
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		if (strcmp(descriptor->URI, tg_variants[v].uri) == 0) {
			variant = &tg_variants[v];
		}
	}
	if (!variant) {
		return NULL;
	}
	Tguard *const self = calloc(1, sizeof(Tguard));
	if (!self) {
		return NULL;
	}
	self->variant = variant;
	if (wants_reference(features)) {
		self->ref = tg_ref_chain_new(rate, variant->n_in, variant->n_out);
	} else {
		self->chain = tg_chain_new(rate, variant->n_in, variant->n_out);
	}
	if (!self->chain && !self->ref) {
		free(self);
		return NULL;
	}
	idpy_init(&self->idpy, rate, variant->n_in == 2 && variant->n_out == 1, features);
	self->idle_from = NAN;
	return self;
}

/** Audio class: only stores the pointer. */
static void connect_port(LV2_Handle instance, uint32_t index, void *data)
{
	Tguard *const self = (Tguard *)instance;
	if (index < self->variant->n_ports) {
		self->port[self->variant->ports[index]] = (float *)data;
	}
}

/* A control that is not connected reads as its default. */
static float control(const Tguard *self, TgPortId id)
{
	const float *const p = self->port[id];
	return p ? *p : tg_port_info[id].def;
}

/* Every input control onto its TgParams field (ports.def). */
static void read_params(const Tguard *self, TgParams *p)
{
#define TG_X_READ(ID, group, sym, name, field, ...) p->field = control(self, TG_P_##ID);
	TG_PORTS(TG_X_READ, TG_X_NONE, TG_X_NONE)
#undef TG_X_READ
}

/* Seconds on a clock that never steps back. It stops while the machine
 * sleeps (CLOCK_MONOTONIC), so a suspend counts as no cooling: the heat is
 * then over-estimated, never under. */
static double monotonic_s(void)
{
#ifdef _WIN32
	LARGE_INTEGER f, t;
	QueryPerformanceFrequency(&f);
	QueryPerformanceCounter(&t);
	return (double)t.QuadPart / (double)f.QuadPart;
#else
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
		return NAN; /* no clock: no cooling */
	}
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
}

/** Instantiation class: start from silence with the current controls. The
 * coil's heat stays, cooled by the time since deactivate() (heat.h): a
 * host that re-activates on every pause (PipeWire's filter-chain) must not
 * make the coil cold. */
static void activate(LV2_Handle instance)
{
	Tguard *const self = (Tguard *)instance;
	TgParams p;
	read_params(self, &p);
	/* In whole milliseconds, rounded down: a host that toggles the plugin
	 * within a millisecond cools nothing, the same on every run. */
	const double idle = floor((monotonic_s() - self->idle_from) * 1e3) * 1e-3; /* NaN: none */
	self->idle_from = NAN;
	if (self->ref) {
		tg_ref_chain_idle(self->ref, idle);
		tg_ref_chain_activate(self->ref, &p);
	} else {
		tg_chain_idle(self->chain, idle);
		tg_chain_activate(self->chain, &p);
	}
}

/** Instantiation class: note when, so that activate() can cool the heat by
 * the time the plugin did not run. */
static void deactivate(LV2_Handle instance)
{
	Tguard *const self = (Tguard *)instance;
	self->idle_from = monotonic_s();
}

static void write_meter(const Tguard *self, TgPortId id, float value)
{
	if (self->port[id]) {
		*self->port[id] = value;
	}
}

/** Audio class. */
static void run(LV2_Handle instance, uint32_t n)
{
	Tguard *const self = (Tguard *)instance;
	const int stereo_in = self->variant->n_in == 2;
	const int stereo_out = self->variant->n_out == 2;
	const float *const in[2] = {
	    stereo_in ? self->port[TG_P_IN_L] : self->port[TG_P_IN],
	    stereo_in ? self->port[TG_P_IN_R] : NULL,
	};
	float *const out[2] = {
	    stereo_out ? self->port[TG_P_OUT_L] : self->port[TG_P_OUT],
	    stereo_out ? self->port[TG_P_OUT_R] : NULL,
	};
	if (!in[0] || !out[0] || (stereo_in && !in[1]) || (stereo_out && !out[1])) {
		n = 0; /* nothing to process without buffers; meters still update */
	}
	TgParams p;
	read_params(self, &p);
	TgMeters m;
	if (self->ref) {
		tg_ref_chain_process(self->ref, in, out, n, &p, &m);
	} else {
		tg_chain_process(self->chain, in, out, n, &p, &m);
	}
	/* Every output control from its TgMeters field (ports.def). */
#define TG_X_WRITE(ID, group, sym, name, field, ...) write_meter(self, TG_P_##ID, m.field);
	TG_PORTS(TG_X_NONE, TG_X_WRITE, TG_X_NONE)
#undef TG_X_WRITE
	idpy_run(&self->idpy, n, &p, &m, self->ref ? 0.0 : tg_chain_magnet_heat(self->chain));
}

static void cleanup(LV2_Handle instance)
{
	Tguard *const self = (Tguard *)instance;
	tg_chain_free(self->chain);
	tg_ref_chain_free(self->ref);
	free(self->idpy.pixels);
	free(self);
}

static const LV2_Descriptor descriptors[TG_N_VARIANTS] = {
    {TG_URI_STEREO, instantiate, connect_port, activate, run, deactivate, cleanup, extension_data},
    {TG_URI_MONO, instantiate, connect_port, activate, run, deactivate, cleanup, extension_data},
    {TG_URI_SUM, instantiate, connect_port, activate, run, deactivate, cleanup, extension_data},
};

/* ---- Ardour's inline display: functions ---- */

/* A peak stays marked this long before the mark falls to the newest. */
#define TG_IDPY_HOLD_S 1.5

static void idpy_init(TgIdpy *d, double rate, int sum, const LV2_Feature *const *features)
{
	for (int i = 0; features && features[i]; ++i) {
		if (strcmp(features[i]->URI, TG_IDPY__queue_draw) == 0) {
			const TgIdpyQueueDraw *const q = (const TgIdpyQueueDraw *)features[i]->data;
			d->queue = q && q->queue_draw ? q : NULL;
		}
	}
	d->sum = sum;
	d->period = (uint32_t)(rate / 30.0);
	d->hold_frames = (uint32_t)(rate * TG_IDPY_HOLD_S);
	d->gr_db = 0.0f;
	for (int k = 0; k < TG_IDPY_N; ++k) {
		atomic_init(&d->shared[k], 0u);
	}
}

static uint32_t float_bits(float v)
{
	uint32_t u;
	memcpy(&u, &v, sizeof(u));
	return u;
}

static float bits_float(uint32_t u)
{
	float v;
	memcpy(&v, &u, sizeof(v));
	return v;
}

/* Audio class: folds the block's meters in, and every 1/30 s of audio
 * publishes them and, when the picture would change, asks for a redraw
 * (at most once per run(), so at most 30 times a second of audio). */
static void idpy_run(TgIdpy *d, uint32_t n, const TgParams *raw, const TgMeters *m,
                     double magnet_a2)
{
	d->peak_ma = m->peak_ma > d->peak_ma ? m->peak_ma : d->peak_ma;
	d->gr_db = m->gr_db < d->gr_db ? m->gr_db : d->gr_db;
	d->hold_age = d->hold_age < d->hold_frames ? d->hold_age + n : d->hold_age;
	d->frames += n;
	if (d->frames < d->period) {
		return;
	}
	d->frames %= d->period;

	/* The limits as the chain applies them: the controls clamped, the
	 * peak limit from the sample ceiling in force (it includes the
	 * voltage limit and 0 dBFS), the heat limit from the RMS control. */
	TgParams p = *raw;
	tg_params_sanitize(&p, d->sum);
	const float amps_ma = p.vfs / p.z_ohm * 1e3f;
	const float peak_lim = powf(10.0f, m->ceiling_db / 20.0f) * amps_ma;
	const float peak = peak_lim > 0.0f ? d->peak_ma / peak_lim : 0.0f;
	const float heat = m->rms_ma / p.i_rms_ma;
	const float magnet = (float)(magnet_a2 * 1e6 / ((double)p.i_rms_ma * (double)p.i_rms_ma));
	if (peak >= d->hold || d->hold_age >= d->hold_frames) {
		d->hold = peak;
		d->hold_age = 0;
	}
	/* The thermal stage mutes while the estimate is at or over the limit
	 * (limiter.c, thermal_gain). */
	const uint32_t flags = (p.enable < 0.5f ? 1u : 0u) | (heat >= 1.0f ? 2u : 0u);
	const uint32_t w[TG_IDPY_N] = {
	    [TG_IDPY_PEAK] = float_bits(peak),   [TG_IDPY_HOLD] = float_bits(d->hold),
	    [TG_IDPY_HEAT] = float_bits(heat),   [TG_IDPY_MAGNET] = float_bits(magnet),
	    [TG_IDPY_GR] = float_bits(d->gr_db),
	    [TG_IDPY_RAMP] = float_bits(m->ramp), [TG_IDPY_FLAGS] = flags,
	};
	d->peak_ma = 0.0f;
	d->gr_db = 0.0f;
	for (int k = 0; k < TG_IDPY_N; ++k) {
		atomic_store_explicit(&d->shared[k], w[k], memory_order_relaxed);
	}
	if (!d->queue) {
		return; /* no host to ask for a redraw */
	}
	/* A redraw only when the picture would change at its largest size:
	 * none in silence, nor while a decaying heat estimate moves by less
	 * than a pixel. */
	const int L = TG_DISPLAY_MAX_W;
	const int shown[TG_IDPY_N] = {
	    [TG_IDPY_PEAK] = tg_display_peak_len(peak, L),
	    [TG_IDPY_HOLD] = tg_display_peak_len(d->hold, L),
	    [TG_IDPY_HEAT] = tg_display_heat_len(heat, L) + tg_display_cool_len(heat, L) * (L + 1),
	    [TG_IDPY_MAGNET] = tg_display_magnet_len(magnet, heat, L),
	    [TG_IDPY_GR] = tg_display_gr_len(bits_float(w[TG_IDPY_GR]), L),
	    [TG_IDPY_RAMP] = tg_display_ramp_len(m->ramp, L) + (m->ramp >= 1.0f ? L + 1 : 0),
	    [TG_IDPY_FLAGS] = (int)flags,
	};
	if (memcmp(shown, d->drawn, sizeof(shown)) != 0) {
		memcpy(d->drawn, shown, sizeof(shown));
		d->queue->queue_draw(d->queue->handle);
	}
}

/* GUI thread: the buffer is allocated at the first call, for the largest
 * picture tg_display_size() gives; later calls only draw. */
static TgIdpySurface *idpy_render(void *instance, uint32_t w, uint32_t max_h)
{
	TgIdpy *const d = &((Tguard *)instance)->idpy;
	if (!d->pixels) {
		d->pixels = malloc((size_t)TG_DISPLAY_MAX_W * TG_DISPLAY_MAX_H * sizeof(uint32_t));
		if (!d->pixels) {
			return NULL;
		}
	}
	uint32_t pw, ph;
	tg_display_size(w, max_h, &pw, &ph);
	if (pw == 0 || ph == 0) {
		return NULL;
	}
	uint32_t u[TG_IDPY_N];
	for (int k = 0; k < TG_IDPY_N; ++k) {
		u[k] = atomic_load_explicit(&d->shared[k], memory_order_relaxed);
	}
	const TgDisplayValues v = {
	    .peak = bits_float(u[TG_IDPY_PEAK]),
	    .peak_hold = bits_float(u[TG_IDPY_HOLD]),
	    .heat = bits_float(u[TG_IDPY_HEAT]),
	    .magnet = bits_float(u[TG_IDPY_MAGNET]),
	    .gr_db = bits_float(u[TG_IDPY_GR]),
	    .ramp = bits_float(u[TG_IDPY_RAMP]),
	    .bypassed = (u[TG_IDPY_FLAGS] & 1u) != 0,
	    .cooling = (u[TG_IDPY_FLAGS] & 2u) != 0,
	};
	tg_display_draw(d->pixels, (int)pw, (int)ph, (int)pw, &v);
	d->surface.data = (unsigned char *)d->pixels;
	d->surface.width = (int)pw;
	d->surface.height = (int)ph;
	d->surface.stride = (int)pw * (int)sizeof(uint32_t);
	return &d->surface;
}

/** Discovery class. */
static const void *extension_data(const char *uri)
{
	static const TgIdpyInterface idpy = {idpy_render};
	return strcmp(uri, TG_IDPY__interface) == 0 ? &idpy : NULL;
}

/** Discovery class. */
LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
	return index < TG_N_VARIANTS ? &descriptors[index] : NULL;
}
