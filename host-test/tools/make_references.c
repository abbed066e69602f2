/* make_references: regenerate host-test/references/ from the current build
 * and say what changed. Run by `make references`; the tests never do. */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "references.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: make_references DIR\n");
		return 1;
	}
	const char *const bundle = "build/tguard.lv2";
	const unsigned n = tg_ref_cases(bundle, NULL, 0);
	TgRefCase *const cases = calloc(n, sizeof(TgRefCase));
	tg_ref_cases(bundle, cases, n);
	unsigned changed = 0, added = 0, same = 0;
	for (unsigned i = 0; i < n; ++i) {
		char name[256], path[1024], why[256];
		tg_ref_name(&cases[i], name, sizeof(name));
		snprintf(path, sizeof(path), "%s/%s", argv[1], name);
		TgReport report;
		char *summary = NULL;
		if (tg_ref_render(bundle, &cases[i], 512, NULL, 0.0, 0, &report, &summary, NULL, NULL)) {
			fprintf(stderr, "error: render of %s failed\n", name);
			return 1;
		}
		char *const old = tg_ref_read_file(path);
		if (!old) {
			printf("added    %s\n", name);
			++added;
		} else if (tg_ref_compare(old, summary, why, sizeof(why)) != 0) {
			printf("changed  %s: %s\n", name, why);
			++changed;
		} else {
			++same;
		}
		free(old);
		FILE *const f = fopen(path, "w");
		if (!f || fputs(summary, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "error: cannot write %s\n", path);
			return 1;
		}
		free(summary);
	}
	printf("%u references: %u unchanged, %u changed, %u added\n", n, same, changed, added);
	free(cases);
	return 0;
}
