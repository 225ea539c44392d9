// SPDX-License-Identifier: GPL-2.0-or-later
/* The comparison shared by -m ttl and -m hl (see mcmp.h). */
#include "mcmp.h"

#include "mutil.h"

enum { M_EQ, M_NE, M_LT, M_GT };

int ctg_mcmp_parse(struct ctg_mctx *c, const struct ctg_mcmp_names *n, struct ctg_mcmp *d,
		   unsigned id, bool inv, const char *arg)
{
	const char *m = n->mod;
	uint64_t v;

	if (d->seen)
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "%s: only one of --%s-eq, --%s-lt, --%s-gt allowed", m, m, m,
				      m);
	if (ctg_mu_uint(arg, UINT8_MAX, &v))
		return ctg_mctx_error(c, "bad-value", n->what, "%s: invalid value \"%s\"", m, arg);
	d->seen = true;
	d->value = v;
	d->mode = id == CTG_MCMP_O_EQ ? (inv ? M_NE : M_EQ) : id == CTG_MCMP_O_LT ? M_LT : M_GT;
	return 0;
}

int ctg_mcmp_final(struct ctg_mctx *c, const struct ctg_mcmp_names *n, const struct ctg_mcmp *d)
{
	const char *m = n->mod;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", n->need,
				      "%s: one of --%s-eq, --%s-lt, --%s-gt is required", m, m, m,
				      m);
	return 0;
}

void ctg_mcmp_emit(const struct ctg_mcmp_names *n, const struct ctg_mcmp *d, struct ctg_strbuf *sb)
{
	static const char *const neg[] = {"", " !", "", ""};
	static const char *const op[] = {"eq", "eq", "lt", "gt"};

	ctg_sb_printf(sb, "%s --%s-%s %u", neg[d->mode], n->mod, op[d->mode], d->value);
}

enum ctg_tri ctg_mcmp_eval(const struct ctg_mcmp *d, uint8_t v)
{
	bool r;

	switch (d->mode) {
	case M_EQ:
		r = v == d->value;
		break;
	case M_NE:
		r = v != d->value;
		break;
	case M_LT:
		r = v < d->value;
		break;
	default:
		r = v > d->value;
		break;
	}
	return r ? CTG_TRUE : CTG_FALSE;
}
