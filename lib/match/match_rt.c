// SPDX-License-Identifier: GPL-2.0-or-later
/* -m rt: IPv6 routing header (libip6t_rt.c, ip6t_rt.c). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mrange.h"
#include "mutil.h"

enum { O_NOT_STRICT, O_ADDRS, O_RES, O_LEN, O_SEGSLEFT, O_TYPE };
/* IP6T_RT_* flags and IP6T_RT_INV_* */
enum { F_TYP = 1, F_SGS = 2, F_LEN = 4, F_RES = 8, F_FST = 16, F_NSTRICT = 32 };
enum { INV_TYP = 1, INV_SGS = 2, INV_LEN = 4 };

#define RT_ADDRS_MAX 16

struct rt_data {
	uint32_t type, len;
	uint32_t segsleft[2];
	uint8_t flags, invflags;
	uint8_t naddrs;
	struct ctg_addr addrs[RT_ADDRS_MAX];
};

static const struct ctg_opt opts[] = {
	{"rt-0-addrs", O_ADDRS, CTG_OPT_ARG},
	{"rt-0-not-strict", O_NOT_STRICT, 0},
	{"rt-0-res", O_RES, 0},
	{"rt-len", O_LEN, CTG_OPT_ARG | CTG_OPT_INV},
	{"rt-segsleft", O_SEGSLEFT, CTG_OPT_ARG | CTG_OPT_INV},
	{"rt-type", O_TYPE, CTG_OPT_ARG | CTG_OPT_INV},
};

static const uint8_t flag_of[] = {
	[O_NOT_STRICT] = F_NSTRICT, [O_ADDRS] = F_FST, [O_RES] = F_RES, [O_LEN] = F_LEN,
	[O_SEGSLEFT] = F_SGS,	    [O_TYPE] = F_TYP};

static int parse_addrs(struct ctg_mctx *c, struct rt_data *d, const char *s)
{
	char buf[CTG_ADDRSTRLEN];
	const char *comma;
	size_t n;

	for (d->naddrs = 0; *s; s = comma ? comma + 1 : s + n) {
		comma = strchr(s, ',');
		n = comma ? (size_t)(comma - s) : strlen(s);
		if (d->naddrs == RT_ADDRS_MAX || n >= sizeof(buf))
			return ctg_mctx_error(c, "bad-value", NULL, "rt: too many addresses");
		memcpy(buf, s, n);
		buf[n] = '\0';
		if (ctg_addr_parse(10, buf, &d->addrs[d->naddrs++]))
			return ctg_mctx_error(c, "bad-value", NULL, "rt: bad address \"%s\"", buf);
		if (!comma)
			break;
	}
	return 0;
}

static int parse_u32(struct ctg_mctx *c, const char *arg, uint32_t *out)
{
	uint64_t v;

	if (ctg_mu_uint(arg, UINT32_MAX, &v))
		return ctg_mctx_error(c, "bad-value", NULL, "rt: invalid value \"%s\"", arg);
	*out = v;
	return 0;
}

static int rt_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		    const char *arg2)
{
	struct rt_data *d = data;
	uint64_t r[2];
	bool two;
	int err;

	if (d->flags & flag_of[id])
		return ctg_mctx_error(c, "duplicate-option", NULL, "rt: option given twice");
	d->flags |= flag_of[id];
	switch (id) {
	case O_TYPE:
		d->invflags |= inv ? INV_TYP : 0;
		return parse_u32(c, arg, &d->type);
	case O_LEN:
		d->invflags |= inv ? INV_LEN : 0;
		return parse_u32(c, arg, &d->len);
	case O_SEGSLEFT:
		d->invflags |= inv ? INV_SGS : 0;
		err = ctg_mr_parse(arg, UINT32_MAX, r, &two);
		d->segsleft[0] = r[0];
		d->segsleft[1] = r[1];
		if (err)
			return ctg_mctx_error(c, "bad-value", "N or MIN:MAX",
					      "rt: invalid --rt-segsleft \"%s\"", arg);
		return 0;
	case O_ADDRS:
		return parse_addrs(c, d, arg);
	}
	return 0;
}

static int rt_final(struct ctg_mctx *c, void *data)
{
	struct rt_data *d = data;

	if (!(d->flags & F_SGS))
		d->segsleft[1] = UINT32_MAX;
	d->flags &= ~F_SGS; /* kernel keeps the range, not a flag */
	if ((d->flags & F_NSTRICT) && !(d->flags & F_FST))
		return ctg_mctx_error(c, "missing-option", "--rt-0-addrs",
				      "rt: --rt-0-not-strict needs --rt-0-addrs");
	if ((d->flags & (F_RES | F_FST)) &&
	    (!(d->flags & F_TYP) || d->type != 0 || (d->invflags & INV_TYP)))
		return ctg_mctx_error(c, "missing-option", "--rt-type 0",
				      "rt: --rt-type 0 required before --rt-0-*");
	return 0;
}

static void rt_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct rt_data *d = data;
	char buf[CTG_ADDRSTRLEN];

	if (d->flags & F_TYP)
		ctg_sb_printf(sb, "%s --rt-type %u", d->invflags & INV_TYP ? " !" : "", d->type);
	if (d->segsleft[0] != 0 || d->segsleft[1] != UINT32_MAX || (d->invflags & INV_SGS)) {
		ctg_sb_printf(sb, "%s --rt-segsleft ", d->invflags & INV_SGS ? " !" : "");
		ctg_mu_range(sb, d->segsleft[0], d->segsleft[1], ':');
	}
	if (d->flags & F_LEN)
		ctg_sb_printf(sb, "%s --rt-len %u", d->invflags & INV_LEN ? " !" : "", d->len);
	if (d->flags & F_RES)
		ctg_sb_puts(sb, " --rt-0-res");
	if (d->flags & F_FST) {
		ctg_sb_puts(sb, " --rt-0-addrs ");
		for (unsigned i = 0; i < d->naddrs; i++)
			ctg_sb_printf(sb, "%s%s", i ? "," : "",
				      ctg_addr_format(10, &d->addrs[i], buf, sizeof(buf)));
	}
	if (d->flags & F_NSTRICT)
		ctg_sb_puts(sb, " --rt-0-not-strict");
}

static enum ctg_tri rt_eval(const void *data, const struct ctg_pkt *p,
			    const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* extension headers are not in the packet model */
}

const struct ctg_match_ops ctg_match_rt = {
	.name = "rt",
	.family_mask = 2,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct rt_data),
	.parse = rt_parse,
	.final = rt_final,
	.emit = rt_emit,
	.eval = rt_eval,
};
