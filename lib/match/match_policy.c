// SPDX-License-Identifier: GPL-2.0-or-later
/* -m policy: IPsec policy of the packet (libxt_policy.c, xt_policy.c). Eval is unknown. */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_DIR, O_MODE, O_NEXT, O_POL, O_PROTO, O_REQID, O_SPI, O_STRICT, O_TDST, O_TSRC };
/* element fields, in print order */
enum { E_REQID, E_SPI, E_PROTO, E_MODE, E_DADDR, E_SADDR };
enum { POL_IN = 1, POL_OUT = 2, POL_NONE = 4, POL_STRICT = 8 };
enum { MODE_TRANSPORT, MODE_TUNNEL };

#define POL_MAX_ELEM 4

struct policy_elem {
	struct ctg_addr saddr, smask, daddr, dmask;
	uint32_t reqid, spi;
	uint8_t proto, mode;
	uint8_t match, invert; /* bits 1 << E_* */
};

struct policy_data {
	struct policy_elem pol[POL_MAX_ELEM];
	uint8_t len, flags;
	bool next_seen;
};

static const struct ctg_opt opts[] = {
	{"dir", O_DIR, CTG_OPT_ARG | CTG_OPT_INV},
	{"mode", O_MODE, CTG_OPT_ARG | CTG_OPT_INV | CTG_OPT_MULTI},
	{"next", O_NEXT, CTG_OPT_MULTI},
	{"pol", O_POL, CTG_OPT_ARG},
	{"proto", O_PROTO, CTG_OPT_ARG | CTG_OPT_INV | CTG_OPT_MULTI},
	{"reqid", O_REQID, CTG_OPT_ARG | CTG_OPT_INV | CTG_OPT_MULTI},
	{"spi", O_SPI, CTG_OPT_ARG | CTG_OPT_INV | CTG_OPT_MULTI},
	{"strict", O_STRICT, 0},
	{"tunnel-dst", O_TDST, CTG_OPT_ARG | CTG_OPT_INV | CTG_OPT_MULTI},
	{"tunnel-src", O_TSRC, CTG_OPT_ARG | CTG_OPT_INV | CTG_OPT_MULTI},
};

static const struct ctg_mu_name protos[] = {
	{"esp", 50}, {"ah", 51}, {"ipcomp", 108}, {"50", 50}, {"51", 51}, {"108", 108},
};

static const uint8_t elem_of[] = {[O_MODE] = E_MODE, [O_PROTO] = E_PROTO, [O_REQID] = E_REQID,
				  [O_SPI] = E_SPI,   [O_TDST] = E_DADDR,  [O_TSRC] = E_SADDR};
static const char *const elem_names[] = {"reqid", "spi",	"proto",
					 "mode",  "tunnel-dst", "tunnel-src"};

static int parse_flag(struct ctg_mctx *c, struct policy_data *d, unsigned id, const char *arg)
{
	if (id == O_DIR && (!strcmp(arg, "in") || !strcmp(arg, "out")))
		d->flags |= !strcmp(arg, "in") ? POL_IN : POL_OUT;
	else if (id == O_POL && (!strcmp(arg, "none") || !strcmp(arg, "ipsec")))
		d->flags |= !strcmp(arg, "none") ? POL_NONE : 0;
	else if (id == O_DIR || id == O_POL)
		return ctg_mctx_error(c, "bad-value", id == O_DIR ? "in or out" : "none or ipsec",
				      "policy: invalid %s \"%s\"", id == O_DIR ? "dir" : "policy",
				      arg);
	else if (id == O_STRICT)
		d->flags |= POL_STRICT;
	else if (++d->len == POL_MAX_ELEM) /* O_NEXT */
		return ctg_mctx_error(c, "bad-value", NULL, "policy: maximum policy depth reached");
	if (id == O_NEXT)
		d->next_seen = true;
	return 0;
}

/* XTTYPE_HOSTMASK: a mask that is not a prefix ends up as a full one. */
static int parse_host(int family, const char *arg, struct ctg_addr *a, struct ctg_addr *m)
{
	if (ctg_mu_addr_mask(family, arg, a, m))
		return -EINVAL;
	if (ctg_addr_mask_len(family, m) < 0)
		ctg_addr_mask_from_len(family, family == 10 ? 128 : 32, m);
	return 0;
}

static int parse_elem(struct ctg_mctx *c, struct policy_elem *e, unsigned id, int family,
		      const char *arg)
{
	uint64_t v;
	int64_t n;

	switch (id) {
	case O_REQID:
	case O_SPI:
		if (ctg_mu_uint(arg, UINT32_MAX, &v))
			return -EINVAL;
		*(id == O_REQID ? &e->reqid : &e->spi) = v;
		return 0;
	case O_PROTO:
		n = ctg_mu_lookup(arg, protos, sizeof(protos) / sizeof(protos[0]), false);
		e->proto = n;
		return n < 0 ? -EINVAL : 0;
	case O_MODE:
		if (strcmp(arg, "transport") && strcmp(arg, "tunnel"))
			return -EINVAL;
		e->mode = !strcmp(arg, "tunnel") ? MODE_TUNNEL : MODE_TRANSPORT;
		return 0;
	case O_TSRC:
		return parse_host(family, arg, &e->saddr, &e->smask);
	default:
		return parse_host(family, arg, &e->daddr, &e->dmask);
	}
}

