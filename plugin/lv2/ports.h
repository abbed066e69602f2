/* tguard: the port contract shared by the LV2 glue, the chain's sanitising,
 * the tests and the Turtle generator, all derived from the table in
 * ports.def. Ports common to the three plugins come first with the same
 * index everywhere; the variant's own controls and its audio ports follow.
 */
#ifndef TG_PORTS_H
#define TG_PORTS_H

#include <stdint.h>

#include "ports.def"

#define TG_URI_STEREO "urn:tguard:stereo"
#define TG_URI_MONO "urn:tguard:mono"
#define TG_URI_SUM "urn:tguard:sum"

/* Port properties (lv2:portProperty and lv2:designation in the Turtle). */
enum {
	TG_PP_TOGGLED = 1 << 0, /* on/off: sanitised to min or max */
	TG_PP_INTEGER = 1 << 1,
	TG_PP_ENUM = 1 << 2, /* sanitised to the nearest scale point */
	TG_PP_LOG = 1 << 3,
	TG_PP_ENABLED = 1 << 4, /* the lv2:enabled designation: hosts' bypass */
	TG_PP_LATENCY = 1 << 5, /* reports the latency */
	TG_PP_LEFT = 1 << 6,    /* audio channel designations */
	TG_PP_RIGHT = 1 << 7,
	TG_PP_CENTER = 1 << 8
};

/* Variants as masks, for the table's per-plugin exceptions. */
enum { TG_V_STEREO = 1, TG_V_MONO = 2, TG_V_SUM = 4, TG_V_ALL = 7 };

/* Logical port identities, independent of any variant's index order. */
#define TG_X_ID(ID, ...) TG_P_##ID,
typedef enum { TG_PORTS(TG_X_ID, TG_X_ID, TG_X_ID) TG_P_COUNT } TgPortId;
#undef TG_X_ID

typedef enum { TG_DIR_IN, TG_DIR_OUT } TgPortDir;
typedef enum { TG_KIND_CONTROL, TG_KIND_AUDIO } TgPortKind;

#define TG_X_UNIT(ID, ...) TG_UNIT_##ID,
typedef enum { TG_UNITS(TG_X_UNIT) TG_N_UNITS } TgUnit;
#undef TG_X_UNIT

#define TG_X_GROUP(ID, sym, label) TG_GROUP_##ID,
typedef enum { TG_GROUP_NONE = -1, TG_GROUPS(TG_X_GROUP) TG_N_GROUPS } TgGroup;
#undef TG_X_GROUP

typedef struct {
	const char *symbol;
	const char *name;
	TgPortDir dir;
	TgPortKind kind;
	float min;
	float def;
	float max;
	TgUnit unit;
	unsigned props; /* TG_PP_* */
	TgGroup group;  /* TG_GROUP_NONE for the audio ports */
	const char *comment;
} TgPortInfo;

