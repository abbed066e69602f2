/* tguard tests: read a whole file into memory. */
#ifndef TG_READFILE_H
#define TG_READFILE_H

#include <stddef.h>

/** The bytes of path, NUL-terminated (not counted in *len); NULL if it
 * cannot be read. The caller frees it. */
char *tg_read_file(const char *path, size_t *len);

#endif
