// SPDX-License-Identifier: GPL-2.0-or-later
/* -m connlimit: connections per address group (libxt_connlimit.c rev 1, xt_connlimit.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_ABOVE, O_DADDR, O_MASK, O_SADDR, O_UPTO };

struct connlimit_data {
	uint32_t limit;
	uint8_t mask; /* prefix length */
	bool upto;    /* XT_CONNLIMIT_INVERT */
	bool daddr;
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"connlimit-above", O_ABOVE, CTG_OPT_ARG | CTG_OPT_INV},
	{"connlimit-daddr", O_DADDR, 0},
	{"connlimit-mask", O_MASK, CTG_OPT_ARG},
	{"connlimit-saddr", O_SADDR, 0},
	{"connlimit-upto", O_UPTO, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {"connlimit-above", "connlimit-daddr", "connlimit-mask",
				    "connlimit-saddr", "connlimit-upto"};

static int connlimit_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			   const char *arg2)
{
	struct connlimit_data *d = data;
	uint64_t v;

	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	if ((id == O_ABOVE && (d->seen & (1u << O_UPTO))) ||
	    (id == O_UPTO && (d->seen & (1u << O_ABOVE))) ||
	    (id == O_SADDR && (d->seen & (1u << O_DADDR))) ||
	    (id == O_DADDR && (d->seen & (1u << O_SADDR))))
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "connlimit: --%s conflicts with an earlier option",
				      names[id]);
	switch (id) {
	case O_ABOVE:
	case O_UPTO:
		if (ctg_mu_uint(arg, UINT32_MAX, &v))
			return ctg_mctx_error(c, "bad-value", "a count 0-4294967295",
					      "connlimit: invalid value \"%s\" for --%s", arg,
					      names[id]);
		d->limit = v;
		d->upto = (id == O_UPTO) != inv;
		break;
	case O_MASK:
		/* iptables clamps IPv4 lengths to 32; ip6tables rejects more than 128 */
		if (ctg_mu_uint(arg, c->family == CTG_FAMILY_IPV6 ? 128 : UINT32_MAX, &v))
			return ctg_mctx_error(c, "bad-value", NULL,
					      "connlimit: invalid prefix length \"%s\"", arg);
		d->mask = c->family == CTG_FAMILY_IPV6 || v < 32 ? v : 32;
		break;
	case O_DADDR:
		d->daddr = true;
		break;
	}
	return 0;
}

static int connlimit_final(struct ctg_mctx *c, void *data)
{
	struct connlimit_data *d = data;

	if (!(d->seen & ((1u << O_ABOVE) | (1u << O_UPTO))))
		return ctg_mctx_error(
			c, "missing-option", "--connlimit-above N or --connlimit-upto N",
			"connlimit: --connlimit-above or --connlimit-upto is required");
	if (!(d->seen & (1u << O_MASK)))
		d->mask = c->family == CTG_FAMILY_IPV6 ? 128 : 32;
	return 0;
}

static void connlimit_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct connlimit_data *d = data;

	ctg_sb_printf(sb, " --connlimit-%s %u --connlimit-mask %u --connlimit-%s",
		      d->upto ? "upto" : "above", d->limit, d->mask, d->daddr ? "daddr" : "saddr");
}

static enum ctg_tri connlimit_eval(const void *data, const struct ctg_pkt *p,
				   const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* counts live connections per group: not in the packet model */
}

const struct ctg_match_ops ctg_match_connlimit = {
	.name = "connlimit",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct connlimit_data),
	.parse = connlimit_parse,
	.final = connlimit_final,
	.emit = connlimit_emit,
	.eval = connlimit_eval,
	.needs_ct = true,
};
