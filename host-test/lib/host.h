/* tguard host library: load a plugin through lilv, apply presets, set
 * controls and run blocks. Shared by tguard-render, the tests and the
 * benchmark. Modelled on lilv's lv2apply: one struct, one cleanup path. */
#ifndef TG_HOST_H
#define TG_HOST_H

#include <stddef.h>
#include <stdint.h>

typedef struct TgHost TgHost;

/* The largest block tg_host_run() takes (buffers for ports beyond the two
 * audio channels are sized for it). */
#define TG_HOST_MAX_BLOCK 8192

typedef enum {
	TG_HOST_OK = 0,
	TG_HOST_ERR_WORLD,   /* no plugin with that URI, or it cannot load */
	TG_HOST_ERR_INSTANTIATE,
	TG_HOST_ERR_PRESET,  /* unknown preset, or it has no state */
	TG_HOST_ERR_SYMBOL,  /* no input control with that symbol */
} TgHostStatus;

/** Load a world: from bundle_dir alone when given (the build tree), else
 * from LV2_PATH or the standard paths. */
TgHost *tg_host_new(const char *bundle_dir);

/** Ask for tguard's reference chain (urn:tguard:reference, an LV2 option,
 * plugin/spec/reference.h) at the next tg_host_load; other plugins ignore it. */
void tg_host_use_reference(TgHost *host, int on);

/** Offer one more feature (uri, data) at the next tg_host_load: the tests'
 * fake inline-display queue_draw, for one. uri and data must outlive the
 * instance; NULL withdraws it. */
void tg_host_add_feature(TgHost *host, const char *uri, void *data);

/** Find and instantiate uri at rate; every control at its default. On
 * failure err names the problem (and lists what exists). */
TgHostStatus tg_host_load(TgHost *host, const char *uri, double rate, char *err, size_t errlen);

/** Print label, URI and bank of each preset of the loaded plugin to the
 * callback, one call per preset. */
typedef void (*TgPresetFunc)(void *data, const char *label, const char *uri, const char *bank);
unsigned tg_host_presets(TgHost *host, TgPresetFunc func, void *data);

/** Apply a preset by URI or label (ignoring case). */
TgHostStatus tg_host_apply_preset(TgHost *host, const char *name, char *err, size_t errlen);

/** Set an input control by symbol. */
TgHostStatus tg_host_set(TgHost *host, const char *symbol, float value);

/** Call func for each input control of the loaded plugin, in port order,
 * with the value in force (default, preset, then set). */
typedef void (*TgControlFunc)(void *data, const char *symbol, float value);
unsigned tg_host_controls(const TgHost *host, TgControlFunc func, void *data);

/** An input or output control's value by symbol; NAN if none. */
float tg_host_get(const TgHost *host, const char *symbol);

/** Whether the transducer is wired across the plugin's two outputs: its
 * wiring control at 1, tip-ring (docs/controls.md, docs/wiring.md). Then the voltage
 * it sees is the difference of the outputs. */
int tg_host_bridged(const TgHost *host);

/** The loaded instance's extension data for uri (NULL if none), and its
 * handle, to call what the extension holds. */
const void *tg_host_extension_data(const TgHost *host, const char *uri);
void *tg_host_handle(const TgHost *host);

uint32_t tg_host_n_audio_in(const TgHost *host);
uint32_t tg_host_n_audio_out(const TgHost *host);

void tg_host_activate(TgHost *host);
void tg_host_deactivate(TgHost *host);

/** Run n <= TG_HOST_MAX_BLOCK frames (buffers by channel). */
void tg_host_run(TgHost *host, const float *const *in, float *const *out, uint32_t n);

void tg_host_free(TgHost *host);

#endif
