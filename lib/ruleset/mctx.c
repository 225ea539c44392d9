// SPDX-License-Identifier: GPL-2.0-or-later
/* Diagnostics reported by match and target modules through their parser context. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "ir.h"

int ctg_mctx_error(struct ctg_mctx *c, const char *code, const char *hint, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->diags)
		ctg_diags_add(c->diags, CTG_SEV_ERROR, code, &c->loc, c->line_text, hint, "%s",
			      msg);
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
	if (c->diags)
		ctg_diags_add(c->diags, CTG_SEV_WARNING, code, &c->loc, c->line_text, NULL, "%s",
			      msg);
}
