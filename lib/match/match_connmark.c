// SPDX-License-Identifier: GPL-2.0-or-later
/* -m connmark --mark VALUE[/MASK] (libxt_connmark.c, xt_connmark.c connmark_mt). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_MARK };

struct connmark_data {
	uint32_t mark, mask;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"mark", O_MARK, CTG_OPT_ARG | CTG_OPT_INV},
};

static int connmark_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			  const char *arg2)
{
	struct connmark_data *d = data;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "connmark: option \"--mark\" can only be used once");
	d->seen = true;
	d->inv = inv;
	if (ctg_mu_value_mask(arg, &d->mark, &d->mask, NULL))
		return ctg_mctx_error(c, "bad-value", "VALUE[/MASK], 32-bit numbers",
				      "bad connmark value \"%s\"", arg);
	return 0;
}

static int connmark_final(struct ctg_mctx *c, void *data)
{
	const struct connmark_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "add --mark VALUE[/MASK]",
				      "connmark match: \"--mark\" is required");
	return 0;
}

static void connmark_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct connmark_data *d = data;

	ctg_mu_opt(sb, d->inv, "mark");
	if (d->mask != UINT32_MAX)
		ctg_sb_printf(sb, " 0x%x/0x%x", d->mark, d->mask);
	else
		ctg_sb_printf(sb, " 0x%x", d->mark);
}

static enum ctg_tri connmark_eval(const void *data, const struct ctg_pkt *p,
				  const struct ctg_eval_env *env)
{
	const struct connmark_data *d = data;

	if (!p->ct) /* no entry: false whatever the "!" (connmark_mt) */
		return p->ctstate ? CTG_FALSE : CTG_UNKNOWN;
	return ((p->ctmark & d->mask) == d->mark) != d->inv ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_connmark = {
	.name = "connmark",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct connmark_data),
	.parse = connmark_parse,
	.final = connmark_final,
	.emit = connmark_emit,
	.eval = connmark_eval,
	.needs_ct = true,
};
