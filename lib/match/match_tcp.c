// SPDX-License-Identifier: GPL-2.0-or-later
/* -m tcp: ports (mports.c), flags, option (libxt_tcp.c, xt_tcpudp.c). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mports.h"
#include "mutil.h"

enum { O_DPORT, O_SPORT, O_SYN, O_FLAGS, O_OPTION };
/* Bits 1 and 2 of invflags and seen are CTG_MPORTS_SPT and CTG_MPORTS_DPT. */
enum { INV_FLAGS = 4, INV_OPTION = 8 };
enum { SEEN_FLAGS = 4, SEEN_OPTION = 8 };

struct tcp_data {
	struct ctg_mports pt;
	uint8_t option;
	uint8_t flg_mask, flg_cmp;
	uint8_t invflags;
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"destination-port", O_DPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"dport", O_DPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"source-port", O_SPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"sport", O_SPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"syn", O_SYN, CTG_OPT_INV},
	{"tcp-flags", O_FLAGS, CTG_OPT_ARG2 | CTG_OPT_INV},
	{"tcp-option", O_OPTION, CTG_OPT_ARG | CTG_OPT_INV},
};

/* Print order of libxt_tcp's print_tcpf (ALL and NONE are parse-only). */
static const struct ctg_mu_name flag_names[] = {
	{"FIN", CTG_TH_FIN}, {"SYN", CTG_TH_SYN}, {"RST", CTG_TH_RST}, {"PSH", CTG_TH_PSH},
	{"ACK", CTG_TH_ACK}, {"URG", CTG_TH_URG}, {"ALL", 0x3f},       {"NONE", 0},
};
#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

static int parse_flags(struct ctg_mctx *c, const char *s, uint8_t *out)
{
	const char *bad = NULL;
	uint32_t v;

	if (ctg_mu_flags(s, flag_names, NFLAGS, true, &v, &bad))
		return ctg_mctx_error(c, "bad-tcp-flag",
				      "flags are FIN,SYN,RST,PSH,ACK,URG,ALL,NONE",
				      "unknown TCP flag \"%s\"", bad);
	*out = (uint8_t)v;
	return 0;
}

static int parse_flag_opt(struct ctg_mctx *c, struct tcp_data *d, unsigned id, const char *arg,
			  const char *arg2)
{
	if (d->seen & SEEN_FLAGS)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "only one of --syn or --tcp-flags allowed");
	d->seen |= SEEN_FLAGS;
	if (id == O_SYN) {
		d->flg_mask = CTG_TH_FIN | CTG_TH_SYN | CTG_TH_RST | CTG_TH_ACK;
		d->flg_cmp = CTG_TH_SYN;
		return 0;
	}
	if (!arg || !arg2)
		return ctg_mctx_error(c, "missing-argument", "--tcp-flags MASK COMP",
				      "--tcp-flags requires two arguments");
	if (parse_flags(c, arg, &d->flg_mask) || parse_flags(c, arg2, &d->flg_cmp))
		return -EINVAL;
	return 0;
}

static int parse_option(struct ctg_mctx *c, struct tcp_data *d, const char *arg)
{
	uint64_t v;

	if (ctg_mu_once(c, &d->seen, SEEN_OPTION, "tcp-option"))
		return -EINVAL;
	if (ctg_mu_uint(arg, UINT8_MAX, &v) || v < 1)
		return ctg_mctx_error(c, "bad-value", "a TCP option kind 1-255",
				      "bad TCP option \"%s\"", arg);
	d->option = (uint8_t)v;
	return 0;
}

static int tcp_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct tcp_data *d = data;

	switch (id) {
	case O_SPORT:
	case O_DPORT:
		return ctg_mports_parse(c, &d->pt, &d->seen, &d->invflags, id == O_SPORT, inv, arg,
					"tcp");
	case O_SYN:
	case O_FLAGS:
		d->invflags |= inv ? INV_FLAGS : 0;
		return parse_flag_opt(c, d, id, arg, arg2);
	case O_OPTION:
		d->invflags |= inv ? INV_OPTION : 0;
		return parse_option(c, d, arg);
	}
	return -EINVAL;
}

static int tcp_final(struct ctg_mctx *c, void *data)
{
	struct tcp_data *d = data;

	ctg_mports_final(&d->pt, d->seen);
	if (!ctg_mu_proto_is(c, 6))
		return ctg_mctx_error(c, "match-needs-proto", "add -p tcp",
				      "tcp match: only valid for protocol 6");
	return 0;
}

static void tcp_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct tcp_data *d = data;

	ctg_mports_emit(sb, &d->pt, d->invflags);
	if (d->option || (d->invflags & INV_OPTION)) {
		ctg_mu_opt(sb, d->invflags & INV_OPTION, "tcp-option");
		ctg_sb_printf(sb, " %u", d->option);
	}
	if (d->flg_mask || (d->invflags & INV_FLAGS)) {
		ctg_mu_opt(sb, d->invflags & INV_FLAGS, "tcp-flags");
		ctg_sb_putc(sb, ' ');
		ctg_mu_flag_list(sb, d->flg_mask, flag_names, 6, "NONE");
		ctg_sb_putc(sb, ' ');
		ctg_mu_flag_list(sb, d->flg_cmp, flag_names, 6, "NONE");
	}
}

static enum ctg_tri tcp_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	const struct tcp_data *d = data;

	if (p->fragment || p->l4proto != 6)
		return CTG_FALSE;
	if (!ctg_mports_match(&d->pt, d->invflags, p->sport, p->dport))
		return CTG_FALSE;
	if (((p->tcp_flags & d->flg_mask) == d->flg_cmp) == !!(d->invflags & INV_FLAGS))
		return CTG_FALSE;
	if (d->option || (d->invflags & INV_OPTION))
		return CTG_UNKNOWN; /* TCP options are not in the packet model */
	return CTG_TRUE;
}

const struct ctg_match_ops ctg_match_tcp = {
	.name = "tcp",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct tcp_data),
	.parse = tcp_parse,
	.final = tcp_final,
	.emit = tcp_emit,
	.eval = tcp_eval,
};
