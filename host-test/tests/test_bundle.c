/* tguard bundle tests: the built build/tguard.lv2 seen through lilv, as a
 * host sees it, with LILV_OPTION_LV2_PATH pointed at the build. Run from the
 * source tree (make check). */
#define _XOPEN_SOURCE 700

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lilv/lilv.h>
#include <lv2/atom/atom.h>
#include <lv2/core/lv2.h>
#include <lv2/port-groups/port-groups.h>
#include <lv2/presets/presets.h>
#include <lv2/urid/urid.h>

#include "greatest.h"

#include "ports.h"

#define BUNDLE_DIR "build/tguard.lv2"

/* From the Makefile's VERSION. */
#ifndef TG_VERSION_MINOR
#error "define TG_VERSION_MINOR and TG_VERSION_MICRO (the Makefile does)"
#endif

static LilvWorld *world;

static LilvWorld *world_new(void)
{
	LilvWorld *const w = lilv_world_new();
	/* build/lv2 holds only a link to the bundle: the test must not see an
	 * installed copy, nor anything else in build/. */
	char *const path = realpath("build/lv2", NULL);
	if (path) {
		LilvNode *const lv2_path = lilv_new_string(w, path);
		lilv_world_set_option(w, LILV_OPTION_LV2_PATH, lv2_path);
		lilv_node_free(lv2_path);
		free(path);
	}
	lilv_world_load_all(w);
	return w;
}

static const LilvPlugin *find_plugin(const char *uri)
{
	LilvNode *const node = lilv_new_uri(world, uri);
	const LilvPlugin *const plugin =
	    lilv_plugins_get_by_uri(lilv_world_get_all_plugins(world), node);
	lilv_node_free(node);
	return plugin;
}

TEST plugins_load(void)
{
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		const LilvPlugin *const plugin = find_plugin(tg_variants[v].uri);
		ASSERTm(tg_variants[v].uri, plugin != NULL);
		ASSERT(lilv_plugin_verify(plugin));
	}
	PASS();
}

/* Whether the port has each property whose TG_PP_* flag the table gives
 * it, and none other: 0 when they agree. */
static int properties_differ(const LilvPlugin *plugin, const LilvPort *port, unsigned props)
{
	static const struct {
		unsigned flag;
		const char *uri;
	} PROPS[] = {{TG_PP_TOGGLED, LV2_CORE__toggled},
	             {TG_PP_INTEGER, LV2_CORE__integer},
	             {TG_PP_ENUM, LV2_CORE__enumeration},
	             {TG_PP_LOG, "http://lv2plug.in/ns/ext/port-props#logarithmic"},
	             {TG_PP_LATENCY, LV2_CORE__reportsLatency}};
	int differ = 0;
	for (size_t k = 0; k < sizeof(PROPS) / sizeof(PROPS[0]); ++k) {
		LilvNode *const prop = lilv_new_uri(world, PROPS[k].uri);
		differ |= !lilv_port_has_property(plugin, port, prop) != !(props & PROPS[k].flag);
		lilv_node_free(prop);
	}
	return differ;
}

/* An enumeration's scale points, as lilv reads them, ascending and within
 * the range; 0 when none. */
static int scale_points_wrong(const LilvPlugin *plugin, const LilvPort *port, float lo, float hi,
                              unsigned *count)
{
	LilvScalePoints *const points = lilv_port_get_scale_points(plugin, port);
	int wrong = 0;
	*count = 0;
	LILV_FOREACH (scale_points, i, points) {
		const float v = lilv_node_as_float(lilv_scale_point_get_value(lilv_scale_points_get(points, i)));
		wrong |= !(v >= lo && v <= hi);
		++*count;
	}
	lilv_scale_points_free(points);
	return wrong;
}

#define TG_X_GROUP_SYMBOL(ID, sym, label) [TG_GROUP_##ID] = sym,
static const char *const GROUP_SYMBOLS[TG_N_GROUPS] = {TG_GROUPS(TG_X_GROUP_SYMBOL)};
#undef TG_X_GROUP_SYMBOL

/* The control's pg:group is a pg:Group with the table's group symbol and a
 * name: 0 when so. */
