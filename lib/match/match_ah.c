// SPDX-License-Identifier: GPL-2.0-or-later
/* -m ah: AH SPI (libipt_ah.c, libip6t_ah.c; ipt_ah.c, ip6t_ah.c). Eval is unknown. */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mrange.h"
#include "mutil.h"

enum { O_AHLEN, O_AHRES, O_AHSPI };
enum { INV_SPI = 1, INV_LEN = 2 };

struct ah_data {
	uint32_t spis[2];
	uint32_t hdrlen;
	bool hdrres;
	uint8_t invflags;
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"ahlen", O_AHLEN, CTG_OPT_ARG | CTG_OPT_INV},
	{"ahres", O_AHRES, 0},
	{"ahspi", O_AHSPI, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {"ahlen", "ahres", "ahspi"};

static int ah_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		    const char *arg2)
{
	struct ah_data *d = data;
	uint64_t r[2];
	bool two;

	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	if (id != O_AHSPI && c->family != CTG_FAMILY_IPV6)
		return ctg_mctx_error(c, "unknown-option", NULL, "ah: --%s is IPv6 only",
				      names[id]);
	switch (id) {
	case O_AHSPI:
		if (ctg_mr_parse(arg, UINT32_MAX, r, &two))
			return ctg_mctx_error(c, "bad-value", "SPI or MIN:MAX",
					      "ah: invalid --ahspi \"%s\"", arg);
		d->spis[0] = r[0];
		d->spis[1] = r[1];
		d->invflags |= inv ? INV_SPI : 0;
		break;
	case O_AHLEN:
		if (ctg_mu_uint(arg, UINT32_MAX, &r[0]))
			return ctg_mctx_error(c, "bad-value", NULL, "ah: invalid --ahlen \"%s\"",
					      arg);
		d->hdrlen = r[0];
		d->invflags |= inv ? INV_LEN : 0;
		break;
	case O_AHRES:
		d->hdrres = true;
		break;
	}
	return 0;
}

static int ah_final(struct ctg_mctx *c, void *data)
{
	struct ah_data *d = data;

	if (!(d->seen & (1u << O_AHSPI)))
		d->spis[1] = UINT32_MAX;
	/* ipt_ah is bound to protocol 51; ip6t_ah walks extension headers */
	if (c->family == CTG_FAMILY_IPV4 && !ctg_mu_proto_is(c, 51))
		return ctg_mctx_error(c, "match-needs-proto", "add -p ah",
				      "ah match: only valid for protocol 51");
	return 0;
}

static void ah_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct ah_data *d = data;

	if (d->spis[0] != 0 || d->spis[1] != UINT32_MAX || (d->invflags & INV_SPI)) {
		ctg_mu_opt(sb, d->invflags & INV_SPI, "ahspi");
		ctg_sb_putc(sb, ' ');
		ctg_mu_range(sb, d->spis[0], d->spis[1], ':');
	}
	if (d->hdrlen || (d->invflags & INV_LEN)) {
		ctg_mu_opt(sb, d->invflags & INV_LEN, "ahlen");
		ctg_sb_printf(sb, " %u", d->hdrlen);
	}
	if (d->hdrres)
		ctg_sb_puts(sb, " --ahres");
}

static enum ctg_tri ah_eval(const void *data, const struct ctg_pkt *p,
			    const struct ctg_eval_env *env)
{
	if (p->family == CTG_FAMILY_IPV4 && (p->l4proto != 51 || p->fragment))
		return CTG_FALSE;
	return CTG_UNKNOWN; /* the SPI is not in the packet model */
}

const struct ctg_match_ops ctg_match_ah = {
	.name = "ah",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ah_data),
	.parse = ah_parse,
	.final = ah_final,
	.emit = ah_emit,
	.eval = ah_eval,
};
