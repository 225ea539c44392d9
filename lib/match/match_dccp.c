// SPDX-License-Identifier: GPL-2.0-or-later
/* -m dccp: DCCP ports, packet types, option (libxt_dccp.c, xt_dccp.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* XT_DCCP_* flags; the option ids are the same bits */
enum { F_SRC = 1, F_DST = 2, F_TYPE = 4, F_OPTION = 8 };

struct dccp_data {
	uint16_t spts[2], dpts[2];
	uint16_t typemask;
	uint8_t option;
	uint8_t flags, invflags;
};

static const struct ctg_opt opts[] = {
	{"dccp-option", F_OPTION, CTG_OPT_ARG | CTG_OPT_INV},
	{"dccp-types", F_TYPE, CTG_OPT_ARG | CTG_OPT_INV},
	{"destination-port", F_DST, CTG_OPT_ARG | CTG_OPT_INV},
	{"dport", F_DST, CTG_OPT_ARG | CTG_OPT_INV},
	{"source-port", F_SRC, CTG_OPT_ARG | CTG_OPT_INV},
	{"sport", F_SRC, CTG_OPT_ARG | CTG_OPT_INV},
};

/* dccp_pkt_types[], bit i = DCCP packet type i */
static const struct ctg_mu_name types[] = {
	{"REQUEST", 1 << 0}, {"RESPONSE", 1 << 1}, {"DATA", 1 << 2},	 {"ACK", 1 << 3},
	{"DATAACK", 1 << 4}, {"CLOSEREQ", 1 << 5}, {"CLOSE", 1 << 6},	 {"RESET", 1 << 7},
	{"SYNC", 1 << 8},    {"SYNCACK", 1 << 9},  {"INVALID", 1 << 10},
};
#define NTYPES (sizeof(types) / sizeof(types[0]))

static int dccp_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct dccp_data *d = data;
	const char *bad = NULL;
	uint32_t mask = 0;
	uint64_t v;

	if (d->flags & id)
		return ctg_mctx_error(c, "duplicate-option", NULL, "dccp: option given twice");
	switch (id) {
	case F_SRC:
	case F_DST:
		if (ctg_mu_ports_arg(c, id == F_SRC ? "sport" : "dport", arg, "dccp",
				     id == F_SRC ? d->spts : d->dpts))
			return -EINVAL;
		break;
	case F_TYPE:
		if (ctg_mu_flags(arg, types, NTYPES, true, &mask, &bad))
			return ctg_mctx_error(c, "bad-value", "REQUEST,RESPONSE,DATA,ACK,...",
					      "dccp: unknown DCCP type \"%s\"", bad ? bad : arg);
		d->typemask = mask;
		break;
	case F_OPTION:
		if (ctg_mu_uint(arg, UINT8_MAX, &v) || v < 1)
			return ctg_mctx_error(c, "bad-value", "1-255",
					      "dccp: invalid --dccp-option \"%s\"", arg);
		d->option = v;
		break;
	}
	d->flags |= id;
	if (inv)
		d->invflags |= id;
	return 0;
}

static int dccp_final(struct ctg_mctx *c, void *data)
{
	if (!ctg_mu_proto_is(c, 33))
		return ctg_mctx_error(c, "match-needs-proto", "add -p dccp",
				      "dccp match: only valid for protocol 33");
	return 0;
}

static void emit_ports(struct ctg_strbuf *sb, const struct dccp_data *d, unsigned bit,
		       const char *name, const uint16_t r[2])
{
	if (!(d->flags & bit))
		return;
	ctg_mu_opt(sb, d->invflags & bit, name);
	ctg_sb_putc(sb, ' ');
	ctg_mu_range(sb, r[0], r[1], ':');
}

static void dccp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct dccp_data *d = data;

	emit_ports(sb, d, F_SRC, "sport", d->spts);
	emit_ports(sb, d, F_DST, "dport", d->dpts);
	if (d->flags & F_TYPE) {
		ctg_mu_opt(sb, d->invflags & F_TYPE, "dccp-types");
		ctg_sb_putc(sb, ' ');
		ctg_mu_flag_list(sb, d->typemask, types, NTYPES, "");
	}
	if (d->flags & F_OPTION) {
		ctg_mu_opt(sb, d->invflags & F_OPTION, "dccp-option");
		ctg_sb_printf(sb, " %u", d->option);
	}
}

static bool in_range(uint16_t v, const uint16_t r[2])
{
	return v >= r[0] && v <= r[1];
}

static enum ctg_tri dccp_eval(const void *data, const struct ctg_pkt *p,
			      const struct ctg_eval_env *env)
{
	const struct dccp_data *d = data;

	if (p->l4proto != 33 || p->fragment)
		return CTG_FALSE;
	if ((d->flags & F_SRC) && in_range(p->sport, d->spts) == !!(d->invflags & F_SRC))
		return CTG_FALSE;
	if ((d->flags & F_DST) && in_range(p->dport, d->dpts) == !!(d->invflags & F_DST))
		return CTG_FALSE;
	if (d->flags & (F_TYPE | F_OPTION))
		return CTG_UNKNOWN; /* DCCP header fields are not in the packet model */
	return CTG_TRUE;
}

const struct ctg_match_ops ctg_match_dccp = {
	.name = "dccp",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct dccp_data),
	.parse = dccp_parse,
	.final = dccp_final,
	.emit = dccp_emit,
	.eval = dccp_eval,
};
