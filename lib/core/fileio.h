/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef CTG_FILEIO_H
#define CTG_FILEIO_H

#include <stddef.h>

/*
 * Reads a whole file ("-" = standard input) into a malloc'd, NUL-terminated buffer.
 * Returns 0, or -errno (the file is not opened or not read; nothing is allocated).
 */
int ctg_file_read(const char *path, char **buf, size_t *len);

/*
 * Replaces path atomically with len bytes of data: a new temporary file in the same
 * directory (mode), written, fsync'd, then renamed over path. Readers see the old or the
 * new content, never a part. Returns 0 or -errno (the temporary file is removed).
 */
int ctg_file_write_atomic(const char *path, const void *data, size_t len, unsigned mode);

#endif

/*
 * Bounded text input, for every reader of text (rulesets, conntrack, ss): fed the bytes as
 * they are read, it stops a reader at the first sign that the input is not text (NUL or
 * other control bytes in the first 4 KiB) or at a line longer than any real one,
 * so garbage gives one error and gigabytes are never read into memory.
 */
#define CTG_TEXT_MAX_LINE (64 * 1024) /* iptables-restore itself refuses lines > 10 KiB */

enum ctg_text_problem {
	CTG_TEXT_OK,
	CTG_TEXT_BINARY,
	CTG_TEXT_LONG_LINE,
};

struct ctg_text_guard {
	enum ctg_text_problem problem;
	size_t line;     /* 1-based line of the bytes fed so far (of the problem once found) */
	size_t run;      /* bytes since the last newline */
	size_t off;      /* bytes fed */
	size_t controls; /* control characters in the first block */
};

void ctg_text_guard_init(struct ctg_text_guard *g);
/* Feeds the next n bytes. 0, or -EBADMSG once a problem is found (g->problem says which). */
int ctg_text_guard_feed(struct ctg_text_guard *g, const char *p, size_t n);

struct ctg_diags;
/* Adds the diagnostic of g's problem for input name. 0 or -ENOMEM. */
int ctg_text_guard_diag(const struct ctg_text_guard *g, const char *name, struct ctg_diags *d);

/* ctg_file_read through a guard: -EBADMSG (nothing allocated) when g found a problem. */
int ctg_file_read_text(const char *path, char **buf, size_t *len, struct ctg_text_guard *g);