static int group_wrong(const LilvPlugin *plugin, const LilvPort *port, TgGroup want)
{
	LilvNode *const pg_group = lilv_new_uri(world, LV2_PORT_GROUPS__group);
	LilvNode *const pg_class = lilv_new_uri(world, LV2_PORT_GROUPS__Group);
	LilvNode *const rdf_type = lilv_new_uri(world, LILV_NS_RDF "type");
	LilvNode *const symbol = lilv_new_uri(world, LV2_CORE__symbol);
	LilvNode *const name = lilv_new_uri(world, LV2_CORE__name);
	LilvNodes *const groups = lilv_port_get_value(plugin, port, pg_group);
	int wrong = lilv_nodes_size(groups) != 1 || want == TG_GROUP_NONE;
	if (!wrong) {
		const LilvNode *const group = lilv_nodes_get_first(groups);
		LilvNode *const sym = lilv_world_get(world, group, symbol, NULL);
		LilvNode *const label = lilv_world_get(world, group, name, NULL);
		wrong = !lilv_world_ask(world, group, rdf_type, pg_class) || !sym || !label ||
		        strcmp(lilv_node_as_string(sym), GROUP_SYMBOLS[want]) != 0;
		lilv_node_free(sym);
		lilv_node_free(label);
	}
	lilv_nodes_free(groups);
	lilv_node_free(pg_group);
	lilv_node_free(pg_class);
	lilv_node_free(rdf_type);
	lilv_node_free(symbol);
	lilv_node_free(name);
	return wrong;
}

/* The C port table (ports.def, from which the Turtle is generated) and the
 * built Turtle as lilv reads it agree: symbols, names, indices, directions,
 * kinds, ranges, port properties, scale points and control groups. */
TEST ports_agree_with_turtle(void)
{
	LilvNode *const input = lilv_new_uri(world, LILV_URI_INPUT_PORT);
	LilvNode *const output = lilv_new_uri(world, LILV_URI_OUTPUT_PORT);
	LilvNode *const audio = lilv_new_uri(world, LILV_URI_AUDIO_PORT);
	LilvNode *const control = lilv_new_uri(world, LILV_URI_CONTROL_PORT);
	int errors = 0;
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		const TgVariantInfo *const var = &tg_variants[v];
		const LilvPlugin *const plugin = find_plugin(var->uri);
		ASSERT(plugin != NULL);
		ASSERT_EQ(var->n_ports, lilv_plugin_get_num_ports(plugin));
		for (uint32_t i = 0; i < var->n_ports; ++i) {
			const TgPortId id = var->ports[i];
			const TgPortInfo *const info = &tg_port_info[id];
			const LilvPort *const port = lilv_plugin_get_port_by_index(plugin, i);
			const char *const sym = lilv_node_as_string(lilv_port_get_symbol(plugin, port));
			if (strcmp(sym, info->symbol) != 0) {
				fprintf(stderr, "%s port %u: turtle %s, C %s\n", var->uri, i, sym, info->symbol);
				++errors;
				continue;
			}
			const int is_in = lilv_port_is_a(plugin, port, input);
			const int is_out = lilv_port_is_a(plugin, port, output);
			const int is_audio = lilv_port_is_a(plugin, port, audio);
			const int is_control = lilv_port_is_a(plugin, port, control);
			if (is_in != (info->dir == TG_DIR_IN) || is_out != (info->dir == TG_DIR_OUT) ||
			    is_audio != (info->kind == TG_KIND_AUDIO) ||
			    is_control != (info->kind == TG_KIND_CONTROL)) {
				fprintf(stderr, "%s %s: direction or kind differs\n", var->uri, sym);
				++errors;
			}
			if (info->kind != TG_KIND_CONTROL) {
				continue;
			}
			LilvNode *const name = lilv_port_get_name(plugin, port);
			if (!name || strcmp(lilv_node_as_string(name), info->name) != 0) {
				fprintf(stderr, "%s %s: name differs from ports.def\n", var->uri, sym);
				++errors;
			}
			lilv_node_free(name);
			if (properties_differ(plugin, port, info->props)) {
				fprintf(stderr, "%s %s: port properties differ from ports.def\n", var->uri, sym);
				++errors;
			}
			if (group_wrong(plugin, port, info->group)) {
				fprintf(stderr, "%s %s: pg:group differs from ports.def\n", var->uri, sym);
				++errors;
			}
			LilvNode *def = NULL, *min = NULL, *max = NULL;
			lilv_port_get_range(plugin, port, &def, &min, &max);
			const float want_min = tg_port_min(var, id);
			unsigned n_points = 0;
			if (scale_points_wrong(plugin, port, want_min, info->max, &n_points) ||
			    (n_points > 0) != ((info->props & TG_PP_ENUM) != 0)) {
				fprintf(stderr, "%s %s: scale points differ from ports.def\n", var->uri, sym);
				++errors;
			}
			if (!def || !min || !max || lilv_node_as_float(def) != info->def ||
			    lilv_node_as_float(min) != want_min || lilv_node_as_float(max) != info->max) {
				fprintf(stderr, "%s %s: range differs from ports.h\n", var->uri, sym);
				++errors;
			}
			lilv_node_free(def);
			lilv_node_free(min);
			lilv_node_free(max);
		}
	}
	lilv_node_free(input);
	lilv_node_free(output);
	lilv_node_free(audio);
	lilv_node_free(control);
	ASSERT_EQ(0, errors);
	PASS();
}

