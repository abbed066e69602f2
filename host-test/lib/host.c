/* tguard host library. */
#define _XOPEN_SOURCE 700

#include "host.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/options/options.h>
#include <lv2/presets/presets.h>
#include <lv2/urid/urid.h>

#include "rtcheck.h"

/* Peers in the benchmark map a few hundred URIs; lookups happen only at
 * load time, so a linear table is enough. */
#define MAX_URIDS 1024
/* Atom port buffers: room for an empty sequence in, notifications out. */
#define ATOM_CAPACITY 65536

typedef struct {
	const LilvPort *lport;
	const char *symbol;
	int is_input, is_audio, is_control, is_atom;
	float value;
	void *buf; /* audio ports beyond two, atom ports */
} Port;

struct TgHost {
	LilvWorld *world;
	const LilvPlugin *plugin;
	LilvInstance *instance;
	uint32_t n_ports;
	Port *ports;
	uint32_t n_atoms; /* atom ports, refilled before each run */
	uint32_t audio_in[2], audio_out[2];
	uint32_t n_in, n_out;
	/* URID map: a fixed table is enough for presets. */
	char *uris[MAX_URIDS];
	uint32_t n_uris;
	LV2_URID_Map map;
	LV2_Feature map_feature;
	/* The options feature: only for urn:tguard:reference (tg_host_use_reference). */
	LV2_Options_Option options[2];
	int32_t reference;
	LV2_Feature options_feature;
	LV2_Feature extra_feature; /* tg_host_add_feature, when extra_on */
	int extra_on;
	const LV2_Feature *features[3];
	LV2_URID atom_float, atom_double, atom_int, atom_long, atom_bool;
	LV2_URID atom_sequence, atom_chunk;
	LilvNode *n_input, *n_audio, *n_control, *n_atom, *n_preset, *n_label, *n_bank;
};

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
	TgHost *const host = (TgHost *)handle;
	for (uint32_t i = 0; i < host->n_uris; ++i) {
		if (strcmp(host->uris[i], uri) == 0) {
			return i + 1;
		}
	}
	if (host->n_uris == MAX_URIDS) {
		return 0;
	}
	host->uris[host->n_uris] = strdup(uri);
	return host->uris[host->n_uris] ? ++host->n_uris : 0;
}

TgHost *tg_host_new(const char *bundle_dir)
{
	TgHost *const host = calloc(1, sizeof(TgHost));
	if (!host) {
		return NULL;
	}
	host->world = lilv_world_new();
	if (bundle_dir) {
		char *const path = realpath(bundle_dir, NULL);
		if (path) {
			const size_t len = strlen(path) + 9;
			char *const buf = malloc(len);
			if (buf) {
				snprintf(buf, len, "file://%s/", path);
				LilvNode *const bundle = lilv_new_uri(host->world, buf);
				lilv_world_load_bundle(host->world, bundle);
				lilv_node_free(bundle);
				free(buf);
			}
			free(path);
		}
	} else {
		lilv_world_load_all(host->world);
	}
	host->map.handle = host;
	host->map.map = map_uri;
	host->map_feature.URI = LV2_URID__map;
	host->map_feature.data = &host->map;
	host->features[0] = &host->map_feature;
	host->features[1] = NULL;
	host->features[2] = NULL;
	host->atom_float = map_uri(host, LV2_ATOM__Float);
	host->atom_double = map_uri(host, LV2_ATOM__Double);
	host->atom_int = map_uri(host, LV2_ATOM__Int);
	host->atom_long = map_uri(host, LV2_ATOM__Long);
	host->atom_bool = map_uri(host, LV2_ATOM__Bool);
	host->atom_sequence = map_uri(host, LV2_ATOM__Sequence);
	host->atom_chunk = map_uri(host, LV2_ATOM__Chunk);
	host->n_input = lilv_new_uri(host->world, LILV_URI_INPUT_PORT);
	host->n_audio = lilv_new_uri(host->world, LILV_URI_AUDIO_PORT);
	host->n_control = lilv_new_uri(host->world, LILV_URI_CONTROL_PORT);
	host->n_atom = lilv_new_uri(host->world, LV2_ATOM__AtomPort);
	host->n_preset = lilv_new_uri(host->world, LV2_PRESETS__Preset);
	host->n_label = lilv_new_uri(host->world, LILV_NS_RDFS "label");
	host->n_bank = lilv_new_uri(host->world, LV2_PRESETS__bank);
	return host;
}