/* Ranges are the contract with hosts: the chain clamps to them again. */
#define TG_X_IN(ID, group, sym, name, field, min, def, max, unit, props, s, m, u, comment) \
	[TG_P_##ID] = {sym, name, TG_DIR_IN, TG_KIND_CONTROL, min, def, max, TG_UNIT_##unit, props, TG_GROUP_##group, comment},
#define TG_X_OUT(ID, group, sym, name, field, min, def, max, unit, props, s, m, u, comment) \
	[TG_P_##ID] = {sym, name, TG_DIR_OUT, TG_KIND_CONTROL, min, def, max, TG_UNIT_##unit, props, TG_GROUP_##group, comment},
#define TG_X_AUDIO(ID, dir, sym, name, props, s, m, u, comment) \
	[TG_P_##ID] = {sym, name, dir, TG_KIND_AUDIO, 0.0f, 0.0f, 0.0f, TG_UNIT_NONE, props, TG_GROUP_NONE, comment},
static const TgPortInfo tg_port_info[TG_P_COUNT] = {TG_PORTS(TG_X_IN, TG_X_OUT, TG_X_AUDIO)};
#undef TG_X_IN
#undef TG_X_OUT
#undef TG_X_AUDIO

/* TG_X_NONE: what a consumer passes for the kinds of row it skips. */
#define TG_X_ONE(...) +1
#define TG_X_NONE(...)
/* The input controls: the fields of TgParams. */
enum { TG_N_INPUT_CONTROLS = 0 TG_PORTS(TG_X_ONE, TG_X_NONE, TG_X_NONE) };

typedef enum { TG_VARIANT_STEREO, TG_VARIANT_MONO, TG_VARIANT_SUM, TG_N_VARIANTS } TgVariant;

/* No plugin has more ports than the table: a new port needs no change here. */
#define TG_MAX_PORTS TG_P_COUNT

typedef struct {
	const char *uri;
	const char *slug; /* stereo, mono, sum */
	unsigned mask;    /* TG_V_* */
	uint32_t n_in;    /* audio inputs */
	uint32_t n_out;   /* audio outputs */
	uint32_t n_ports;
	/* The logical id of each LV2 port index below n_ports. Above, one slot
	 * per port the variant lacks: so two ports given one index are a
	 * duplicate initializer, an error under -Werror (-Woverride-init). */
	TgPortId ports[TG_MAX_PORTS + TG_P_COUNT];
} TgVariantInfo;

#define TG_X_HAS(ID, s, m, u) + ((TG_X_PICK(s, m, u)) >= 0)
#define TG_X_AUDIO_IN(ID, dir, sym, name, props, s, m, u, comment) \
	+((dir) == TG_DIR_IN && (TG_X_PICK(s, m, u)) >= 0)
#define TG_X_AUDIO_OUT(ID, dir, sym, name, props, s, m, u, comment) \
	+((dir) == TG_DIR_OUT && (TG_X_PICK(s, m, u)) >= 0)
#define TG_X_INDEX(ID, s, m, u) \
	[(TG_X_PICK(s, m, u)) >= 0 ? (TG_X_PICK(s, m, u)) : TG_MAX_PORTS + TG_P_##ID] = TG_P_##ID,
#define TG_X_VARIANT(uri, slug, mask)                                              \
	{uri, slug, mask, 0 TG_PORTS(TG_X_NONE, TG_X_NONE, TG_X_AUDIO_IN),            \
	 0 TG_PORTS(TG_X_NONE, TG_X_NONE, TG_X_AUDIO_OUT),                            \
	 0 TG_PORTS(TG_X_CI_HAS, TG_X_CI_HAS, TG_X_AI_HAS),                           \
	 {TG_PORTS(TG_X_CI_INDEX, TG_X_CI_INDEX, TG_X_AI_INDEX)}}
#define TG_X_CI_HAS(ID, group, sym, name, field, min, def, max, unit, props, s, m, u, comment) \
	TG_X_HAS(ID, s, m, u)
#define TG_X_AI_HAS(ID, dir, sym, name, props, s, m, u, comment) TG_X_HAS(ID, s, m, u)
#define TG_X_CI_INDEX(ID, group, sym, name, field, min, def, max, unit, props, s, m, u, comment) \
	TG_X_INDEX(ID, s, m, u)
#define TG_X_AI_INDEX(ID, dir, sym, name, props, s, m, u, comment) TG_X_INDEX(ID, s, m, u)

static const TgVariantInfo tg_variants[TG_N_VARIANTS] = {
#define TG_X_PICK(s, m, u) s
	[TG_VARIANT_STEREO] = TG_X_VARIANT(TG_URI_STEREO, "stereo", TG_V_STEREO),
#undef TG_X_PICK
#define TG_X_PICK(s, m, u) m
	[TG_VARIANT_MONO] = TG_X_VARIANT(TG_URI_MONO, "mono", TG_V_MONO),
#undef TG_X_PICK
#define TG_X_PICK(s, m, u) u
	[TG_VARIANT_SUM] = TG_X_VARIANT(TG_URI_SUM, "sum", TG_V_SUM),
#undef TG_X_PICK
};

/* For a per-variant list of (ID, variants, value) rows (TG_PORT_MIN_FOR,
 * TG_PORT_COMMENT_FOR): in a function with the port `id` and the variant
 * `var`, return the value of the row for them, if there is one. */
#define TG_X_RETURN_FOR_VARIANT(ID, variants, value)           \
	if (id == TG_P_##ID && ((variants) & var->mask) != 0) { \
		return value;                                   \
	}

/** A port's lowest value in one variant (TG_PORT_MIN_FOR), else the table's. */
static inline float tg_port_min(const TgVariantInfo *var, TgPortId id)
{
	TG_PORT_MIN_FOR(TG_X_RETURN_FOR_VARIANT)
	return tg_port_info[id].min;
}

/** An enumeration's nearest scale point to v (in any variant), ties upward. */
static inline float tg_port_snap(TgPortId id, float v)
{
	int found = 0;
	float best = v, prev = 0.0f;
#define TG_X_POINT(ID, variants, value, label)                                   \
	if (id == TG_P_##ID) {                                                  \
		const float pt = (float)(value);                                    \
		if (!found || v >= (prev + pt) * 0.5f) {                            \
			best = pt;                                                      \
		}                                                                   \
		found = 1;                                                          \
		prev = pt;                                                          \
	}
	TG_SCALE_POINTS(TG_X_POINT)
#undef TG_X_POINT
	return best;
}

#endif
