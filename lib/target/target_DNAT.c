// SPDX-License-Identifier: GPL-2.0-or-later
/* -j DNAT --to-destination [a[-b]][:p[-q]] [--random] [--persistent] (libxt_NAT). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "target_nat.h"

enum { O_PERSISTENT, O_RANDOM, O_TO };

static const struct ctg_opt opts[] = {
	{"persistent", O_PERSISTENT, 0},
	{"random", O_RANDOM, 0},
	{"to-destination", O_TO, CTG_OPT_ARG},
};

static int dnat_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct nat_data *d = data;

	if (id == O_TO)
		return ctg_nat_parse_range(c, d, "to-destination", arg);
	d->flags |= id == O_RANDOM ? NAT_F_RANDOM : NAT_F_PERSISTENT;
	return 0;
}

static int dnat_final(struct ctg_mctx *c, void *data)
{
	return ctg_nat_final(c, data, "to-destination");
}

static void dnat_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_nat_emit(data, f, "to-destination", sb);
}

const struct ctg_target_ops ctg_target_DNAT = {
	.name = "DNAT",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct nat_data),
	.parse = dnat_parse,
	.final = dnat_final,
	.emit = dnat_emit,
	.verdict = CTG_V_ACCEPT,
	.tables = 1u << CTG_TABLE_NAT,
	.hooks = (1u << CTG_HOOK_PREROUTING) | (1u << CTG_HOOK_OUTPUT),
	.needs_ct = true,
};