void tg_host_free(TgHost *host)
{
	if (!host) {
		return;
	}
	if (host->instance) {
		lilv_instance_free(host->instance);
	}
	for (uint32_t i = 0; host->ports && i < host->n_ports; ++i) {
		free(host->ports[i].buf);
	}
	free(host->ports);
	lilv_node_free(host->n_input);
	lilv_node_free(host->n_audio);
	lilv_node_free(host->n_control);
	lilv_node_free(host->n_atom);
	lilv_node_free(host->n_preset);
	lilv_node_free(host->n_label);
	lilv_node_free(host->n_bank);
	for (uint32_t i = 0; i < host->n_uris; ++i) {
		free(host->uris[i]);
	}
	lilv_world_free(host->world);
	free(host);
}

void tg_host_use_reference(TgHost *host, int on)
{
	host->reference = on ? 1 : 0;
	memset(host->options, 0, sizeof(host->options));
	host->options[0].context = LV2_OPTIONS_INSTANCE;
	host->options[0].subject = 0;
	host->options[0].key = map_uri(host, "urn:tguard:reference");
	host->options[0].size = sizeof(int32_t);
	host->options[0].type = host->atom_bool;
	host->options[0].value = &host->reference;
	host->options_feature.URI = LV2_OPTIONS__options;
	host->options_feature.data = host->options;
	host->features[1] = on ? &host->options_feature : NULL;
}

void tg_host_add_feature(TgHost *host, const char *uri, void *data)
{
	host->extra_feature.URI = uri;
	host->extra_feature.data = data;
	host->extra_on = uri != NULL;
}

static void list_plugins(TgHost *host, char *err, size_t errlen)
{
	const LilvPlugins *const all = lilv_world_get_all_plugins(host->world);
	size_t used = strlen(err);
	LILV_FOREACH (plugins, i, all) {
		const char *const uri = lilv_node_as_uri(lilv_plugin_get_uri(lilv_plugins_get(all, i)));
		if (strncmp(uri, "urn:tguard:", 11) != 0 || used + strlen(uri) + 3 >= errlen) {
			continue;
		}
		used += (size_t)snprintf(err + used, errlen - used, " %s", uri);
	}
}

TgHostStatus tg_host_load(TgHost *host, const char *uri, double rate, char *err, size_t errlen)
{
	LilvNode *const node = lilv_new_uri(host->world, uri);
	host->plugin = lilv_plugins_get_by_uri(lilv_world_get_all_plugins(host->world), node);
	lilv_node_free(node);
	if (!host->plugin) {
		snprintf(err, errlen, "unknown plugin <%s>; tguard plugins found:", uri);
		list_plugins(host, err, errlen);
		return TG_HOST_ERR_WORLD;
	}
	host->n_ports = lilv_plugin_get_num_ports(host->plugin);
	host->ports = calloc(host->n_ports, sizeof(Port));
	float *const defaults = calloc(host->n_ports, sizeof(float));
	if (!host->ports || !defaults) {
		free(defaults);
		snprintf(err, errlen, "out of memory");
		return TG_HOST_ERR_WORLD;
	}
	lilv_plugin_get_port_ranges_float(host->plugin, NULL, NULL, defaults);
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		Port *const p = &host->ports[i];
		p->lport = lilv_plugin_get_port_by_index(host->plugin, i);
		p->symbol = lilv_node_as_string(lilv_port_get_symbol(host->plugin, p->lport));
		p->is_input = lilv_port_is_a(host->plugin, p->lport, host->n_input);
		p->is_audio = lilv_port_is_a(host->plugin, p->lport, host->n_audio);
		p->is_control = lilv_port_is_a(host->plugin, p->lport, host->n_control);
		p->is_atom = lilv_port_is_a(host->plugin, p->lport, host->n_atom);
		host->n_atoms += p->is_atom ? 1u : 0u;
		p->value = isnan(defaults[i]) ? 0.0f : defaults[i];
		if (p->is_audio && p->is_input && host->n_in < 2) {
			host->audio_in[host->n_in++] = i;
		} else if (p->is_audio && !p->is_input && host->n_out < 2) {
			host->audio_out[host->n_out++] = i;
		} else if (!p->is_control) {
			/* Extra audio (silence) or an atom port: peers must see every
			 * port connected to real memory. */
			p->buf = calloc(1, p->is_atom ? ATOM_CAPACITY : TG_HOST_MAX_BLOCK * sizeof(float));
			if (!p->buf) {
				free(defaults);
				snprintf(err, errlen, "out of memory");
				return TG_HOST_ERR_WORLD;
			}
		}
	}
	free(defaults);
	/* The list ends at the first NULL: the options feature is optional. */
	const LV2_Feature *features[4] = {&host->map_feature, NULL, NULL, NULL};
	int n_features = 1;
	if (host->features[1]) {
		features[n_features++] = host->features[1];
	}
	if (host->extra_on) {
		features[n_features++] = &host->extra_feature;
	}
	host->instance = lilv_plugin_instantiate(host->plugin, rate, features);
	if (!host->instance) {
		snprintf(err, errlen, "plugin <%s> failed to instantiate at %g Hz", uri, rate);
		return TG_HOST_ERR_INSTANTIATE;
	}
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		Port *const p = &host->ports[i];
		lilv_instance_connect_port(host->instance, i, p->is_control ? (void *)&p->value : p->buf);
	}
	return TG_HOST_OK;
}

