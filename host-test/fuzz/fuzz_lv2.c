/* tguard fuzz target: the LV2 interface, as a careless host drives it.
 *
 * lv2_descriptor(i) for any index; instantiate at a fuzzed rate (refused
 * exactly outside 8..384 kHz) and with a descriptor carrying a foreign URI;
 * connect_port for every port (and indices past the last), with control
 * ports on fuzzed values and some ports left unconnected; activate; run
 * with fuzzed block sizes, controls changed and buffers reconnected between
 * blocks, in place or not; re-activation; deactivate and cleanup. The glue
 * is linked in (tguard_lv2.c, built with the sanitizers), so it is
 * instrumented like the chain. The same invariants as fuzz_chain hold on
 * the audio outputs, and every connected meter is finite.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include <stdint.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>

#include <lv2/core/lv2.h>

#include "chain.h"
#include "fuzz_input.h"
#include "invariants.h"
#include "ports.h"

#define MAX_BLOCKS 32
#define FRAME_BUDGET 8192u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
	const TgVariantInfo *var;
	const LV2_Descriptor *desc;
	LV2_Handle h;
	float value[TG_MAX_PORTS]; /* control ports, input and output */
	int connected[TG_MAX_PORTS];
	float *audio[TG_MAX_PORTS];
} Host;

