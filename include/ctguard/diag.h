/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics: parse and validation problems are data, never printed by the library.
 */
#ifndef CTGUARD_DIAG_H
#define CTGUARD_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ctg_severity {
	CTG_SEV_NOTE,
	CTG_SEV_WARNING,
	CTG_SEV_ERROR,
};

/* A position in a named input. line and col are 1-based; col 0 means "whole line". */
struct ctg_loc {
	const char *src; /* input name, owned by the diag list or ruleset */
	uint32_t line;
	uint16_t col;
	uint16_t end_col; /* inclusive; 0 when unknown */
};

struct ctg_diag {
	enum ctg_severity severity;
	const char *code; /* stable: "unknown-option", "unknown-match", ... */
	char *msg;
	char *hint;       /* "did you mean --dport?" or NULL */
	char *line_text;  /* the source line without its newline, or NULL */
	struct ctg_loc loc;
};

struct ctg_diags;

struct ctg_diags *ctg_diags_new(void);
void ctg_diags_free(struct ctg_diags *d);
size_t ctg_diags_count(const struct ctg_diags *d);
size_t ctg_diags_errors(const struct ctg_diags *d);
size_t ctg_diags_warnings(const struct ctg_diags *d);
const struct ctg_diag *ctg_diags_get(const struct ctg_diags *d, size_t i);

/* Adds a diagnostic; copies every string. Returns 0 or -ENOMEM. */
int ctg_diags_add(struct ctg_diags *d, enum ctg_severity sev, const char *code,
		  const struct ctg_loc *loc, const char *line_text, const char *hint,
		  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/*
 * Renders one diagnostic the way compilers do:
 *   rules.v4:12:23-29: error: unknown option "--dprot"
 *   -A INPUT -p tcp --dprot 22 -j ACCEPT
 *                   ^~~~~~~
 *   hint: did you mean "--dport"?
 * Writes at most size bytes (NUL included); returns the length it needed, like snprintf.
 */
size_t ctg_diag_render(const struct ctg_diag *dg, char *buf, size_t size);

/* Closest candidate by edit distance (<= max(1, len/3)), or NULL. */
const char *ctg_misspell_suggest(const char *word, const char *const *cands, size_t n);

#endif
