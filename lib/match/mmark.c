// SPDX-License-Identifier: GPL-2.0-or-later
/* The --mark option shared by -m mark and -m connmark (see mmark.h). */
#include "mmark.h"

#include "mutil.h"

int ctg_mmark_parse(struct ctg_mctx *c, const char *mod, struct ctg_mmark *d, bool inv,
		    const char *arg)
{
	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "%s: option \"--mark\" can only be used once", mod);
	d->seen = true;
	d->inv = inv;
	if (ctg_mu_value_mask(arg, &d->mark, &d->mask, NULL))
		return ctg_mctx_error(c, "bad-value", "VALUE[/MASK], 32-bit numbers",
				      "bad %s value \"%s\"", mod, arg);
	return 0;
}

int ctg_mmark_final(struct ctg_mctx *c, const char *mod, const struct ctg_mmark *d)
{
	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "add --mark VALUE[/MASK]",
				      "%s match: \"--mark\" is required", mod);
	return 0;
}

void ctg_mmark_emit(const struct ctg_mmark *d, struct ctg_strbuf *sb)
{
	ctg_mu_opt(sb, d->inv, "mark");
	if (d->mask != UINT32_MAX)
		ctg_sb_printf(sb, " 0x%x/0x%x", d->mark, d->mask);
	else
		ctg_sb_printf(sb, " 0x%x", d->mark);
}

enum ctg_tri ctg_mmark_eval(const struct ctg_mmark *d, uint32_t v)
{
	return ((v & d->mask) == d->mark) != d->inv ? CTG_TRUE : CTG_FALSE;
}