static Port *find_port(const TgHost *host, const char *symbol)
{
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		if (host->ports[i].is_control && strcmp(host->ports[i].symbol, symbol) == 0) {
			return &host->ports[i];
		}
	}
	return NULL;
}

TgHostStatus tg_host_set(TgHost *host, const char *symbol, float value)
{
	Port *const p = find_port(host, symbol);
	if (!p || !p->is_input) {
		return TG_HOST_ERR_SYMBOL;
	}
	p->value = value;
	return TG_HOST_OK;
}

float tg_host_get(const TgHost *host, const char *symbol)
{
	const Port *const p = find_port(host, symbol);
	return p ? p->value : NAN;
}

int tg_host_bridged(const TgHost *host)
{
	return tg_host_n_audio_out(host) == 2 && tg_host_get(host, "wiring") >= 1.0f;
}

unsigned tg_host_controls(const TgHost *host, TgControlFunc func, void *data)
{
	unsigned count = 0;
	for (uint32_t i = 0; i < host->n_ports; ++i) {
		if (host->ports[i].is_control && host->ports[i].is_input) {
			func(data, host->ports[i].symbol, host->ports[i].value);
			++count;
		}
	}
	return count;
}

const void *tg_host_extension_data(const TgHost *host, const char *uri)
{
	return host->instance ? lilv_instance_get_extension_data(host->instance, uri) : NULL;
}

void *tg_host_handle(const TgHost *host)
{
	return host->instance ? lilv_instance_get_handle(host->instance) : NULL;
}

uint32_t tg_host_n_audio_in(const TgHost *host) { return host->n_in; }
uint32_t tg_host_n_audio_out(const TgHost *host) { return host->n_out; }

/* Preset port values come typed as Turtle wrote them. */
static void set_port_value(const char *symbol, void *data, const void *value, uint32_t size,
                           uint32_t type)
{
	TgHost *const host = (TgHost *)data;
	float v;
	if (type == host->atom_float && size == sizeof(float)) {
		v = *(const float *)value;
	} else if (type == host->atom_double && size == sizeof(double)) {
		v = (float)*(const double *)value;
	} else if ((type == host->atom_int || type == host->atom_bool) && size == sizeof(int32_t)) {
		v = (float)*(const int32_t *)value;
	} else if (type == host->atom_long && size == sizeof(int64_t)) {
		v = (float)*(const int64_t *)value;
	} else {
		fprintf(stderr, "warning: preset value for %s has an unsupported type\n", symbol);
		return;
	}
	if (tg_host_set(host, symbol, v) != TG_HOST_OK) {
		fprintf(stderr, "warning: preset sets unknown port %s\n", symbol);
	}
}

static char *node_label(TgHost *host, const LilvNode *subject)
{
	LilvNode *const label = lilv_world_get(host->world, subject, host->n_label, NULL);
	char *const s = label ? strdup(lilv_node_as_string(label)) : NULL;
	lilv_node_free(label);
	return s;
}