/* The manifest carries the Makefile's VERSION (-DTG_VERSION_MINOR and
 * -DTG_VERSION_MICRO), and the minor version is even (a release, by the
 * LV2 rules) and at least 4: v_peak, added in 0.2, and wiring, added in
 * 0.4, each needed the raise. */
TEST versions_from_makefile(void)
{
	LilvNode *const minor_p = lilv_new_uri(world, LV2_CORE__minorVersion);
	LilvNode *const micro_p = lilv_new_uri(world, LV2_CORE__microVersion);
	int errors = 0;
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		LilvNode *const plugin = lilv_new_uri(world, tg_variants[v].uri);
		LilvNode *const minor = lilv_world_get(world, plugin, minor_p, NULL);
		LilvNode *const micro = lilv_world_get(world, plugin, micro_p, NULL);
		if (!minor || !micro || !lilv_node_is_int(minor) || !lilv_node_is_int(micro) ||
		    lilv_node_as_int(minor) != TG_VERSION_MINOR ||
		    lilv_node_as_int(micro) != TG_VERSION_MICRO) {
			fprintf(stderr, "%s: lv2:minorVersion / microVersion are not %d / %d\n",
			        tg_variants[v].uri, TG_VERSION_MINOR, TG_VERSION_MICRO);
			++errors;
		}
		lilv_node_free(minor);
		lilv_node_free(micro);
		lilv_node_free(plugin);
	}
	lilv_node_free(minor_p);
	lilv_node_free(micro_p);
	ASSERT_EQ(0, errors);
	ASSERTm("an odd minor version is a development version", TG_VERSION_MINOR % 2 == 0);
	ASSERTm("v_peak was added in 0.2", TG_VERSION_MINOR >= 2);
	ASSERTm("wiring was added in 0.4", TG_VERSION_MINOR >= 4);
	PASS();
}

/* Instantiate each plugin like a host, connect every port, run, and check
 * the output and the meters. */
