// SPDX-License-Identifier: GPL-2.0-or-later
/* -m physdev: bridge port of a bridged packet (libxt_physdev.c, xt_physdev.c). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* XT_PHYSDEV_OP_* bits; the option ids are the bit numbers. */
enum { OP_IN = 1, OP_OUT = 2, OP_BRIDGED = 4, OP_ISIN = 8, OP_ISOUT = 16 };
enum { O_IN, O_OUT, O_BRIDGED, O_ISIN, O_ISOUT };

#define IFNAMSIZ 16

struct physdev_data {
	char in[IFNAMSIZ], out[IFNAMSIZ];
	uint8_t bitmask, invert;
};

static const struct ctg_opt opts[] = {
	{"physdev-in", O_IN, CTG_OPT_ARG | CTG_OPT_INV},
	{"physdev-is-bridged", O_BRIDGED, CTG_OPT_INV},
	{"physdev-is-in", O_ISIN, CTG_OPT_INV},
	{"physdev-is-out", O_ISOUT, CTG_OPT_INV},
	{"physdev-out", O_OUT, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {"physdev-in", "physdev-out", "physdev-is-bridged",
				    "physdev-is-in", "physdev-is-out"};

static int physdev_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			 const char *arg2)
{
	struct physdev_data *d = data;
	unsigned bit = 1u << id;

	if (d->bitmask & bit)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --%s flags not allowed", names[id]);
	if (id == O_IN || id == O_OUT) {
		if (strlen(arg) >= IFNAMSIZ)
			return ctg_mctx_error(c, "bad-value", NULL,
					      "physdev: interface name \"%s\" must be shorter "
					      "than %d characters",
					      arg, IFNAMSIZ);
		strcpy(id == O_IN ? d->in : d->out, arg);
	}
	d->bitmask |= bit;
	if (inv)
		d->invert |= bit;
	return 0;
}

/*
 * xt_physdev checkentry: --physdev-out / --physdev-is-out need --physdev-is-bridged in
 * OUTPUT, FORWARD and POSTROUTING (only the built-in chains are known here).
 */
static int physdev_final(struct ctg_mctx *c, void *data)
{
	const struct physdev_data *d = data;
	const char *ch = c->chain ? c->chain : "";

	if (!d->bitmask)
		return ctg_mctx_error(c, "missing-option", "--physdev-in, --physdev-out, ...",
				      "physdev: no physdev option specified");
	if ((d->bitmask & (OP_OUT | OP_ISOUT)) &&
	    (!(d->bitmask & OP_BRIDGED) || (d->invert & OP_BRIDGED)) &&
	    (!strcmp(ch, "OUTPUT") || !strcmp(ch, "FORWARD") || !strcmp(ch, "POSTROUTING")))
		return ctg_mctx_error(c, "bad-chain", "add --physdev-is-bridged",
				      "physdev: --physdev-out and --physdev-is-out only supported "
				      "in the FORWARD and POSTROUTING chains with bridged traffic");
	return 0;
}

static void emit_flag(struct ctg_strbuf *sb, const struct physdev_data *d, unsigned bit,
		      const char *name, const char *dev)
{
	if (!(d->bitmask & bit))
		return;
	ctg_mu_opt(sb, d->invert & bit, name);
	if (dev)
		ctg_sb_printf(sb, " %s", dev);
}

static void physdev_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct physdev_data *d = data;

	emit_flag(sb, d, OP_ISIN, "physdev-is-in", NULL);
	emit_flag(sb, d, OP_IN, "physdev-in", d->in);
	emit_flag(sb, d, OP_ISOUT, "physdev-is-out", NULL);
	emit_flag(sb, d, OP_OUT, "physdev-out", d->out);
	emit_flag(sb, d, OP_BRIDGED, "physdev-is-bridged", NULL);
}

/*
 * The packet model carries no bridge port names: physdev_known means "known not to be
 * bridged", where xt_physdev matches only when every given option is negated.
 */
static enum ctg_tri physdev_eval(const void *data, const struct ctg_pkt *p,
				 const struct ctg_eval_env *env)
{
	const struct physdev_data *d = data;

	if (!p->physdev_known)
		return CTG_UNKNOWN;
	return (d->bitmask & ~d->invert) ? CTG_FALSE : CTG_TRUE;
}

const struct ctg_match_ops ctg_match_physdev = {
	.name = "physdev",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct physdev_data),
	.parse = physdev_parse,
	.final = physdev_final,
	.emit = physdev_emit,
	.eval = physdev_eval,
};