unsigned tg_host_presets(TgHost *host, TgPresetFunc func, void *data)
{
	LilvNodes *const presets = lilv_plugin_get_related(host->plugin, host->n_preset);
	unsigned count = 0;
	LILV_FOREACH (nodes, i, presets) {
		const LilvNode *const preset = lilv_nodes_get(presets, i);
		lilv_world_load_resource(host->world, preset);
		char *const label = node_label(host, preset);
		LilvNode *const bank = lilv_world_get(host->world, preset, host->n_bank, NULL);
		char *const bank_label = bank ? node_label(host, bank) : NULL;
		func(data, label ? label : "", lilv_node_as_uri(preset),
		     bank_label ? bank_label : (bank ? lilv_node_as_uri(bank) : ""));
		free(label);
		free(bank_label);
		lilv_node_free(bank);
		++count;
	}
	lilv_nodes_free(presets);
	return count;
}

TgHostStatus tg_host_apply_preset(TgHost *host, const char *name, char *err, size_t errlen)
{
	LilvNodes *const presets = lilv_plugin_get_related(host->plugin, host->n_preset);
	const LilvNode *found = NULL;
	size_t used = 0;
	LILV_FOREACH (nodes, i, presets) {
		const LilvNode *const preset = lilv_nodes_get(presets, i);
		lilv_world_load_resource(host->world, preset);
		char *const label = node_label(host, preset);
		if (!found && (strcmp(lilv_node_as_uri(preset), name) == 0 ||
		               (label && strcasecmp(label, name) == 0))) {
			found = preset;
		}
		if (errlen > used) {
			used += (size_t)snprintf(err + used, errlen - used, "%s\"%s\"", used ? ", " : "",
			                         label ? label : lilv_node_as_uri(preset));
		}
		free(label);
	}
	TgHostStatus status = TG_HOST_OK;
	if (!found) {
		char *const have = strdup(used ? err : "none");
		snprintf(err, errlen, "unknown preset \"%s\"; presets: %s", name, have ? have : "");
		free(have);
		status = TG_HOST_ERR_PRESET;
	} else {
		/* The resource was loaded above: without that the state is empty. */
		LilvState *const state = lilv_state_new_from_world(host->world, &host->map, found);
		if (!state) {
			snprintf(err, errlen, "preset <%s> has no state", lilv_node_as_uri(found));
			status = TG_HOST_ERR_PRESET;
		} else {
			lilv_state_emit_port_values(state, set_port_value, host);
			lilv_state_free(state);
		}
	}
	lilv_nodes_free(presets);
	return status;
}

void tg_host_activate(TgHost *host) { lilv_instance_activate(host->instance); }
void tg_host_deactivate(TgHost *host) { lilv_instance_deactivate(host->instance); }

void tg_host_run(TgHost *host, const float *const *in, float *const *out, uint32_t n)
{
	for (uint32_t ch = 0; ch < host->n_in; ++ch) {
		lilv_instance_connect_port(host->instance, host->audio_in[ch], (void *)(uintptr_t)in[ch]);
	}
	for (uint32_t ch = 0; ch < host->n_out; ++ch) {
		lilv_instance_connect_port(host->instance, host->audio_out[ch], out[ch]);
	}
	/* Atom ports: an empty sequence in, the whole buffer offered out (the
	 * walk over the ports only for plugins that have some, so timing a
	 * plugin with many control ports does not time the host). */
	for (uint32_t i = 0; host->n_atoms > 0 && i < host->n_ports; ++i) {
		Port *const p = &host->ports[i];
		if (p->is_atom && p->buf) {
			LV2_Atom_Sequence *const seq = (LV2_Atom_Sequence *)p->buf;
			seq->body.unit = 0;
			seq->body.pad = 0;
			if (p->is_input) {
				seq->atom.type = host->atom_sequence;
				seq->atom.size = sizeof(LV2_Atom_Sequence_Body);
			} else {
				seq->atom.type = host->atom_chunk;
				seq->atom.size = ATOM_CAPACITY - sizeof(LV2_Atom);
			}
		}
	}
	tg_rt_enter();
	lilv_instance_run(host->instance, n);
	tg_rt_leave();
}
