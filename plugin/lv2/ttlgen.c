/* tguard: writes the plugins' Turtle from the port table (ports.def).
 *
 *   ttlgen TEMPLATE > tguard.ttl
 *
 * Copies TEMPLATE (ttl/tguard.ttl.in), replacing the line "@GROUPS@" with
 * the control groups and each line "@PORTS variant@" with that plugin's
 * lv2:port list and the closing " ." of its statement. A build tool, run on the build machine; it checks that
 * each plugin's indices run from 0 without a gap or a duplicate.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"

typedef struct {
	const char *uri, *label, *symbol;
} Unit;

#define TG_X_UNIT(ID, uri, label, symbol) [TG_UNIT_##ID] = {uri, label, symbol},
static const Unit units[TG_N_UNITS] = {TG_UNITS(TG_X_UNIT)};
#undef TG_X_UNIT

typedef struct {
	const char *symbol, *label;
} Group;

#define TG_X_GROUP(ID, sym, label) [TG_GROUP_##ID] = {sym, label},
static const Group groups[TG_N_GROUPS] = {TG_GROUPS(TG_X_GROUP)};
_Static_assert(TG_N_GROUPS <= 9, "group URIs sort by their one-digit place");
#undef TG_X_GROUP

typedef struct {
	TgPortId id;
	unsigned variants; /* TG_V_* */
	float value;
	const char *label;
} ScalePoint;

#define TG_X_POINT(ID, variants, value, label) {TG_P_##ID, variants, (float)(value), label},
static const ScalePoint scale_points[] = {TG_SCALE_POINTS(TG_X_POINT)};
#undef TG_X_POINT

static const char *comment_for(const TgVariantInfo *var, TgPortId id)
{
	TG_PORT_COMMENT_FOR(TG_X_RETURN_FOR_VARIANT)
	return tg_port_info[id].comment;
}

/* A Turtle string literal. */
static void put_string(const char *s)
{
	putchar('"');
	for (; *s; ++s) {
		if (*s == '"' || *s == '\\') {
			putchar('\\');
		}
		putchar(*s);
	}
	putchar('"');
}

/* An integer literal for integer ports; else a decimal one (never an
 * exponent, which would make it an xsd:double), with the fewest digits
 * that read back as the same float. */
static void put_number(float v, int integer)
{
	if (integer) {
		printf("%ld", (long)v);
		return;
	}
	char buf[64];
	for (int digits = 1; digits <= 12; ++digits) {
		snprintf(buf, sizeof(buf), "%.*f", digits, (double)v);
		if (strtof(buf, NULL) == v) {
			break;
		}
	}
	fputs(buf, stdout);
}

/* Statements of one port: " ;" before each but the first. */
static int first_statement;

