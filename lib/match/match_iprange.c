// SPDX-License-Identifier: GPL-2.0-or-later
/* -m iprange --src-range/--dst-range A-B (libxt_iprange.c, xt_iprange.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_DST, O_SRC };

struct iprange_data {
	struct ctg_addr lo[2], hi[2]; /* [O_DST], [O_SRC] */
	unsigned seen, inv;
};

static const struct ctg_opt opts[] = {
	{"dst-range", O_DST, CTG_OPT_ARG | CTG_OPT_INV},
	{"src-range", O_SRC, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {"dst-range", "src-range"};

static int iprange_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			 const char *arg2)
{
	struct iprange_data *d = data;
	const char *dash = strchr(arg, '-');
	char lo[CTG_ADDRSTRLEN + 1];
	size_t n = dash ? (size_t)(dash - arg) : strlen(arg);

	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	d->inv |= inv ? 1u << id : 0;
	snprintf(lo, sizeof(lo), "%.*s", (int)n, arg);
	if (n >= sizeof(lo) || ctg_addr_parse(c->family, lo, &d->lo[id]) ||
	    ctg_addr_parse(c->family, dash ? dash + 1 : lo, &d->hi[id]))
		return ctg_mctx_error(c, "bad-address", "FROM-TO with numeric addresses",
				      "--%s: bad address range \"%s\"", names[id], arg);
	return 0;
}

static int iprange_final(struct ctg_mctx *c, void *data)
{
	const struct iprange_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(
			c, "missing-option", "add --src-range or --dst-range",
			"iprange match: one of --src-range or --dst-range is required");
	return 0;
}

static void emit_range(const struct iprange_data *d, unsigned id, enum ctg_family f,
		       struct ctg_strbuf *sb)
{
	char a[CTG_ADDRSTRLEN], b[CTG_ADDRSTRLEN];

	if (!(d->seen & (1u << id)))
		return;
	ctg_mu_opt(sb, d->inv & (1u << id), names[id]);
	ctg_sb_printf(sb, " %s-%s", ctg_addr_format(f, &d->lo[id], a, sizeof(a)),
		      ctg_addr_format(f, &d->hi[id], b, sizeof(b)));
}

static void iprange_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	emit_range(data, O_SRC, f, sb);
	emit_range(data, O_DST, f, sb);
}

static bool in_range(const struct ctg_addr *a, const struct ctg_addr *lo, const struct ctg_addr *hi)
{
	return memcmp(a->b, lo->b, 16) >= 0 && memcmp(a->b, hi->b, 16) <= 0;
}

static enum ctg_tri iprange_eval(const void *data, const struct ctg_pkt *p,
				 const struct ctg_eval_env *env)
{
	const struct iprange_data *d = data;

	if ((d->seen & (1u << O_SRC)) &&
	    in_range(&p->src, &d->lo[O_SRC], &d->hi[O_SRC]) == !!(d->inv & (1u << O_SRC)))
		return CTG_FALSE;
	if ((d->seen & (1u << O_DST)) &&
	    in_range(&p->dst, &d->lo[O_DST], &d->hi[O_DST]) == !!(d->inv & (1u << O_DST)))
		return CTG_FALSE;
	return CTG_TRUE;
}

const struct ctg_match_ops ctg_match_iprange = {
	.name = "iprange",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct iprange_data),
	.parse = iprange_parse,
	.final = iprange_final,
	.emit = iprange_emit,
	.eval = iprange_eval,
};
