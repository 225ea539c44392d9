// SPDX-License-Identifier: GPL-2.0-or-later
#include <ctguard/diag.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

struct ctg_diags {
	struct ctg_diag *v;
	size_t n, cap;
	size_t nerr, nwarn;
	/* interned source names */
	char **srcs;
	size_t nsrcs;
};

struct ctg_diags *ctg_diags_new(void)
{
	return calloc(1, sizeof(struct ctg_diags));
}

void ctg_diags_free(struct ctg_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].msg);
		free(d->v[i].hint);
		free(d->v[i].line_text);
	}
	for (size_t i = 0; i < d->nsrcs; i++)
		free(d->srcs[i]);
	free(d->srcs);
	free(d->v);
	free(d);
}

size_t ctg_diags_count(const struct ctg_diags *d)
{
	return d->n;
}

size_t ctg_diags_errors(const struct ctg_diags *d)
{
	return d->nerr;
}

size_t ctg_diags_warnings(const struct ctg_diags *d)
{
	return d->nwarn;
}

const struct ctg_diag *ctg_diags_get(const struct ctg_diags *d, size_t i)
{
	return i < d->n ? &d->v[i] : NULL;
}

static const char *intern_src(struct ctg_diags *d, const char *src)
{
	char **ns;

	if (!src)
		return NULL;
	for (size_t i = 0; i < d->nsrcs; i++)
		if (!strcmp(d->srcs[i], src))
			return d->srcs[i];
	ns = realloc(d->srcs, (d->nsrcs + 1) * sizeof(*ns));
	if (!ns)
		return NULL;
	d->srcs = ns;
	ns[d->nsrcs] = strdup(src);
	if (!ns[d->nsrcs])
		return NULL;
	return ns[d->nsrcs++];
}

int ctg_diags_add(struct ctg_diags *d, enum ctg_severity sev, const char *code,
		  const struct ctg_loc *loc, const char *line_text, const char *hint,
		  const char *fmt, ...)
{
	struct ctg_diag *dg;
	va_list ap;
	int n;

	if (d->n == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		struct ctg_diag *nv = realloc(d->v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		d->v = nv;
		d->cap = ncap;
	}
	dg = &d->v[d->n];
	memset(dg, 0, sizeof(*dg));
	dg->severity = sev;
	dg->code = code;
	if (loc) {
		dg->loc = *loc;
		dg->loc.src = intern_src(d, loc->src);
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	dg->msg = malloc((size_t)n + 1);
	if (!dg->msg)
		return -ENOMEM;
	va_start(ap, fmt);
	vsnprintf(dg->msg, (size_t)n + 1, fmt, ap);
	va_end(ap);
	dg->hint = hint ? strdup(hint) : NULL;
	dg->line_text = line_text ? strdup(line_text) : NULL;
	d->n++;
	if (sev == CTG_SEV_ERROR)
		d->nerr++;
	else if (sev == CTG_SEV_WARNING)
		d->nwarn++;
	return 0;
}

static const char *sev_name(enum ctg_severity s)
{
	switch (s) {
	case CTG_SEV_ERROR:
		return "error";
	case CTG_SEV_WARNING:
		return "warning";
	default:
		return "note";
	}
}

size_t ctg_diag_render(const struct ctg_diag *dg, char *buf, size_t size)
{
	struct ctg_strbuf sb;
	size_t n;

	ctg_sb_init(&sb);
	ctg_sb_puts(&sb, dg->loc.src ? dg->loc.src : "<input>");
	if (dg->loc.line) {
		ctg_sb_printf(&sb, ":%u", dg->loc.line);
		if (dg->loc.col) {
			ctg_sb_printf(&sb, ":%u", dg->loc.col);
			if (dg->loc.end_col > dg->loc.col)
				ctg_sb_printf(&sb, "-%u", dg->loc.end_col);
		}
	}
	ctg_sb_printf(&sb, ": %s: %s\n", sev_name(dg->severity), dg->msg);
	if (dg->line_text) {
		ctg_sb_printf(&sb, "%s\n", dg->line_text);
		if (dg->loc.col) {
			unsigned len = (unsigned)strlen(dg->line_text);
			unsigned col = dg->loc.col > len + 1 ? len + 1 : dg->loc.col;
			unsigned end = dg->loc.end_col > col ? dg->loc.end_col : col;

			if (end > len + 1)
				end = len + 1;
			for (unsigned i = 1; i < col; i++)
				ctg_sb_putc(&sb, dg->line_text[i - 1] == '\t' ? '\t' : ' ');
			ctg_sb_putc(&sb, '^');
			for (unsigned i = col; i < end; i++)
				ctg_sb_putc(&sb, '~');
			ctg_sb_putc(&sb, '\n');
		}
	}
	if (dg->hint)
		ctg_sb_printf(&sb, "hint: %s\n", dg->hint);
	n = sb.len;
	if (size) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(buf, ctg_sb_str(&sb), c);
		buf[c] = '\0';
	}
	ctg_sb_release(&sb);
	return n;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64], i, j;

	if (lb >= 64 || la >= 64)
		return 1000;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t prev = row[0], tmp;

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *ctg_misspell_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t len = strlen(word), limit = len / 3 > 1 ? len / 3 : 1, best = (size_t)-1;
	const char *res = NULL;

	for (size_t i = 0; i < n; i++) {
		size_t dist = edit_distance(word, cands[i]);

		if (dist <= limit && dist < best) {
			best = dist;
			res = cands[i];
		}
	}
	return res;
}
