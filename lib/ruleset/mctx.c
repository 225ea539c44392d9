// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics reported by match and target modules through their parser context. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir.h"

static void add(struct ctg_mctx *c, enum ctg_severity sev, const char *code, const char *hint,
		const char *msg)
{
	char *line = c->line ? strndup(c->line, c->line_len) : NULL;

	if (c->diags)
		ctg_diags_add(c->diags, sev, code, &c->loc, line, hint, "%s", msg);
	free(line);
}

int ctg_mctx_error(struct ctg_mctx *c, const char *code, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add(c, CTG_SEV_ERROR, code, hint, msg);
	c->nerrors++;
	return -EINVAL;
}

void ctg_mctx_warn(struct ctg_mctx *c, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add(c, CTG_SEV_WARNING, code, NULL, msg);
}
