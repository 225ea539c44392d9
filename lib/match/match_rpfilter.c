// SPDX-License-Identifier: GPL-2.0-or-later
/* -m rpfilter: reverse path filter (libxt_rpfilter.c, ipt_rpfilter.c, ip6t_rpfilter.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* XT_RPFILTER_* bits, the option ids are the bit numbers. */
enum { O_LOOSE, O_VMARK, O_INVERT, O_ACCEPT_LOCAL };

struct rpfilter_data {
	uint8_t flags;
};

static const struct ctg_opt opts[] = {
	{"accept-local", O_ACCEPT_LOCAL, 0},
	{"invert", O_INVERT, 0},
	{"loose", O_LOOSE, 0},
	{"validmark", O_VMARK, 0},
};

static int rpfilter_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			  const char *arg2)
{
	struct rpfilter_data *d = data;

	d->flags |= 1u << id;
	return 0;
}

static int rpfilter_final(struct ctg_mctx *c, void *data)
{
	if (c->table != CTG_TABLE_RAW && c->table != CTG_TABLE_MANGLE)
		return ctg_mctx_error(c, "bad-table", "use -t raw or -t mangle",
				      "rpfilter: only valid in the raw or mangle table");
	return 0;
}

static void rpfilter_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	static const char *const names[] = {" --loose", " --validmark", " --invert",
					    " --accept-local"};
	/* libxt_rpfilter prints loose, validmark, accept-local, invert */
	static const uint8_t order[] = {O_LOOSE, O_VMARK, O_ACCEPT_LOCAL, O_INVERT};
	const struct rpfilter_data *d = data;

	for (unsigned i = 0; i < sizeof(order); i++)
		if (d->flags & (1u << order[i]))
			ctg_sb_puts(sb, names[order[i]]);
}

static enum ctg_tri rpfilter_eval(const void *data, const struct ctg_pkt *p,
				  const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* needs a route lookup */
}

const struct ctg_match_ops ctg_match_rpfilter = {
	.name = "rpfilter",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct rpfilter_data),
	.parse = rpfilter_parse,
	.final = rpfilter_final,
	.emit = rpfilter_emit,
	.eval = rpfilter_eval,
	.hooks = 1u << CTG_HOOK_PREROUTING,
};
