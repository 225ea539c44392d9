// SPDX-License-Identifier: GPL-2.0-or-later
/* -j SNAT --to-source [a[-b]][:p[-q]] [--random] [--random-fully] [--persistent] (libxt_NAT). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "target_nat.h"

enum { O_PERSISTENT, O_RANDOM, O_RANDOM_FULLY, O_TO };

int ctg_nat_parse_range(struct ctg_mctx *c, struct nat_data *d, const char *opt, const char *arg)
{
	if (d->have_range)
		return ctg_mctx_error(c, "duplicate-option", NULL, "multiple --%s not supported",
				      opt);
	if (ctg_tu_nat_range(c, opt, arg, &d->r))
		return -EINVAL;
	d->have_range = true;
	return 0;
}

int ctg_nat_final(struct ctg_mctx *c, struct nat_data *d, const char *opt)
{
	if (!d->have_range)
		return ctg_mctx_error(c, "missing-option", NULL, "missing --%s", opt);
	return 0;
}

void ctg_nat_emit(const struct nat_data *d, enum ctg_family f, const char *opt,
		  struct ctg_strbuf *sb)
{
	if (d->have_range) {
		ctg_sb_printf(sb, " --%s ", opt);
		ctg_tu_nat_range_emit(sb, f, &d->r);
	}
	if (d->flags & NAT_F_RANDOM)
		ctg_sb_puts(sb, " --random");
	if (d->flags & NAT_F_RANDOM_FULLY)
		ctg_sb_puts(sb, " --random-fully");
	if (d->flags & NAT_F_PERSISTENT)
		ctg_sb_puts(sb, " --persistent");
}

static const struct ctg_opt opts[] = {
	{"persistent", O_PERSISTENT, 0},
	{"random", O_RANDOM, 0},
	{"random-fully", O_RANDOM_FULLY, 0},
	{"to-source", O_TO, CTG_OPT_ARG},
};

static int snat_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct nat_data *d = data;

	switch (id) {
	case O_TO:
		return ctg_nat_parse_range(c, d, "to-source", arg);
	case O_RANDOM:
		d->flags |= NAT_F_RANDOM;
		return 0;
	case O_RANDOM_FULLY:
		d->flags |= NAT_F_RANDOM_FULLY;
		return 0;
	default:
		d->flags |= NAT_F_PERSISTENT;
		return 0;
	}
}

static int snat_final(struct ctg_mctx *c, void *data)
{
	return ctg_nat_final(c, data, "to-source");
}

static void snat_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	ctg_nat_emit(data, f, "to-source", sb);
}

const struct ctg_target_ops ctg_target_SNAT = {
	.name = "SNAT",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct nat_data),
	.parse = snat_parse,
	.final = snat_final,
	.emit = snat_emit,
	.verdict = CTG_V_ACCEPT,
	.tables = 1u << CTG_TABLE_NAT,
	.hooks = (1u << CTG_HOOK_POSTROUTING) | (1u << CTG_HOOK_INPUT),
	.needs_ct = true,
};
