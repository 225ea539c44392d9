// SPDX-License-Identifier: GPL-2.0-or-later
/* -j CONNMARK: set, save or restore the connection mark (libxt_CONNMARK revision 1). */
#include <errno.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"

/* First five ids are those of target_MARK.c (ctg_mark_xform). */
enum { O_AND, O_OR, O_SET, O_SET_X, O_XOR, O_CTMASK, O_MASK, O_NFMASK, O_RESTORE, O_SAVE };
enum { MODE_NONE, MODE_SET, MODE_SAVE, MODE_RESTORE };

int ctg_mark_xform(struct ctg_mctx *c, unsigned how, const char *arg, uint32_t *val,
		   uint32_t *mask);

struct connmark_data {
	uint32_t ctmark, ctmask, nfmask;
	bool ctmask_set, nfmask_set;
	uint8_t mode;
};

static const struct ctg_opt opts[] = {
	{"and-mark", O_AND, CTG_OPT_ARG},
	{"ctmask", O_CTMASK, CTG_OPT_ARG},
	{"mask", O_MASK, CTG_OPT_ARG},
	{"nfmask", O_NFMASK, CTG_OPT_ARG},
	{"or-mark", O_OR, CTG_OPT_ARG},
	{"restore-mark", O_RESTORE, 0},
	{"save-mark", O_SAVE, 0},
	{"set-mark", O_SET, CTG_OPT_ARG},
	{"set-xmark", O_SET_X, CTG_OPT_ARG},
	{"xor-mark", O_XOR, CTG_OPT_ARG},
};

static int set_mask(struct ctg_mctx *c, struct connmark_data *d, unsigned id, const char *arg)
{
	uint32_t v, m;
	bool has_mask;

	if (ctg_mu_value_mask(arg, &v, &m, &has_mask) || has_mask)
		return ctg_mctx_error(c, "bad-argument", NULL, "bad mask \"%s\"", arg);
	if (id != O_NFMASK) {
		d->ctmask = v;
		d->ctmask_set = true;
	}
	if (id != O_CTMASK) {
		d->nfmask = v;
		d->nfmask_set = true;
	}
	return 0;
}

static int connmark_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			  const char *arg2)
{
	struct connmark_data *d = data;

	if (id == O_CTMASK || id == O_MASK || id == O_NFMASK)
		return set_mask(c, d, id, arg);
	if (d->mode != MODE_NONE)
		return ctg_mctx_error(
			c, "duplicate-option", NULL,
			"CONNMARK: only one of --set-mark, --save-mark, --restore-mark, ...");
	if (id == O_SAVE || id == O_RESTORE) {
		d->mode = id == O_SAVE ? MODE_SAVE : MODE_RESTORE;
		return 0;
	}
	d->mode = MODE_SET;
	return ctg_mark_xform(c, id, arg, &d->ctmark, &d->ctmask);
}

static int connmark_final(struct ctg_mctx *c, void *data)
{
	struct connmark_data *d = data;

	if (d->mode == MODE_NONE)
		return ctg_mctx_error(c, "missing-option", NULL,
				      "CONNMARK needs --set-mark, --save-mark or --restore-mark");
	if (d->mode == MODE_SET && d->nfmask_set)
		return ctg_mctx_error(
			c, "bad-option", NULL,
			"CONNMARK: --mask/--nfmask only with --save-mark or --restore-mark");
	if (d->mode != MODE_SET) {
		if (!d->ctmask_set)
			d->ctmask = UINT32_MAX;
		if (!d->nfmask_set)
			d->nfmask = UINT32_MAX;
	}
	return 0;
}

static void connmark_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct connmark_data *d = data;

	if (d->mode == MODE_SET)
		ctg_sb_printf(sb, " --set-xmark 0x%x/0x%x", d->ctmark, d->ctmask);
	else
		ctg_sb_printf(sb, " --%s-mark --nfmask 0x%x --ctmask 0x%x",
			      d->mode == MODE_SAVE ? "save" : "restore", d->nfmask, d->ctmask);
}

static enum ctg_verdict connmark_apply(const void *data, struct ctg_pkt *p)
{
	const struct connmark_data *d = data;

	switch (d->mode) {
	case MODE_SET:
		if (p->ct)
			p->ctmark = (p->ctmark & ~d->ctmask) ^ d->ctmark;
		break;
	case MODE_SAVE:
		if (p->ct)
			p->ctmark = (p->ctmark & ~d->ctmask) ^ (p->mark & d->nfmask);
		break;
	case MODE_RESTORE:
		if (p->ct)
			p->mark = (p->mark & ~d->nfmask) ^ (p->ctmark & d->ctmask);
		break;
	}
	return CTG_V_CONTINUE;
}

const struct ctg_target_ops ctg_target_CONNMARK = {
	.name = "CONNMARK",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct connmark_data),
	.parse = connmark_parse,
	.final = connmark_final,
	.emit = connmark_emit,
	.apply = connmark_apply,
	.verdict = CTG_V_CONTINUE,
	.needs_ct = true,
};
