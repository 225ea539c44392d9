// SPDX-License-Identifier: GPL-2.0-or-later
/* -m ipvs: IPVS connection properties (libxt_ipvs.c, xt_ipvs.c). Eval is unknown. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "../ruleset/ir.h"
#include "../ruleset/parse.h"
#include "mutil.h"

/* XT_IPVS_* bits, also the option ids */
enum {
	B_IPVS = 1 << 0,
	B_PROTO = 1 << 1,
	B_VADDR = 1 << 2,
	B_VPORT = 1 << 3,
	B_DIR = 1 << 4,
	B_METHOD = 1 << 5,
	B_VPORTCTL = 1 << 6,
};

struct ipvs_data {
	struct ctg_addr vaddr, vmask;
	uint16_t vport, vportctl;
	uint8_t l4proto, method;
	uint8_t bitmask, invert;
};

static const struct ctg_opt opts[] = {
	{"ipvs", B_IPVS, CTG_OPT_INV},
	{"vaddr", B_VADDR, CTG_OPT_ARG | CTG_OPT_INV},
	{"vdir", B_DIR, CTG_OPT_ARG},
	{"vmethod", B_METHOD, CTG_OPT_ARG | CTG_OPT_INV},
	{"vport", B_VPORT, CTG_OPT_ARG | CTG_OPT_INV},
	{"vportctl", B_VPORTCTL, CTG_OPT_ARG | CTG_OPT_INV},
	{"vproto", B_PROTO, CTG_OPT_ARG | CTG_OPT_INV},
};

static const struct ctg_mu_name methods[] = {{"MASQ", 0}, {"IPIP", 2}, {"GATE", 3}};

static int ipvs_value(struct ctg_mctx *c, struct ipvs_data *d, unsigned id, const char *arg,
		      bool *dir_reply)
{
	int64_t v;

	switch (id) {
	case B_PROTO:
		return ctg_parse_proto(arg, &d->l4proto);
	case B_VADDR:
		return ctg_mu_addr_mask(c->family, arg, &d->vaddr, &d->vmask);
	case B_VPORT:
		return ctg_mu_port(arg, "tcp", &d->vport);
	case B_VPORTCTL:
		return ctg_mu_port(arg, "tcp", &d->vportctl);
	case B_DIR:
		if (strcasecmp(arg, "ORIGINAL") && strcasecmp(arg, "REPLY"))
			return -EINVAL;
		*dir_reply = !strcasecmp(arg, "REPLY");
		return 0;
	case B_METHOD:
		v = ctg_mu_lookup(arg, methods, 3, true);
		d->method = v;
		return v < 0 ? -EINVAL : 0;
	}
	return 0;
}

static int ipvs_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct ipvs_data *d = data;
	bool reply = false;

	if (d->bitmask & id & ~B_IPVS)
		return ctg_mctx_error(c, "duplicate-option", NULL, "ipvs: option given twice");
	if (ipvs_value(c, d, id, arg, &reply))
		return ctg_mctx_error(c, "bad-value", NULL, "ipvs: invalid value \"%s\"", arg);
	d->bitmask |= id;
	if (inv || reply)
		d->invert |= id;
	return 0;
}

static int ipvs_final(struct ctg_mctx *c, void *data)
{
	const struct ipvs_data *d = data;

	if (!d->bitmask)
		return ctg_mctx_error(c, "missing-option", "--ipvs, --vproto, --vaddr, ...",
				      "ipvs: no option given");
	return 0;
}

static void ipvs_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	static const char *const mnames[] = {"MASQ", "LOCALNODE", "IPIP", "GATE"};
	const struct ipvs_data *d = data;

	if (d->bitmask == B_IPVS) /* only printed alone, like libxt_ipvs */
		ctg_mu_opt(sb, d->invert & B_IPVS, "ipvs");
	if (d->bitmask & B_PROTO) {
		ctg_mu_opt(sb, d->invert & B_PROTO, "vproto");
		ctg_sb_printf(sb, " %u", d->l4proto);
	}
	if (d->bitmask & B_VADDR) {
		ctg_mu_opt(sb, d->invert & B_VADDR, "vaddr");
		ctg_sb_putc(sb, ' ');
		ctg_mu_addr(sb, f, &d->vaddr, &d->vmask);
	}
	if (d->bitmask & B_VPORT) {
		ctg_mu_opt(sb, d->invert & B_VPORT, "vport");
		ctg_sb_printf(sb, " %u", d->vport);
	}
	if (d->bitmask & B_DIR)
		ctg_sb_puts(sb, d->invert & B_DIR ? " --vdir REPLY" : " --vdir ORIGINAL");
	if (d->bitmask & B_METHOD) {
		ctg_mu_opt(sb, d->invert & B_METHOD, "vmethod");
		ctg_sb_printf(sb, " %s", mnames[d->method & 3]);
	}
	if (d->bitmask & B_VPORTCTL) {
		ctg_mu_opt(sb, d->invert & B_VPORTCTL, "vportctl");
		ctg_sb_printf(sb, " %u", d->vportctl);
	}
}

static enum ctg_tri ipvs_eval(const void *data, const struct ctg_pkt *p,
			      const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* IPVS state is not modelled */
}

const struct ctg_match_ops ctg_match_ipvs = {
	.name = "ipvs",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ipvs_data),
	.parse = ipvs_parse,
	.final = ipvs_final,
	.emit = ipvs_emit,
	.eval = ipvs_eval,
	.needs_ct = true,
};