TEST plugins_run(void)
{
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		const TgVariantInfo *const var = &tg_variants[v];
		const LilvPlugin *const plugin = find_plugin(var->uri);
		ASSERT(plugin != NULL);
		ASSERT_EQ(NULL, lilv_plugin_instantiate(plugin, 7999.0, NULL));
		LilvInstance *const inst = lilv_plugin_instantiate(plugin, 48000.0, NULL);
		ASSERT(inst != NULL);
		enum { N = 4800 };
		static float audio[TG_MAX_PORTS][N];
		float controls[TG_MAX_PORTS];
		for (uint32_t i = 0; i < var->n_ports; ++i) {
			const TgPortInfo *const info = &tg_port_info[var->ports[i]];
			controls[i] = info->def;
			if (info->kind == TG_KIND_AUDIO) {
				for (int k = 0; k < N; ++k) {
					audio[i][k] = info->dir == TG_DIR_IN ? 4.0f * sinf((float)k * 0.05f) : 0.0f;
				}
				lilv_instance_connect_port(inst, i, audio[i]);
			} else {
				lilv_instance_connect_port(inst, i, &controls[i]);
			}
		}
		lilv_instance_activate(inst);
		for (int rep = 0; rep < 10; ++rep) {
			lilv_instance_run(inst, N);
			lilv_instance_run(inst, 0);
		}
		lilv_instance_deactivate(inst);
		for (uint32_t i = 0; i < var->n_ports; ++i) {
			const TgPortId id = var->ports[i];
			if (id == TG_P_LATENCY) {
				ASSERT_EQ_FMT(96.0f, controls[i], "%g"); /* 2 ms at 48 kHz */
			}
			if (id == TG_P_RAMP) {
				ASSERT((controls[i]) < (1.0f)); /* 1 s into a 3 s soft start */
			}
			if ((id == TG_P_OUT_L || id == TG_P_OUT_R || id == TG_P_OUT)) {
				float peak = 0.0f;
				for (int k = 0; k < N; ++k) {
					ASSERT(isfinite(audio[i][k]));
					peak = fmaxf(peak, fabsf(audio[i][k]));
				}
				/* 30 mA through 32 ohm at 1 V full scale: 0.96. */
				ASSERT(peak > 0.0f && peak <= 0.96f);
			}
		}
		lilv_instance_free(inst);
	}
	PASS();
}

/* Unconnected output meters (NULL) are allowed: the plugin runs. */
TEST meters_may_be_unconnected(void)
{
	const LilvPlugin *const plugin = find_plugin(TG_URI_MONO);
	ASSERT(plugin != NULL);
	LilvInstance *const inst = lilv_plugin_instantiate(plugin, 44100.0, NULL);
	ASSERT(inst != NULL);
	const TgVariantInfo *const var = &tg_variants[TG_VARIANT_MONO];
	float controls[TG_MAX_PORTS];
	float in[64] = {0.5f}, out[64];
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		const TgPortInfo *const info = &tg_port_info[var->ports[i]];
		controls[i] = info->def;
		if (var->ports[i] == TG_P_IN) {
			lilv_instance_connect_port(inst, i, in);
		} else if (var->ports[i] == TG_P_OUT) {
			lilv_instance_connect_port(inst, i, out);
		} else if (info->dir == TG_DIR_IN) {
			lilv_instance_connect_port(inst, i, &controls[i]);
		}
	}
	lilv_instance_activate(inst);
	lilv_instance_run(inst, 64);
	lilv_instance_free(inst);
	for (int k = 0; k < 64; ++k) {
		ASSERT(isfinite(out[k]));
	}
	PASS();
}

