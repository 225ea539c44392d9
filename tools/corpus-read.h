/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a dump of the corpus (tests/data/corpus) for the tests and benchmarks that
 * run over it (tests/unit/eval/test_eval_corpus.c, bench/eval-bench.c). Header only: each
 * includes it by relative path.
 */
#ifndef CTG_TOOLS_CORPUS_READ_H
#define CTG_TOOLS_CORPUS_READ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Reads a whole file into a NUL-terminated malloc'ed buffer (*len bytes without the NUL);
 * the corpus anonymised MAC addresses as XX:XX:XX:XX:XX:XX: they are made valid. NULL when
 * the file cannot be opened or nothing could be allocated.
 */
static inline char *ctg_corpus_read_deanon(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *p;
	size_t cap = 0;

	if (!f)
		return NULL;
	*len = 0;
	for (;;) {
		size_t n;

		if (*len + 65536 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 65536);

			if (!nb)
				break;
			buf = nb;
		}
		n = fread(buf + *len, 1, cap - *len - 1, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	if (!buf)
		return NULL;
	buf[*len] = 0;
	for (p = buf; (p = strstr(p, "XX:XX:XX:XX:XX:XX")); p += 17)
		memcpy(p, "02:00:00:00:00:01", 17);
	return buf;
}

#endif
