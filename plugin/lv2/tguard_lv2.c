/* tguard: LV2 glue. Maps ports onto the chain and nothing more.
 *
 * For debugging, a host can run the reference chain (reference.h) instead
 * of the fast one: at instantiation, the options feature (LV2_OPTIONS__options)
 * with the option urn:tguard:reference, an atom:Bool (or atom:Int) true in
 * the instance context, and the URID map to read its key. The choice is
 * fixed for the instance's life. */
#include <stdlib.h>
#include <string.h>

#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/options/options.h>
#include <lv2/urid/urid.h>

#include "chain.h"
#include "ports.h"
#include "reference.h"

typedef struct {
	const TgVariantInfo *variant;
	TgChain *chain;  /* the fast chain, or */
	TgRefChain *ref; /* the reference, when the host asked for it */
	float *port[TG_P_COUNT]; /* by logical id; NULL when not connected */
} Tguard;

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

/** Instantiation class: start from silence with the current controls. */
static void activate(LV2_Handle instance)
{
	Tguard *const self = (Tguard *)instance;
	TgParams p;
	read_params(self, &p);
	if (self->ref) {
		tg_ref_chain_activate(self->ref, &p);
	} else {
		tg_chain_activate(self->chain, &p);
	}
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
}

static void cleanup(LV2_Handle instance)
{
	Tguard *const self = (Tguard *)instance;
	tg_chain_free(self->chain);
	tg_ref_chain_free(self->ref);
	free(self);
}

static const LV2_Descriptor descriptors[TG_N_VARIANTS] = {
    {TG_URI_STEREO, instantiate, connect_port, activate, run, NULL, cleanup, NULL},
    {TG_URI_MONO, instantiate, connect_port, activate, run, NULL, cleanup, NULL},
    {TG_URI_SUM, instantiate, connect_port, activate, run, NULL, cleanup, NULL},
};

/** Discovery class. */
LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
	return index < TG_N_VARIANTS ? &descriptors[index] : NULL;
}