/* Read a command's whole output. */
static char *command_output(const char *cmd)
{
	FILE *const p = popen(cmd, "r");
	if (!p) {
		return NULL;
	}
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	size_t got;
	while (buf && (got = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += got;
		if (cap - len < 2) {
			char *const bigger = realloc(buf, cap * 2);
			if (!bigger) {
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	if (buf) {
		buf[len] = '\0';
	}
	pclose(p);
	return buf;
}

TEST lv2_validate_clean(void)
{
	char *const out = command_output("lv2_validate " BUNDLE_DIR "/manifest.ttl " BUNDLE_DIR
	                                 "/tguard.ttl " BUNDLE_DIR "/presets/*.ttl 2>&1");
	ASSERT(out != NULL);
	const char *const found = strstr(out, "Found ");
	int errors = -1;
	if (found) {
		errors = atoi(found + 6);
	}
	if (errors != 0) {
		fprintf(stderr, "%s\n", out);
	}
	free(out);
	ASSERT_EQm("lv2_validate errors", 0, errors);
	PASS();
}

/* Only lv2_descriptor leaves the shared object. */
TEST exports_only_descriptor(void)
{
	char *const out = command_output("nm -D --defined-only " BUNDLE_DIR "/tguard.so 2>&1");
	ASSERT(out != NULL);
	int others = 0, descriptor = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		const char *const name = strrchr(line, ' ');
		if (!name) {
			continue;
		}
		if (strcmp(name + 1, "lv2_descriptor") == 0) {
			descriptor = 1;
		} else if (strcmp(name + 1, "_init") != 0 && strcmp(name + 1, "_fini") != 0) {
			fprintf(stderr, "exported: %s\n", line);
			++others;
		}
	}
	free(out);
	ASSERT(descriptor);
	ASSERT_EQ(0, others);
	PASS();
}

/* The plugin imports nothing that reaches files, the network, other
 * processes or the environment, prints nothing and takes no locks: it has
 * no reason to, and a host's audio thread must not block in it. */
static const char *const FORBIDDEN_IMPORTS[] = {
    "open",      "open64",     "openat",       "openat64",    "creat",       "creat64",
    "fopen",     "fopen64",    "freopen",      "fdopen",      "opendir",     "stat",
    "lstat",     "fstat",      "__xstat",      "__lxstat",    "__fxstat",    "access",
    "unlink",    "remove",     "rename",       "mkdir",       "read",        "write",
    "pread",     "pwrite",     "mmap",         "dlopen",      "dlsym",       "socket",
    "connect",   "bind",       "listen",       "accept",      "accept4",     "send",
    "sendto",    "sendmsg",    "recv",         "recvfrom",    "recvmsg",     "getaddrinfo",
    "gethostbyname", "getenv", "secure_getenv", "setenv",     "putenv",      "system",
    "popen",     "fork",       "vfork",        "clone",       "kill",        "printf",
    "fprintf",   "puts",       "fputs",        "fwrite",      "perror",      "syslog",
    "sleep",     "usleep",     "nanosleep",    "pthread_mutex_lock", "pthread_create"};
static const char *const FORBIDDEN_PREFIXES[] = {"exec", "posix_spawn", "__open", "__printf",
                                                 "__fprintf", "__read"};

static int forbidden_import(const char *name)
{
	for (size_t i = 0; i < sizeof(FORBIDDEN_IMPORTS) / sizeof(FORBIDDEN_IMPORTS[0]); ++i) {
		if (strcmp(name, FORBIDDEN_IMPORTS[i]) == 0) {
			return 1;
		}
	}
	for (size_t i = 0; i < sizeof(FORBIDDEN_PREFIXES) / sizeof(FORBIDDEN_PREFIXES[0]); ++i) {
		if (strncmp(name, FORBIDDEN_PREFIXES[i], strlen(FORBIDDEN_PREFIXES[i])) == 0) {
			return 1;
		}
	}
	return 0;
}

TEST imports_no_io(void)
{
	char *const out = command_output("nm -D --undefined-only " BUNDLE_DIR "/tguard.so 2>&1");
	ASSERT(out != NULL);
	int imports = 0, bad = 0;
	for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
		char *const name = strrchr(line, ' ');
		if (!name) {
			continue;
		}
		char *const at = strchr(name + 1, '@');
		if (at) {
			*at = '\0'; /* calloc@GLIBC_2.2.5 */
		}
		++imports;
		if (forbidden_import(name + 1)) {
			fprintf(stderr, "tguard.so imports %s\n", name + 1);
			++bad;
		}
	}
	free(out);
	ASSERT(imports > 0); /* nm ran */
	ASSERT_EQ(0, bad);
	PASS();
}

/* Hardened links: relocations resolved at load (BIND_NOW) and made
 * read-only after (RELRO), for the plugin and for tguard-render. */
TEST hardened_bind_now_relro(void)
{
	static const char *const files[] = {BUNDLE_DIR "/tguard.so", "build/tguard-render"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); ++i) {
		char cmd[512];
		snprintf(cmd, sizeof(cmd), "readelf -d -l -W %s 2>&1", files[i]);
		char *const out = command_output(cmd);
		ASSERT(out != NULL);
		int bind_now = 0, now = 0, relro = 0;
		for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
			bind_now |= strstr(line, "(BIND_NOW)") != NULL ||
			            (strstr(line, "(FLAGS)") && strstr(line, "BIND_NOW"));
			now |= strstr(line, "(FLAGS_1)") && strstr(line, "NOW");
			relro |= strstr(line, "GNU_RELRO") != NULL;
		}
		free(out);
		if (!bind_now || !now || !relro) {
			fprintf(stderr, "%s: BIND_NOW %d, FLAGS_1 NOW %d, GNU_RELRO %d\n", files[i], bind_now,
			        now, relro);
		}
		ASSERTm("no BIND_NOW (link with -z now)", bind_now);
		ASSERTm("no FLAGS_1 NOW (link with -z now)", now);
		ASSERTm("no GNU_RELRO segment (link with -z relro)", relro);
	}
	PASS();
}

