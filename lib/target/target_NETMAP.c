// SPDX-License-Identifier: GPL-2.0-or-later
/* -j NETMAP --to addr[/mask]: 1:1 network mapping (libxt_NETMAP). */
#include <errno.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"

enum { O_TO };

struct netmap_data {
	struct ctg_addr addr, mask;
	bool set;
};

static const struct ctg_opt opts[] = {
	{"to", O_TO, CTG_OPT_ARG},
};

static int netmap_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct netmap_data *d = data;

	if (ctg_mu_addr_mask(c->family, arg, &d->addr, &d->mask) ||
	    ctg_addr_mask_len(c->family, &d->mask) < 0)
		return ctg_mctx_error(c, "bad-argument", NULL, "bad network \"%s\" for --to", arg);
	for (int i = 0; i < 4; i++)
		d->addr.w[i] &= d->mask.w[i];
	d->set = true;
	return 0;
}

static int netmap_final(struct ctg_mctx *c, void *data)
{
	const struct netmap_data *d = data;

	if (!d->set)
		return ctg_mctx_error(c, "missing-option", NULL, "NETMAP needs --to");
	return 0;
}

static void netmap_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct netmap_data *d = data;
	char buf[CTG_ADDRSTRLEN];

	ctg_sb_printf(sb, " --to %s/%d", ctg_addr_format(f, &d->addr, buf, sizeof(buf)),
		      ctg_addr_mask_len(f, &d->mask));
}

const struct ctg_target_ops ctg_target_NETMAP = {
	.name = "NETMAP",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct netmap_data),
	.parse = netmap_parse,
	.final = netmap_final,
	.emit = netmap_emit,
	.verdict = CTG_V_ACCEPT,
	.tables = 1u << CTG_TABLE_NAT,
	.needs_ct = true,
};
