/* tguard: the port contract shared by the LV2 glue and the tests.
 *
 * ttl/tguard.ttl must agree with this file: host-test/tests/test_bundle.c checks
 * symbols, indices, directions and ranges through lilv. Ports common to the
 * three plugins come first with the same index everywhere; the variant's own
 * controls and its audio ports follow.
 */
#ifndef TG_PORTS_H
#define TG_PORTS_H

#include <stdint.h>

#define TG_URI_STEREO "urn:tguard:stereo"
#define TG_URI_MONO "urn:tguard:mono"
#define TG_URI_SUM "urn:tguard:sum"

/* Logical port identities, independent of any variant's index order. */
typedef enum {
	TG_P_ENABLE,
	TG_P_VOLUME_DB,
	TG_P_RAMP_S,
	TG_P_RISE_DB_S,
	TG_P_HPF_HZ,
	TG_P_HPF_ORDER,
	TG_P_LPF_HZ,
	TG_P_LPF_ORDER,
	TG_P_Z_OHM,
	TG_P_VFS,
	TG_P_I_PEAK_MA,
	TG_P_I_RMS_MA,
	TG_P_TAU_S,
	TG_P_RELEASE_MS,
	TG_P_LATENCY,
	TG_P_GR_DB,
	TG_P_PEAK_MA,
	TG_P_RMS_MA,
	TG_P_CEILING_DB,
	TG_P_RAMP,
	TG_P_CLAMPS,
	TG_P_MONO,
	TG_P_ROUTE,
	TG_P_IN_L,
	TG_P_IN_R,
	TG_P_OUT_L,
	TG_P_OUT_R,
	TG_P_IN,  /* the single input of the mono plugin */
	TG_P_OUT, /* the single output of the mono and sum plugins */
	TG_P_V_PEAK, /* added in 0.2: after every older port of each variant */
	TG_P_COUNT
} TgPortId;

typedef enum { TG_DIR_IN, TG_DIR_OUT } TgPortDir;
typedef enum { TG_KIND_CONTROL, TG_KIND_AUDIO } TgPortKind;

typedef struct {
	const char *symbol;
	TgPortDir dir;
	TgPortKind kind;
	float min;
	float def;
	float max;
} TgPortInfo;

/* Ranges are the contract with hosts: the chain clamps to them again. */
static const TgPortInfo tg_port_info[TG_P_COUNT] = {
	[TG_P_ENABLE] = {"enable", TG_DIR_IN, TG_KIND_CONTROL, 0.0f, 1.0f, 1.0f},
	[TG_P_VOLUME_DB] = {"volume_db", TG_DIR_IN, TG_KIND_CONTROL, -60.0f, 0.0f, 24.0f},
	[TG_P_RAMP_S] = {"ramp_s", TG_DIR_IN, TG_KIND_CONTROL, 0.1f, 3.0f, 30.0f},
	[TG_P_RISE_DB_S] = {"rise_db_s", TG_DIR_IN, TG_KIND_CONTROL, 1.0f, 10.0f, 60.0f},
	[TG_P_HPF_HZ] = {"hpf_hz", TG_DIR_IN, TG_KIND_CONTROL, 10.0f, 80.0f, 5000.0f},
	[TG_P_HPF_ORDER] = {"hpf_order", TG_DIR_IN, TG_KIND_CONTROL, 0.0f, 4.0f, 4.0f},
	[TG_P_LPF_HZ] = {"lpf_hz", TG_DIR_IN, TG_KIND_CONTROL, 500.0f, 16000.0f, 24000.0f},
	[TG_P_LPF_ORDER] = {"lpf_order", TG_DIR_IN, TG_KIND_CONTROL, 0.0f, 2.0f, 4.0f},
	[TG_P_Z_OHM] = {"z_ohm", TG_DIR_IN, TG_KIND_CONTROL, 1.0f, 32.0f, 100000.0f},
	[TG_P_VFS] = {"vfs", TG_DIR_IN, TG_KIND_CONTROL, 0.05f, 1.0f, 50.0f},
	[TG_P_I_PEAK_MA] = {"i_peak_ma", TG_DIR_IN, TG_KIND_CONTROL, 0.01f, 30.0f, 10000.0f},
	[TG_P_I_RMS_MA] = {"i_rms_ma", TG_DIR_IN, TG_KIND_CONTROL, 0.01f, 10.0f, 10000.0f},
	[TG_P_TAU_S] = {"tau_s", TG_DIR_IN, TG_KIND_CONTROL, 0.05f, 3.0f, 60.0f},
	[TG_P_RELEASE_MS] = {"release_ms", TG_DIR_IN, TG_KIND_CONTROL, 5.0f, 100.0f, 2000.0f},
	[TG_P_LATENCY] = {"latency", TG_DIR_OUT, TG_KIND_CONTROL, 0.0f, 0.0f, 1024.0f},
	[TG_P_GR_DB] = {"gr_db", TG_DIR_OUT, TG_KIND_CONTROL, -140.0f, 0.0f, 0.0f},
	[TG_P_PEAK_MA] = {"peak_ma", TG_DIR_OUT, TG_KIND_CONTROL, 0.0f, 0.0f, 10000.0f},
	[TG_P_RMS_MA] = {"rms_ma", TG_DIR_OUT, TG_KIND_CONTROL, 0.0f, 0.0f, 10000.0f},
	[TG_P_CEILING_DB] = {"ceiling_db", TG_DIR_OUT, TG_KIND_CONTROL, -140.0f, 0.0f, 0.0f},
	[TG_P_RAMP] = {"ramp", TG_DIR_OUT, TG_KIND_CONTROL, 0.0f, 0.0f, 1.0f},
	[TG_P_CLAMPS] = {"clamps", TG_DIR_OUT, TG_KIND_CONTROL, 0.0f, 0.0f, 1e9f},
	[TG_P_MONO] = {"mono", TG_DIR_IN, TG_KIND_CONTROL, 0.0f, 1.0f, 4.0f},
	[TG_P_ROUTE] = {"route", TG_DIR_IN, TG_KIND_CONTROL, 0.0f, 0.0f, 2.0f},
	[TG_P_IN_L] = {"in_l", TG_DIR_IN, TG_KIND_AUDIO, 0.0f, 0.0f, 0.0f},
	[TG_P_IN_R] = {"in_r", TG_DIR_IN, TG_KIND_AUDIO, 0.0f, 0.0f, 0.0f},
	[TG_P_OUT_L] = {"out_l", TG_DIR_OUT, TG_KIND_AUDIO, 0.0f, 0.0f, 0.0f},
	[TG_P_OUT_R] = {"out_r", TG_DIR_OUT, TG_KIND_AUDIO, 0.0f, 0.0f, 0.0f},
	[TG_P_IN] = {"in", TG_DIR_IN, TG_KIND_AUDIO, 0.0f, 0.0f, 0.0f},
	[TG_P_OUT] = {"out", TG_DIR_OUT, TG_KIND_AUDIO, 0.0f, 0.0f, 0.0f},
	[TG_P_V_PEAK] = {"v_peak", TG_DIR_IN, TG_KIND_CONTROL, 0.01f, 100.0f, 100.0f},
};