/* ---- several instances in one process ---- */

typedef struct {
	const char *uri;
	double rate;
	const char *const *sets; /* symbol, value, ..., NULL */
	uint32_t seed;           /* input noise and block sizes */
} InstanceSetup;

static const char *const SETS_A[] = {NULL};
static const char *const SETS_B[] = {"z_ohm", "300", "vfs", "2.83", "i_peak_ma", "10",
                                     "i_rms_ma", "4", "hpf_hz", "250", "lpf_hz", "10000",
                                     "volume_db", "6", "tau_s", "0.05", "mono", "0",
                                     "route", "1", "ramp_s", "0.1", NULL};
static const char *const SETS_C[] = {"hpf_order", "2", "i_rms_ma", "1", "release_ms", "5",
                                     "ramp_s", "0.2", NULL};
static const char *const SETS_D[] = {"enable", "0", "mono", "4", "i_peak_ma", "5", NULL};

static const InstanceSetup SETUPS[] = {
    {TG_URI_STEREO, 48000.0, SETS_A, 11},
    {TG_URI_STEREO, 48000.0, SETS_B, 22},
    {TG_URI_MONO, 96000.0, SETS_C, 33},
    {TG_URI_SUM, 44100.0, SETS_D, 44},
};
#define N_SETUPS (sizeof(SETUPS) / sizeof(SETUPS[0]))
#define INSTANCE_SECONDS 1.5

typedef struct {
	LilvInstance *inst;
	const TgVariantInfo *var;
	float controls[TG_MAX_PORTS];
	float *in[2], *out[2];
	uint32_t n, done, rng;
} Running;

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

static int running_start(Running *r, const InstanceSetup *setup)
{
	memset(r, 0, sizeof(*r));
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		if (strcmp(tg_variants[v].uri, setup->uri) == 0) {
			r->var = &tg_variants[v];
		}
	}
	const LilvPlugin *const plugin = find_plugin(setup->uri);
	if (!r->var || !plugin) {
		return -1;
	}
	r->inst = lilv_plugin_instantiate(plugin, setup->rate, NULL);
	r->n = (uint32_t)(INSTANCE_SECONDS * setup->rate);
	r->rng = setup->seed;
	for (int ch = 0; ch < 2; ++ch) {
		r->in[ch] = calloc(r->n, sizeof(float));
		r->out[ch] = calloc(r->n, sizeof(float));
		if (!r->in[ch] || !r->out[ch]) {
			return -1;
		}
	}
	/* Loud noise with a NaN burst at a third: limiting and a fault
	 * restart, different for each instance. */
	uint32_t s = setup->seed;
	for (uint32_t i = 0; i < r->n; ++i) {
		for (int ch = 0; ch < 2; ++ch) {
			r->in[ch][i] = ((float)lcg(&s) / 8388608.0f - 1.0f) * 2.0f;
		}
	}
	for (uint32_t i = r->n / 3; i < r->n / 3 + 40; ++i) {
		r->in[0][i] = NAN;
	}
	for (uint32_t i = 0; i < r->var->n_ports && r->inst; ++i) {
		const TgPortInfo *const info = &tg_port_info[r->var->ports[i]];
		r->controls[i] = info->def;
		for (const char *const *kv = setup->sets; *kv; kv += 2) {
			if (strcmp(kv[0], info->symbol) == 0) {
				r->controls[i] = (float)atof(kv[1]);
			}
		}
		/* Audio buffers are connected before every block. */
		if (info->kind == TG_KIND_CONTROL) {
			lilv_instance_connect_port(r->inst, i, &r->controls[i]);
		}
	}
	if (!r->inst) {
		return -1;
	}
	lilv_instance_activate(r->inst);
	return 0;
}

