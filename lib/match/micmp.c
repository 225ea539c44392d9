// SPDX-License-Identifier: GPL-2.0-or-later
/* The type option shared by -m icmp and -m icmp6 (see micmp.h). */
#include "micmp.h"

#include <errno.h>

int ctg_micmp_parse(struct ctg_mctx *c, const struct ctg_micmp_desc *m, struct ctg_micmp *d,
		    bool inv, const char *arg)
{
	int rc;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "%s: option \"--%s\" can only be used once", m->mod, m->opt);
	d->seen = true;
	d->inv = inv;
	rc = ctg_mu_icmp_type(arg, m->names, m->nnames, &d->type, d->code);
	if (rc == -EEXIST)
		return ctg_mctx_error(c, "bad-icmp-type", "spell the name out",
				      "ambiguous %s type \"%s\"", m->what, arg);
	if (rc)
		return ctg_mctx_error(c, "bad-icmp-type", "a name, TYPE or TYPE/CODE (0-255)",
				      "unknown %s type \"%s\"", m->what, arg);
	return 0;
}

int ctg_micmp_final(struct ctg_mctx *c, const struct ctg_micmp_desc *m, const struct ctg_micmp *d)
{
	if (!ctg_mu_proto_is(c, m->proto))
		return ctg_mctx_error(c, "match-needs-proto", m->need_proto,
				      "%s match: only valid for protocol %u", m->mod, m->proto);
	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", m->need_opt,
				      "%s match: \"--%s\" is required", m->mod, m->opt);
	return 0;
}

void ctg_micmp_emit(const struct ctg_micmp_desc *m, const struct ctg_micmp *d,
		    struct ctg_strbuf *sb)
{
	ctg_mu_opt(sb, d->inv, m->opt);
	if (m->any && d->type == 0xFF && d->code[0] == 0 && d->code[1] == 0xFF) {
		ctg_sb_puts(sb, " any");
		return;
	}
	ctg_sb_printf(sb, " %u", d->type);
	if (d->code[0] != 0 || d->code[1] != 0xFF)
		ctg_sb_printf(sb, "/%u", d->code[0]);
}

enum ctg_tri ctg_micmp_eval(const struct ctg_micmp_desc *m, const struct ctg_micmp *d,
			    const struct ctg_pkt *p)
{
	bool r;

	if (p->fragment || p->l4proto != m->proto)
		return CTG_FALSE;
	r = (m->any && d->type == 0xFF) ||
	    (p->icmp_type == d->type && p->icmp_code >= d->code[0] && p->icmp_code <= d->code[1]);
	return r != d->inv ? CTG_TRUE : CTG_FALSE;
}