static void statement(const char *fmt, ...)
{
	fputs(first_statement ? "\t\t" : " ;\n\t\t", stdout);
	first_statement = 0;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

/* "pred a ,\n\t\t\tb" for the CURIEs among names whose flag is in props. */
static void statement_list(const char *pred, unsigned props, const unsigned *flags,
                           const char *const *names, size_t n)
{
	int any = 0;
	for (size_t k = 0; k < n; ++k) {
		if (props & flags[k]) {
			if (!any) {
				statement("%s %s", pred, names[k]);
			} else {
				printf(" ,\n\t\t\t%s", names[k]);
			}
			any = 1;
		}
	}
}

/* A unit of the LV2 units extension by its URI; another in full, as a
 * blank node: Carla warns of any unit URI it does not know, but reads a
 * blank node's units:symbol; lv2lint needs its class; lilv-based hosts
 * read rdfs:label, units:symbol and units:render. No units:name, which
 * LV2 1.18 removed (lv2_validate rejects it): Carla shows the symbol. */
static void put_unit(const Unit *u)
{
	if (u->uri) {
		statement("units:unit %s", u->uri);
	} else if (u->label) {
		statement("units:unit [\n\t\t\ta units:Unit ;\n\t\t\trdfs:label ");
		put_string(u->label);
		fputs(" ;\n\t\t\tunits:symbol ", stdout);
		put_string(u->symbol);
		printf(" ;\n\t\t\tunits:render \"%%f %s\"\n\t\t]", u->symbol);
	}
}

static void put_port(const TgVariantInfo *var, uint32_t index)
{
	const TgPortId id = var->ports[index];
	const TgPortInfo *const info = &tg_port_info[id];
	const int integer = (info->props & (TG_PP_INTEGER | TG_PP_TOGGLED)) != 0;
	first_statement = 1;
	statement("a %s ,\n\t\t\t%s", info->dir == TG_DIR_IN ? "lv2:InputPort" : "lv2:OutputPort",
	          info->kind == TG_KIND_AUDIO ? "lv2:AudioPort" : "lv2:ControlPort");
	statement("lv2:index %u", index);
	statement("lv2:symbol ");
	put_string(info->symbol);
	statement("lv2:name ");
	put_string(info->name);
	statement("rdfs:comment ");
	put_string(comment_for(var, id));
	if (info->kind == TG_KIND_CONTROL) {
		statement("lv2:default ");
		put_number(info->def, integer);
		statement("lv2:minimum ");
		put_number(tg_port_min(var, id), integer);
		statement("lv2:maximum ");
		put_number(info->max, integer);
		put_unit(&units[info->unit]);
		statement("pg:group tg:g%d_%s", (int)info->group + 1, groups[info->group].symbol);
	} else {
		/* The variant's main input or output group (ttl/tguard.ttl.in). */
		statement("pg:group tg:%s_%s", var->slug, info->dir == TG_DIR_IN ? "in" : "out");
	}
	static const unsigned designations[] = {TG_PP_ENABLED, TG_PP_LATENCY, TG_PP_LEFT,
	                                        TG_PP_RIGHT, TG_PP_CENTER};
	static const char *const designation_names[] = {"lv2:enabled", "lv2:latency", "pg:left",
	                                                "pg:right", "pg:center"};
	statement_list("lv2:designation", info->props, designations, designation_names,
	               sizeof(designations) / sizeof(designations[0]));
	static const unsigned properties[] = {TG_PP_LATENCY, TG_PP_TOGGLED, TG_PP_INTEGER,
	                                      TG_PP_ENUM, TG_PP_LOG};
	static const char *const property_names[] = {"lv2:reportsLatency", "lv2:toggled",
	                                             "lv2:integer", "lv2:enumeration",
	                                             "pprops:logarithmic"};
	statement_list("lv2:portProperty", info->props, properties, property_names,
	               sizeof(properties) / sizeof(properties[0]));
	int points = 0;
	for (size_t k = 0; k < sizeof(scale_points) / sizeof(scale_points[0]); ++k) {
		const ScalePoint *const sp = &scale_points[k];
		if (sp->id != id || (sp->variants & var->mask) == 0) {
			continue;
		}
		if (points++ == 0) {
			statement("lv2:scalePoint [\n");
		} else {
			fputs(" , [\n", stdout);
		}
		fputs("\t\t\trdfs:label ", stdout);
		put_string(sp->label);
		fputs(" ;\n\t\t\trdf:value ", stdout);
		put_number(sp->value, integer);
		fputs("\n\t\t]", stdout);
	}
	fputs("\n\t]", stdout);
}

/* The control groups: lv2:symbol as the port-groups spec requires, and
 * the label both as lv2:name and rdfs:label, which hosts read. The URI
 * starts with the group's place in TG_GROUPS: jalv orders its frames by
 * the group's URI. */
static void put_groups(void)
{
	for (int g = 0; g < TG_N_GROUPS; ++g) {
		printf("tg:g%d_%s\n\ta pg:Group ;\n\tlv2:symbol ", g + 1, groups[g].symbol);
		put_string(groups[g].symbol);
		fputs(" ;\n\tlv2:name ", stdout);
		put_string(groups[g].label);
		fputs(" ;\n\trdfs:label ", stdout);
		put_string(groups[g].label);
		fputs(" .\n\n", stdout);
	}
}

/* Each index below n_ports holds one port; no port of the table that the
 * variant has lies outside. */
static int check_indices(const TgVariantInfo *var)
{
	int errors = 0;
	int seen[TG_P_COUNT] = {0};
	if (var->n_ports > TG_MAX_PORTS) {
		fprintf(stderr, "ttlgen: %s has %u ports, over TG_MAX_PORTS\n", var->slug, var->n_ports);
		return 1;
	}
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		if (seen[var->ports[i]]++) {
			fprintf(stderr, "ttlgen: %s: index %u repeats port %s (a gap in the indices)\n",
			        var->slug, i, tg_port_info[var->ports[i]].symbol);
			++errors;
		}
	}
	return errors;
}

static const TgVariantInfo *variant_named(const char *slug)
{
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		if (strcmp(tg_variants[v].slug, slug) == 0) {
			return &tg_variants[v];
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ttlgen TEMPLATE > tguard.ttl\n");
		return 2;
	}
	FILE *const in = fopen(argv[1], "r");
	if (!in) {
		perror(argv[1]);
		return 1;
	}
	int errors = 0;
	for (int v = 0; v < TG_N_VARIANTS; ++v) {
		errors += check_indices(&tg_variants[v]);
	}
	int done[TG_N_VARIANTS] = {0}, groups_done = 0;
	char line[4096];
	while (!errors && fgets(line, sizeof(line), in)) {
		char slug[32];
		if (strcmp(line, "@GROUPS@\n") == 0) {
			put_groups();
			++groups_done;
			continue;
		}
		if (sscanf(line, " @PORTS %31[a-z]@", slug) != 1) {
			fputs(line, stdout);
			continue;
		}
		const TgVariantInfo *const var = variant_named(slug);
		if (!var) {
			fprintf(stderr, "ttlgen: unknown variant %s in %s\n", slug, argv[1]);
			++errors;
			break;
		}
		++done[var - tg_variants];
		fputs("\tlv2:port [\n", stdout);
		for (uint32_t i = 0; i < var->n_ports; ++i) {
			if (i > 0) {
				fputs(" , [\n", stdout);
			}
			put_port(var, i);
		}
		fputs(" .\n", stdout);
	}
	fclose(in);
	for (int v = 0; v < TG_N_VARIANTS && !errors; ++v) {
		if (done[v] != 1) {
			fprintf(stderr, "ttlgen: %s has %d @PORTS lines in %s\n", tg_variants[v].slug,
			        done[v], argv[1]);
			++errors;
		}
	}
	if (!errors && groups_done != 1) {
		fprintf(stderr, "ttlgen: %d @GROUPS@ lines in %s\n", groups_done, argv[1]);
		++errors;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("ttlgen: stdout");
		++errors;
	}
	return errors ? 1 : 0;
}