/* Run the next block (random size 1..1024); 0 when the input is used up. */
static int running_step(Running *r)
{
	if (r->done >= r->n) {
		return 0;
	}
	uint32_t m = 1 + lcg(&r->rng) % 1024u;
	if (m > r->n - r->done) {
		m = r->n - r->done;
	}
	uint32_t k_in = 0, k_out = 0;
	for (uint32_t i = 0; i < r->var->n_ports; ++i) {
		const TgPortInfo *const info = &tg_port_info[r->var->ports[i]];
		if (info->kind == TG_KIND_AUDIO) {
			float *const buf =
			    info->dir == TG_DIR_IN ? r->in[k_in++] + r->done : r->out[k_out++] + r->done;
			lilv_instance_connect_port(r->inst, i, buf);
		}
	}
	lilv_instance_run(r->inst, m);
	r->done += m;
	return 1;
}

static void running_free(Running *r)
{
	if (r->inst) {
		lilv_instance_deactivate(r->inst);
		lilv_instance_free(r->inst);
	}
	for (int ch = 0; ch < 2; ++ch) {
		free(r->in[ch]);
		free(r->out[ch]);
	}
}

/* Instances share no mutable state: run together, block by block in turn,
 * each gives bit for bit what it gives alone. */
TEST instances_share_no_state(void)
{
	Running alone[N_SETUPS], together[N_SETUPS];
	for (size_t k = 0; k < N_SETUPS; ++k) {
		ASSERT_EQ(0, running_start(&alone[k], &SETUPS[k]));
		while (running_step(&alone[k])) {
		}
		lilv_instance_deactivate(alone[k].inst);
		lilv_instance_free(alone[k].inst);
		alone[k].inst = NULL;
	}
	for (size_t k = 0; k < N_SETUPS; ++k) {
		ASSERT_EQ(0, running_start(&together[k], &SETUPS[k]));
	}
	for (int more = 1; more;) {
		more = 0;
		for (size_t k = 0; k < N_SETUPS; ++k) {
			more |= running_step(&together[k]);
		}
	}
	int differ = 0, silent = 0;
	for (size_t k = 0; k < N_SETUPS; ++k) {
		float peak = 0.0f;
		for (uint32_t i = 0; i < alone[k].n; ++i) {
			peak = fmaxf(peak, fabsf(alone[k].out[0][i]));
		}
		silent += !(peak > 0.0f); /* the comparison must mean something */
		for (uint32_t ch = 0; ch < together[k].var->n_out; ++ch) {
			if (memcmp(alone[k].out[ch], together[k].out[ch], alone[k].n * sizeof(float)) != 0) {
				fprintf(stderr, "instance %zu (%s) channel %u differs when run with others\n", k,
				        SETUPS[k].uri, ch);
				++differ;
			}
		}
		running_free(&alone[k]);
		running_free(&together[k]);
	}
	ASSERT_EQ(0, differ);
	ASSERT_EQ(0, silent);
	PASS();
}

/* Every factory preset of every plugin sets each input control exactly once,
 * within its range, and no output. */
typedef struct {
	const TgVariantInfo *var;
	LV2_URID t_float, t_double, t_int, t_long, t_bool;
	int seen[TG_MAX_PORTS];
	int errors;
} PresetCheck;

static void check_preset_value(const char *symbol, void *data, const void *value, uint32_t size,
                               uint32_t type)
{
	PresetCheck *const pc = (PresetCheck *)data;
	double v = NAN;
	if (type == pc->t_float && size == sizeof(float)) {
		v = *(const float *)value;
	} else if (type == pc->t_double && size == sizeof(double)) {
		v = *(const double *)value;
	} else if ((type == pc->t_int || type == pc->t_bool) && size == sizeof(int32_t)) {
		v = *(const int32_t *)value;
	} else if (type == pc->t_long && size == sizeof(int64_t)) {
		v = (double)*(const int64_t *)value;
	}
	for (uint32_t i = 0; i < pc->var->n_ports; ++i) {
		const TgPortId id = pc->var->ports[i];
		const TgPortInfo *const info = &tg_port_info[id];
		if (strcmp(info->symbol, symbol) != 0) {
			continue;
		}
		const double lo = tg_port_min(pc->var, id);
		if (info->dir != TG_DIR_IN || info->kind != TG_KIND_CONTROL || !(v >= lo) ||
		    !(v <= info->max)) {
			fprintf(stderr, "%s: %s = %g is not an input within %g..%g\n", pc->var->uri,
			        symbol, v, lo, (double)info->max);
			++pc->errors;
		}
		++pc->seen[i];
		return;
	}
	fprintf(stderr, "%s: preset sets unknown port %s\n", pc->var->uri, symbol);
	++pc->errors;
}

