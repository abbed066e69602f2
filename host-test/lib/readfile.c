/* tguard tests: read a whole file into memory. */
#include "readfile.h"

#include <stdio.h>
#include <stdlib.h>

char *tg_read_file(const char *path, size_t *len)
{
	FILE *const f = fopen(path, "rb");
	if (!f) {
		return NULL;
	}
	size_t cap = 4096, n = 0, got;
	char *buf = malloc(cap + 1);
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *const bigger = realloc(buf, 2 * cap + 1);
			if (!bigger) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = bigger;
			cap *= 2;
		}
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = n;
	}
	return buf;
}