static int policy_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct policy_data *d = data;
	struct policy_elem *e = &d->pol[d->len];
	unsigned bit;

	if (id == O_DIR || id == O_POL || id == O_STRICT || id == O_NEXT)
		return parse_flag(c, d, id, arg);
	bit = 1u << elem_of[id];
	if (e->match & bit)
		return ctg_mctx_error(c, "duplicate-option", "use --next for another element",
				      "policy match: double --%s option", elem_names[elem_of[id]]);
	if (parse_elem(c, e, id, c->family, arg))
		return ctg_mctx_error(c, "bad-value", id == O_PROTO ? "ah, esp or ipcomp" : NULL,
				      "policy: invalid --%s \"%s\"", elem_names[elem_of[id]], arg);
	e->match |= bit;
	if (inv)
		e->invert |= bit;
	return 0;
}

static int check_chain(struct ctg_mctx *c, const struct policy_data *d)
{
	const char *ch = c->chain ? c->chain : "";
	bool in_only = !strcmp(ch, "PREROUTING") || !strcmp(ch, "INPUT");
	bool out_only = !strcmp(ch, "POSTROUTING") || !strcmp(ch, "OUTPUT");

	if ((d->flags & POL_OUT) && in_only)
		return ctg_mctx_error(c, "bad-chain", NULL,
				      "policy: output policy not valid in PREROUTING and INPUT");
	if ((d->flags & POL_IN) && out_only)
		return ctg_mctx_error(c, "bad-chain", NULL,
				      "policy: input policy not valid in POSTROUTING and OUTPUT");
	return 0;
}

static int check_elem(struct ctg_mctx *c, const struct policy_data *d, unsigned i)
{
	const struct policy_elem *e = &d->pol[i];
	bool addr = e->match & ((1u << E_SADDR) | (1u << E_DADDR));
	bool inv_mode = e->invert & (1u << E_MODE);

	if ((d->flags & POL_STRICT) && !e->match)
		return ctg_mctx_error(c, "missing-option",
				      "give --reqid, --spi, --proto, --mode ...",
				      "policy: empty policy element %u with --strict", i);
	if (addr &&
	    ((e->mode == MODE_TUNNEL && inv_mode) || (e->mode == MODE_TRANSPORT && !inv_mode)))
		return ctg_mctx_error(c, "bad-value", "add --mode tunnel",
				      "policy: --tunnel-src/--tunnel-dst is only valid in tunnel "
				      "mode");
	return 0;
}

static int policy_final(struct ctg_mctx *c, void *data)
{
	struct policy_data *d = data;

	if (!(d->flags & (POL_IN | POL_OUT)))
		return ctg_mctx_error(c, "missing-option", "--dir in or --dir out",
				      "policy: neither --dir in nor --dir out specified");
	if (d->next_seen && !(d->flags & POL_STRICT))
		return ctg_mctx_error(c, "missing-option", "add --strict",
				      "policy: --next requires --strict");
	if (d->flags & POL_NONE) {
		if (d->flags & POL_STRICT)
			return ctg_mctx_error(c, "conflicting-options", NULL,
					      "policy: policy none but --strict given");
		if (d->len)
			return ctg_mctx_error(c, "conflicting-options", NULL,
					      "policy: policy none but policy given");
	} else {
		d->len++;
	}
	for (unsigned i = 0; i < d->len; i++)
		if (check_elem(c, d, i))
			return -EINVAL;
	return check_chain(c, d);
}

static void emit_elem(struct ctg_strbuf *sb, const struct policy_elem *e, int family)
{
	for (unsigned k = E_REQID; k <= E_SADDR; k++) {
		if (!(e->match & (1u << k)))
			continue;
		ctg_mu_opt(sb, e->invert & (1u << k), elem_names[k]);
		if (k == E_REQID)
			ctg_sb_printf(sb, " %u", e->reqid);
		else if (k == E_SPI)
			ctg_sb_printf(sb, " 0x%x", e->spi);
		else if (k == E_PROTO)
			ctg_sb_printf(sb, " %s",
				      e->proto == 50   ? "esp"
				      : e->proto == 51 ? "ah"
						       : "ipcomp");
		else if (k == E_MODE)
			ctg_sb_puts(sb, e->mode == MODE_TUNNEL ? " tunnel" : " transport");
		else {
			ctg_sb_putc(sb, ' ');
			if (k == E_DADDR)
				ctg_mu_addr(sb, family, &e->daddr, &e->dmask);
			else
				ctg_mu_addr(sb, family, &e->saddr, &e->smask);
		}
	}
}

static void policy_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct policy_data *d = data;

	ctg_sb_puts(sb, d->flags & POL_IN ? " --dir in" : " --dir out");
	ctg_sb_puts(sb, d->flags & POL_NONE ? " --pol none" : " --pol ipsec");
	if (d->flags & POL_STRICT)
		ctg_sb_puts(sb, " --strict");
	for (unsigned i = 0; i < d->len; i++) {
		emit_elem(sb, &d->pol[i], f);
		if (i + 1 < d->len)
			ctg_sb_puts(sb, " --next");
	}
}

static enum ctg_tri policy_eval(const void *data, const struct ctg_pkt *p,
				const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* IPsec state (sec_path / xfrm dst) is not in the packet model */
}

const struct ctg_match_ops ctg_match_policy = {
	.name = "policy",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct policy_data),
	.parse = policy_parse,
	.final = policy_final,
	.emit = policy_emit,
	.eval = policy_eval,
};