static LV2_URID map_uri(LV2_URID_Map_Handle handle, const char *uri)
{
	static char table[64][128];
	unsigned *const n = (unsigned *)handle;
	for (unsigned i = 0; i < *n; ++i) {
		if (strcmp(table[i], uri) == 0) {
			return i + 1;
		}
	}
	if (*n == 64) {
		return 0;
	}
	snprintf(table[*n], sizeof(table[0]), "%s", uri);
	return ++*n;
}

TEST presets_complete_and_in_range(void)
{
	unsigned n_uris = 0;
	LV2_URID_Map map = {&n_uris, map_uri};
	LilvNode *const preset_class = lilv_new_uri(world, LV2_PRESETS__Preset);
	unsigned total = 0;
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		const TgVariantInfo *const var = &tg_variants[v];
		const LilvPlugin *const plugin = find_plugin(var->uri);
		ASSERT(plugin != NULL);
		LilvNodes *const presets = lilv_plugin_get_related(plugin, preset_class);
		ASSERT(lilv_nodes_size(presets) >= 8);
		LILV_FOREACH (nodes, i, presets) {
			const LilvNode *const preset = lilv_nodes_get(presets, i);
			lilv_world_load_resource(world, preset);
			LilvState *const state = lilv_state_new_from_world(world, &map, preset);
			ASSERT(state != NULL);
			PresetCheck pc;
			memset(&pc, 0, sizeof(pc));
			pc.var = var;
			pc.t_float = map.map(map.handle, LV2_ATOM__Float);
			pc.t_double = map.map(map.handle, LV2_ATOM__Double);
			pc.t_int = map.map(map.handle, LV2_ATOM__Int);
			pc.t_long = map.map(map.handle, LV2_ATOM__Long);
			pc.t_bool = map.map(map.handle, LV2_ATOM__Bool);
			lilv_state_emit_port_values(state, check_preset_value, &pc);
			lilv_state_free(state);
			for (uint32_t k = 0; k < var->n_ports; ++k) {
				const TgPortInfo *const info = &tg_port_info[var->ports[k]];
				const int want = info->dir == TG_DIR_IN && info->kind == TG_KIND_CONTROL;
				if (pc.seen[k] != want) {
					fprintf(stderr, "%s: %s set %d times\n", lilv_node_as_uri(preset),
					        info->symbol, pc.seen[k]);
					++pc.errors;
				}
			}
			ASSERT_EQm(lilv_node_as_uri(preset), 0, pc.errors);
			++total;
		}
		lilv_nodes_free(presets);
	}
	lilv_node_free(preset_class);
	printf("%u presets checked\n", total);
	PASS();
}

SUITE(bundle_suite)
{
	RUN_TEST(plugins_load);
	RUN_TEST(ports_agree_with_turtle);
	RUN_TEST(versions_from_makefile);
	RUN_TEST(plugins_run);
	RUN_TEST(meters_may_be_unconnected);
	RUN_TEST(lv2_validate_clean);
	RUN_TEST(exports_only_descriptor);
	RUN_TEST(imports_no_io);
	RUN_TEST(hardened_bind_now_relro);
	RUN_TEST(instances_share_no_state);
	RUN_TEST(presets_complete_and_in_range);
}

GREATEST_MAIN_DEFS();

int main(int argc, char **argv)
{
	GREATEST_MAIN_BEGIN();
	world = world_new();
	RUN_SUITE(bundle_suite);
	lilv_world_free(world);
	GREATEST_MAIN_END();
}
