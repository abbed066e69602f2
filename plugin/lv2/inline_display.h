/* tguard: the inline display extension that Ardour defines (and Carla
 * reads), declared here from its specification: a plugin returns the
 * interface from extension_data(); the host offers the queue_draw feature,
 * which run() may call to ask for a new picture, and calls render() from a
 * thread that is not the audio thread. The surface render() returns, and
 * the pixels it points to, belong to the plugin and must stay valid until
 * cleanup(). Shared by the LV2 glue and the host-side tests and tools. */
#ifndef TG_INLINE_DISPLAY_H
#define TG_INLINE_DISPLAY_H

#include <stdint.h>

#define TG_IDPY_URI "http://harrisonconsoles.com/lv2/inlinedisplay"
#define TG_IDPY__interface TG_IDPY_URI "#interface"
#define TG_IDPY__queue_draw TG_IDPY_URI "#queue_draw"

/* Pixels as cairo's ARGB32: stride bytes from one row to the next. */
typedef struct {
	unsigned char *data;
	int width;
	int height;
	int stride;
} TgIdpySurface;

/* The data of the queue_draw feature. */
typedef struct {
	void *handle;
	void (*queue_draw)(void *handle);
} TgIdpyQueueDraw;

/* The extension data. instance is the plugin's LV2_Handle; w is the width
 * the host has, max_h the most height it gives. NULL: nothing to show. */
typedef struct {
	TgIdpySurface *(*render)(void *instance, uint32_t w, uint32_t max_h);
} TgIdpyInterface;

#endif
