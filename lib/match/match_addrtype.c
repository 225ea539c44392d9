// SPDX-License-Identifier: GPL-2.0-or-later
/* -m addrtype, revision 1 (libxt_addrtype.c, xt_addrtype.c). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_DST, O_IN, O_OUT, O_SRC };

struct addrtype_data {
	uint16_t src, dst; /* CTG_RTN_* */
	unsigned seen;
	bool inv_src, inv_dst;
};

static const struct ctg_opt opts[] = {
	{"dst-type", O_DST, CTG_OPT_ARG | CTG_OPT_INV},
	{"limit-iface-in", O_IN, 0},
	{"limit-iface-out", O_OUT, 0},
	{"src-type", O_SRC, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {"dst-type", "limit-iface-in", "limit-iface-out", "src-type"};

static const struct ctg_mu_name types[] = {
	{"UNSPEC", CTG_RTN_UNSPEC},
	{"UNICAST", CTG_RTN_UNICAST},
	{"LOCAL", CTG_RTN_LOCAL},
	{"BROADCAST", CTG_RTN_BROADCAST},
	{"ANYCAST", CTG_RTN_ANYCAST},
	{"MULTICAST", CTG_RTN_MULTICAST},
	{"BLACKHOLE", CTG_RTN_BLACKHOLE},
	{"UNREACHABLE", CTG_RTN_UNREACHABLE},
	{"PROHIBIT", CTG_RTN_PROHIBIT},
	{"THROW", CTG_RTN_THROW},
	{"NAT", CTG_RTN_NAT},
	{"XRESOLVE", CTG_RTN_XRESOLVE},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static int addrtype_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			  const char *arg2)
{
	struct addrtype_data *d = data;
	const char *bad = NULL;
	uint32_t v;

	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	if (id == O_IN || id == O_OUT) {
		if (d->seen & (1u << O_IN) && d->seen & (1u << O_OUT))
			return ctg_mctx_error(c, "conflicting-options", NULL,
					      "addrtype: you can't specify both --limit-iface-in "
					      "and --limit-iface-out");
		return 0;
	}
	if (ctg_mu_flags(arg, types, NTYPES, true, &v, &bad))
		return ctg_mctx_error(c, "bad-value",
				      "UNSPEC, UNICAST, LOCAL, BROADCAST, ANYCAST, MULTICAST, "
				      "BLACKHOLE, UNREACHABLE, PROHIBIT, THROW, NAT, XRESOLVE",
				      "addrtype: bad type \"%s\"", bad);
	if (id == O_SRC) {
		d->src = (uint16_t)v;
		d->inv_src = inv;
	} else {
		d->dst = (uint16_t)v;
		d->inv_dst = inv;
	}
	return 0;
}

static bool chain_is(const struct ctg_mctx *c, const char *a, const char *b)
{
	return c->chain && (!strcmp(c->chain, a) || !strcmp(c->chain, b));
}

static int addrtype_final(struct ctg_mctx *c, void *data)
{
	const struct addrtype_data *d = data;

	if (!(d->seen & ((1u << O_SRC) | (1u << O_DST))))
		return ctg_mctx_error(c, "missing-option", "add --src-type or --dst-type",
				      "addrtype: you must specify --src-type or --dst-type");
	if ((d->seen & (1u << O_IN)) && chain_is(c, "OUTPUT", "POSTROUTING"))
		return ctg_mctx_error(c, "bad-hook", "use --limit-iface-out here",
				      "addrtype: --limit-iface-in is not valid in %s", c->chain);
	if ((d->seen & (1u << O_OUT)) && chain_is(c, "PREROUTING", "INPUT"))
		return ctg_mctx_error(c, "bad-hook", "use --limit-iface-in here",
				      "addrtype: --limit-iface-out is not valid in %s", c->chain);
	return 0;
}

static void addrtype_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct addrtype_data *d = data;

	if (d->seen & (1u << O_SRC)) {
		ctg_mu_opt(sb, d->inv_src, "src-type");
		ctg_sb_putc(sb, ' ');
		ctg_mu_flag_list(sb, d->src, types, NTYPES, "");
	}
	if (d->seen & (1u << O_DST)) {
		ctg_mu_opt(sb, d->inv_dst, "dst-type");
		ctg_sb_putc(sb, ' ');
		ctg_mu_flag_list(sb, d->dst, types, NTYPES, "");
	}
	if (d->seen & (1u << O_IN))
		ctg_sb_puts(sb, " --limit-iface-in");
	if (d->seen & (1u << O_OUT))
		ctg_sb_puts(sb, " --limit-iface-out");
}

static enum ctg_tri test(uint16_t want, bool inv, uint16_t have)
{
	if (!have)
		return CTG_UNKNOWN;
	return ((want & have) != 0) != inv ? CTG_TRUE : CTG_FALSE;
}

static enum ctg_tri addrtype_eval(const void *data, const struct ctg_pkt *p,
				  const struct ctg_eval_env *env)
{
	const struct addrtype_data *d = data;
	enum ctg_tri s = CTG_TRUE, t = CTG_TRUE;

	if (d->seen & ((1u << O_IN) | (1u << O_OUT)))
		return CTG_UNKNOWN; /* per-interface route lookup is not modelled */
	if (d->seen & (1u << O_SRC))
		s = test(d->src, d->inv_src, p->src_type);
	if (d->seen & (1u << O_DST))
		t = test(d->dst, d->inv_dst, p->dst_type);
	if (s == CTG_FALSE || t == CTG_FALSE)
		return CTG_FALSE;
	return s == CTG_TRUE && t == CTG_TRUE ? CTG_TRUE : CTG_UNKNOWN;
}

const struct ctg_match_ops ctg_match_addrtype = {
	.name = "addrtype",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct addrtype_data),
	.parse = addrtype_parse,
	.final = addrtype_final,
	.emit = addrtype_emit,
	.eval = addrtype_eval,
};
