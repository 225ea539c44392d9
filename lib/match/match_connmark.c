// SPDX-License-Identifier: GPL-2.0-or-later
/* -m connmark --mark VALUE[/MASK] (libxt_connmark.c, xt_connmark.c connmark_mt); see mmark.c. */
#include "../ruleset/ir.h"
#include "mmark.h"

enum { O_MARK };

static const struct ctg_opt opts[] = {
	{"mark", O_MARK, CTG_OPT_ARG | CTG_OPT_INV},
};

static int connmark_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			  const char *arg2)
{
	return ctg_mmark_parse(c, "connmark", data, inv, arg);
}

static int connmark_final(struct ctg_mctx *c, void *data)
{
	return ctg_mmark_final(c, "connmark", data);
}

static void connmark_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_mmark_emit(data, sb);
}

static enum ctg_tri connmark_eval(const void *data, const struct ctg_pkt *p,
				  const struct ctg_eval_env *env)
{
	if (!p->ct) /* no entry: false whatever the "!" (connmark_mt) */
		return p->ctstate ? CTG_FALSE : CTG_UNKNOWN;
	return ctg_mmark_eval(data, p->ctmark);
}

const struct ctg_match_ops ctg_match_connmark = {
	.name = "connmark",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ctg_mmark),
	.parse = connmark_parse,
	.final = connmark_final,
	.emit = connmark_emit,
	.eval = connmark_eval,
	.needs_ct = true,
};