typedef enum { TG_VARIANT_STEREO, TG_VARIANT_MONO, TG_VARIANT_SUM, TG_N_VARIANTS } TgVariant;

#define TG_MAX_PORTS 28

typedef struct {
	const char *uri;
	uint32_t n_in;  /* audio inputs */
	uint32_t n_out; /* audio outputs */
	uint32_t n_ports;
	float mono_min; /* the sum variant always sums: modes 1..4 */
	TgPortId ports[TG_MAX_PORTS]; /* logical id of each LV2 port index */
} TgVariantInfo;

#define TG_COMMON_PORTS                                                     \
	TG_P_ENABLE, TG_P_VOLUME_DB, TG_P_RAMP_S, TG_P_RISE_DB_S, TG_P_HPF_HZ,  \
	    TG_P_HPF_ORDER, TG_P_LPF_HZ, TG_P_LPF_ORDER, TG_P_Z_OHM, TG_P_VFS,  \
	    TG_P_I_PEAK_MA, TG_P_I_RMS_MA, TG_P_TAU_S, TG_P_RELEASE_MS,         \
	    TG_P_LATENCY, TG_P_GR_DB, TG_P_PEAK_MA, TG_P_RMS_MA, TG_P_CEILING_DB, \
	    TG_P_RAMP, TG_P_CLAMPS

static const TgVariantInfo tg_variants[TG_N_VARIANTS] = {
	[TG_VARIANT_STEREO] = {TG_URI_STEREO, 2, 2, 28, 0.0f,
	                       {TG_COMMON_PORTS, TG_P_MONO, TG_P_ROUTE, TG_P_IN_L,
	                        TG_P_IN_R, TG_P_OUT_L, TG_P_OUT_R, TG_P_V_PEAK}},
	[TG_VARIANT_MONO] = {TG_URI_MONO, 1, 1, 24, 0.0f,
	                     {TG_COMMON_PORTS, TG_P_IN, TG_P_OUT, TG_P_V_PEAK}},
	[TG_VARIANT_SUM] = {TG_URI_SUM, 2, 1, 26, 1.0f,
	                    {TG_COMMON_PORTS, TG_P_MONO, TG_P_IN_L, TG_P_IN_R,
	                     TG_P_OUT, TG_P_V_PEAK}},
};

#endif
