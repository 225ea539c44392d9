// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -j MARK: set the packet mark, printed as "--set-xmark value/mask" whatever the input
 * form (libxt_MARK revision 2): mark = (mark & ~mask) ^ value.
 */
#include <errno.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"

enum { O_AND, O_OR, O_SET, O_SET_X, O_XOR };

struct mark_data {
	uint32_t mark, mask;
	bool set;
};

static const struct ctg_opt opts[] = {
	{"and-mark", O_AND, CTG_OPT_ARG}, {"or-mark", O_OR, CTG_OPT_ARG},
	{"set-mark", O_SET, CTG_OPT_ARG}, {"set-xmark", O_SET_X, CTG_OPT_ARG},
	{"xor-mark", O_XOR, CTG_OPT_ARG},
};

/* Shared with CONNMARK: the five ways to give a value/mask, as xt_MARK stores them. */
int ctg_mark_xform(struct ctg_mctx *c, unsigned how, const char *arg, uint32_t *val,
		   uint32_t *mask);

int ctg_mark_xform(struct ctg_mctx *c, unsigned how, const char *arg, uint32_t *val, uint32_t *mask)
{
	uint32_t v, m;
	bool has_mask;

	if (ctg_mu_value_mask(arg, &v, &m, &has_mask) ||
	    ((how == O_AND || how == O_OR || how == O_XOR) && has_mask))
		return ctg_mctx_error(c, "bad-argument", NULL, "bad mark value \"%s\"", arg);
	switch (how) {
	case O_SET_X:
		*val = v;
		*mask = m;
		break;
	case O_SET:
		*val = v;
		*mask = v | m;
		break;
	case O_AND:
		*val = 0;
		*mask = ~v;
		break;
	case O_OR:
		*val = v;
		*mask = v;
		break;
	default:
		*val = v;
		*mask = 0;
		break;
	}
	return 0;
}

static int mark_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct mark_data *d = data;

	if (d->set)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "MARK: only one of --set-xmark, --set-mark, --and-mark, "
				      "--or-mark, --xor-mark");
	d->set = true;
	return ctg_mark_xform(c, id, arg, &d->mark, &d->mask);
}

static int mark_final(struct ctg_mctx *c, void *data)
{
	if (!((struct mark_data *)data)->set)
		return ctg_mctx_error(c, "missing-option", NULL,
				      "MARK needs an option, e.g. --set-mark");
	return 0;
}

static void mark_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct mark_data *d = data;

	ctg_sb_printf(sb, " --set-xmark 0x%x/0x%x", d->mark, d->mask);
}

static enum ctg_verdict mark_apply(const void *data, struct ctg_pkt *p)
{
	const struct mark_data *d = data;

	p->mark = (p->mark & ~d->mask) ^ d->mark;
	return CTG_V_CONTINUE;
}

const struct ctg_target_ops ctg_target_MARK = {
	.name = "MARK",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct mark_data),
	.parse = mark_parse,
	.final = mark_final,
	.emit = mark_emit,
	.apply = mark_apply,
	.verdict = CTG_V_CONTINUE,
};
