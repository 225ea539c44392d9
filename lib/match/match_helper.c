// SPDX-License-Identifier: GPL-2.0-or-later
/* -m helper: conntrack helper of the connection (libxt_helper.c, xt_helper.c). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

#define HELPER_NAME_MAX 29 /* name[30] */

struct helper_data {
	char name[HELPER_NAME_MAX + 1];
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"helper", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static int helper_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct helper_data *d = data;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --helper flags not allowed");
	if (strlen(arg) > HELPER_NAME_MAX)
		return ctg_mctx_error(c, "bad-value", NULL,
				      "helper: name \"%s\" longer than %d characters", arg,
				      HELPER_NAME_MAX);
	strcpy(d->name, arg);
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int helper_final(struct ctg_mctx *c, void *data)
{
	const struct helper_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--helper NAME",
				      "helper: --helper is required");
	return 0;
}

static void helper_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct helper_data *d = data;

	ctg_mu_opt(sb, d->inv, "helper");
	ctg_mu_quoted(sb, d->name); /* with its leading space */
}

static enum ctg_tri helper_eval(const void *data, const struct ctg_pkt *p,
				const struct ctg_eval_env *env)
{
	const struct helper_data *d = data;

	/* no conntrack entry: no helper, and xt_helper answers "invert" */
	if (!p->ct && (p->ctstate & (CTG_CTS_INVALID | CTG_CTS_UNTRACKED)))
		return d->inv ? CTG_TRUE : CTG_FALSE;
	return CTG_UNKNOWN; /* the entry's helper is not in the model */
}

const struct ctg_match_ops ctg_match_helper = {
	.name = "helper",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct helper_data),
	.parse = helper_parse,
	.final = helper_final,
	.emit = helper_emit,
	.eval = helper_eval,
	.needs_ct = true,
};