static int is_control_in(TgPortId id)
{
	return tg_port_info[id].kind == TG_KIND_CONTROL && tg_port_info[id].dir == TG_DIR_IN;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The ports added in 0.6 take no mask bit: the saved inputs keep their
 * meaning (op pattern 0x30 sets them, fz_magnet). */
static int since_0_6(TgPortId id) { return id == TG_P_TAU_MAGNET_S || id == TG_P_MAGNET_SHARE; }

static void fuzz_controls(FzIn *r, Host *host, uint32_t mask)
{
	for (uint32_t i = 0; i < host->var->n_ports; ++i) {
		const TgPortInfo *const info = &tg_port_info[host->var->ports[i]];
		if (is_control_in(host->var->ports[i]) && !since_0_6(host->var->ports[i]) &&
		    (mask & (1u << i))) {
			host->value[i] = fz_control(r, info->min, info->def, info->max);
		}
	}
}

/* The controls the plugin sees: an unconnected one reads as its default. */
static void host_params(const Host *host, TgParams *p)
{
	tg_params_default(p);
	for (uint32_t i = 0; i < host->var->n_ports; ++i) {
		const TgPortId id = host->var->ports[i];
		if (is_control_in(id) && host->connected[i]) {
			*tg_inv_param(p, id) = host->value[i];
		}
	}
}

static void check_meters(const Host *host, uint32_t latency)
{
	for (uint32_t i = 0; i < host->var->n_ports; ++i) {
		const TgPortId id = host->var->ports[i];
		const TgPortInfo *const info = &tg_port_info[id];
		if (info->kind != TG_KIND_CONTROL || info->dir != TG_DIR_OUT ||
		    !host->connected[i]) {
			continue;
		}
		const float v = host->value[i];
		if (!isfinite(v) || (id == TG_P_LATENCY && v != (float)latency)) {
			tg_inv_fail(info->symbol);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FzIn r = {data, size};
	const uint32_t index = fz_u8(&r) % (TG_N_VARIANTS + 1);
	Host host;
	memset(&host, 0, sizeof(host));
	host.desc = lv2_descriptor(index);
	if (index >= TG_N_VARIANTS) {
		if (host.desc || lv2_descriptor(UINT32_MAX)) {
			tg_inv_fail("a descriptor past the last plugin");
		}
		return 0;
	}
	for (int v = 0; host.desc && v < TG_N_VARIANTS; ++v) {
		if (strcmp(host.desc->URI, tg_variants[v].uri) == 0) {
			host.var = &tg_variants[v];
		}
	}
	if (!host.var) {
		tg_inv_fail("a descriptor with an unknown URI");
		return 0;
	}
	const LV2_Descriptor *const d = host.desc;
	const LV2_Feature *const features[] = {NULL};
	const uint8_t flags = fz_u8(&r);
	if (flags & 1) {
		/* Another plugin's descriptor pointing at our functions. */
		LV2_Descriptor foreign = *d;
		foreign.URI = "urn:tguard:not-a-plugin";
		LV2_Handle h = d->instantiate(&foreign, 48000.0, "/nonexistent/", features);
		if (h) {
			tg_inv_fail("instantiated a foreign URI");
			d->cleanup(h);
		}
	}
	int valid;
	const double rate = fz_rate(&r, &valid);
	host.h = d->instantiate(d, rate, "/nonexistent/", features);
	if (!valid || !host.h) {
		if (valid || host.h) {
			tg_inv_fail(valid ? "a rate in 8..384 kHz was refused"
			                  : "a rate out of range was accepted");
		}
		if (host.h) {
			d->cleanup(host.h);
		}
		return 0;
	}
	const TgVariantInfo *const var = host.var;
	/* The latency through the public API, for the soft-start check. */
	TgChain *const probe = tg_chain_new(rate, var->n_in, var->n_out);
	if (!probe) {
		tg_inv_fail("tg_chain_new refused a rate the plugin took");
		d->cleanup(host.h);
		return 0;
	}
	const uint32_t latency = tg_chain_latency(probe);
	tg_chain_free(probe);

	/* Control ports: values first, then which ones stay unconnected. */
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		host.value[i] = tg_port_info[var->ports[i]].def;
	}
	fuzz_controls(&r, &host, fz_u32(&r));
	const uint32_t unconnected = (flags & 2) ? fz_u32(&r) : 0;
	for (uint32_t i = 0; i < var->n_ports; ++i) {
		const TgPortInfo *const info = &tg_port_info[var->ports[i]];
		if (info->kind == TG_KIND_CONTROL) {
			host.connected[i] = !(unconnected & (1u << i));
			d->connect_port(host.h, i, host.connected[i] ? &host.value[i] : NULL);
		}
	}
	/* Indices past the last port are ignored. */
	float junk = 0.0f;
	d->connect_port(host.h, var->n_ports, &junk);
	d->connect_port(host.h, var->n_ports + fz_u8(&r), &junk);
	d->connect_port(host.h, UINT32_MAX, &junk);
	if (d->activate) {
		d->activate(host.h);
	}
	TgInv inv;
	if (tg_inv_init(&inv, rate, var->n_in, var->n_out, latency, 1) != 0) {
		d->cleanup(host.h);
		return 0;
	}

	uint32_t frames = 0;
	for (int b = 0; b < MAX_BLOCKS && r.n > 0 && frames < FRAME_BUDGET; ++b) {
		const uint8_t op = fz_u8(&r);
		if (op & 1) {
			fuzz_controls(&r, &host, fz_u32(&r));
		}
		if ((op & 0x70) == 0x30) {
			TgParams m;
			fz_magnet(&m, frames);
			for (uint32_t i = 0; i < host.var->n_ports; ++i) {
				const TgPortId id = host.var->ports[i];
				host.value[i] = id == TG_P_TAU_MAGNET_S   ? m.tau_magnet_s
				                : id == TG_P_MAGNET_SHARE ? m.magnet_share
				                                          : host.value[i];
			}
		}
		if ((op & 0x70) == 0x70) {
			/* The plugin cools by the whole milliseconds between the
			 * two calls; the checker by those around them, never
			 * fewer, so it never holds more heat than the plugin. */
			const double t0 = now_s();
			if (d->deactivate) {
				d->deactivate(host.h);
			}
			if (d->activate) {
				d->activate(host.h);
			}
			tg_inv_idle(&inv, floor((now_s() - t0) * 1e3) * 1e-3);
			tg_inv_activate(&inv);
		}
		const int in_place = op & 2;
		/* Rarely, an audio port stays unconnected: run() must cope. */
		const int drop_audio = (op & 0x8c) == 0x8c;
		uint32_t n = fz_block(&r);
		if (n > FRAME_BUDGET - frames) {
			n = FRAME_BUDGET - frames;
		}
		const float *in[2] = {NULL, NULL};
		float *out[2] = {NULL, NULL};
		uint32_t k_in = 0, k_out = 0, dropped = 0;
		int ok = 1;
		for (uint32_t i = 0; i < var->n_ports; ++i) {
			const TgPortInfo *const info = &tg_port_info[var->ports[i]];
			if (info->kind != TG_KIND_AUDIO) {
				continue;
			}
			float *buf;
			if (info->dir == TG_DIR_IN) {
				buf = malloc(n ? n * sizeof(float) : 1);
				if (buf) {
					fz_audio(&r, buf, n, k_in);
				}
				in[k_in++] = buf;
			} else if (in_place) {
				buf = (float *)in[k_out];
				out[k_out++] = buf;
			} else {
				buf = malloc(n ? n * sizeof(float) : 1);
				if (buf) {
					memset(buf, 0xff,
					       n * sizeof(float)); /* NaN if left unwritten */
				}
				out[k_out++] = buf;
			}
			ok = ok && buf;
			if (drop_audio && !dropped) {
				dropped = 1;
				buf = NULL;
			}
			d->connect_port(host.h, i, buf);
		}
		if (ok && !dropped && tg_inv_input(&inv, in, n) == 0) {
			d->run(host.h, n);
			TgParams p;
			host_params(&host, &p);
			tg_inv_output(&inv, &p, (const float *const *)out, n);
			frames += n;
		} else if (ok) {
			d->run(host.h, n); /* processes nothing, only the meters */
			TgParams p;
			host_params(&host, &p);
			tg_inv_no_output(&inv, &p);
		}
		check_meters(&host, latency);
		for (uint32_t ch = 0; ch < 2; ++ch) {
			if (!in_place) {
				free(out[ch]);
			}
			free((void *)in[ch]);
		}
	}
	if (d->deactivate) {
		d->deactivate(host.h);
	}
	d->cleanup(host.h);
	tg_inv_free(&inv);
	return 0;
}
