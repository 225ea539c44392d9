// SPDX-License-Identifier: GPL-2.0-or-later
/* -m recent, revision 1 (libxt_recent.c, xt_recent.c recent_mt). Stateful: mostly unknown. */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

#define NAME_MAX_LEN 199 /* XT_RECENT_NAME_LEN - 1 */

enum {
	O_HITCOUNT,
	O_MASK,
	O_NAME,
	O_RCHECK,
	O_RDEST,
	O_REAP,
	O_REMOVE,
	O_RSOURCE,
	O_RTTL,
	O_SECONDS,
	O_SET,
	O_UPDATE,
};
#define OPS ((1u << O_SET) | (1u << O_RCHECK) | (1u << O_UPDATE) | (1u << O_REMOVE))

struct recent_data {
	unsigned seen;
	uint8_t op; /* O_SET, O_RCHECK, O_UPDATE, O_REMOVE */
	bool inv, rdest;
	uint32_t seconds, hitcount;
	const char *name;
	struct ctg_addr mask;
};

static const struct ctg_opt opts[] = {
	{"hitcount", O_HITCOUNT, CTG_OPT_ARG},
	{"mask", O_MASK, CTG_OPT_ARG},
	{"name", O_NAME, CTG_OPT_ARG},
	{"rcheck", O_RCHECK, CTG_OPT_INV},
	{"rdest", O_RDEST, 0},
	{"reap", O_REAP, 0},
	{"remove", O_REMOVE, CTG_OPT_INV},
	{"rsource", O_RSOURCE, 0},
	{"rttl", O_RTTL, 0},
	{"seconds", O_SECONDS, CTG_OPT_ARG},
	{"set", O_SET, CTG_OPT_INV},
	{"update", O_UPDATE, CTG_OPT_INV},
};

static int parse_value(struct ctg_mctx *c, struct recent_data *d, unsigned id, const char *arg)
{
	uint64_t v;

	switch (id) {
	case O_SECONDS:
	case O_HITCOUNT:
		if (ctg_mu_uint(arg, id == O_SECONDS ? UINT32_MAX : UINT16_MAX, &v) ||
		    (id == O_SECONDS && v < 1))
			return ctg_mctx_error(c, "bad-value", NULL,
					      "recent: bad value for \"--%s\": \"%s\"",
					      id == O_SECONDS ? "seconds" : "hitcount", arg);
		*(id == O_SECONDS ? &d->seconds : &d->hitcount) = (uint32_t)v;
		return 0;
	case O_NAME:
		if (!*arg || strlen(arg) > NAME_MAX_LEN || strchr(arg, '/'))
			return ctg_mctx_error(c, "bad-value", "1-199 characters, no '/'",
					      "recent: bad --name \"%s\"", arg);
		d->name = ctg_arena_strdup(c->arena, arg);
		return d->name ? 0 : -ENOMEM;
	case O_MASK:
		if (ctg_addr_parse(c->family, arg, &d->mask))
			return ctg_mctx_error(c, "bad-address", "an address-shaped mask",
					      "recent: bad --mask \"%s\"", arg);
		return 0;
	}
	return 0;
}

static int recent_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct recent_data *d = data;

	if (d->seen & (1u << id))
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "recent: option \"--%s\" can only be used once",
				      opts[id].name);
	if (((1u << id) & OPS) && (d->seen & OPS))
		return ctg_mctx_error(c, "conflicting-options",
				      "use one of --set, --rcheck, --update, --remove",
				      "recent: only one action option is allowed");
	if ((id == O_RSOURCE && (d->seen & (1u << O_RDEST))) ||
	    (id == O_RDEST && (d->seen & (1u << O_RSOURCE))))
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "recent: --rsource and --rdest exclude each other");
	d->seen |= 1u << id;
	if ((1u << id) & OPS) {
		d->op = (uint8_t)id;
		d->inv = inv;
	}
	d->rdest |= id == O_RDEST;
	return parse_value(c, d, id, arg);
}

static int recent_final(struct ctg_mctx *c, void *data)
{
	struct recent_data *d = data;

	if (!(d->seen & OPS))
		return ctg_mctx_error(c, "missing-option", NULL,
				      "recent: you must specify one of --set, --rcheck, --update "
				      "or --remove");
	if ((d->seen & (1u << O_RTTL)) && (d->op == O_SET || d->op == O_REMOVE))
		return ctg_mctx_error(c, "conflicting-options", "--rttl needs --rcheck or --update",
				      "recent: --rttl cannot be used with --%s",
				      d->op == O_SET ? "set" : "remove");
	if ((d->seen & (1u << O_REAP)) && !(d->seen & (1u << O_SECONDS)))
		return ctg_mctx_error(c, "missing-option", "add --seconds N",
				      "recent: --reap requires --seconds");
	if (!d->name)
		d->name = "DEFAULT";
	if (!(d->seen & (1u << O_MASK)))
		memset(d->mask.b, 0xff, c->family == CTG_FAMILY_IPV4 ? 4 : 16);
	return 0;
}

static void recent_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct recent_data *d = data;
	char buf[CTG_ADDRSTRLEN];

	ctg_mu_opt(sb, d->inv, opts[d->op].name);
	if (d->seconds)
		ctg_sb_printf(sb, " --seconds %u", d->seconds);
	if (d->seen & (1u << O_REAP))
		ctg_sb_puts(sb, " --reap");
	if (d->hitcount)
		ctg_sb_printf(sb, " --hitcount %u", d->hitcount);
	if (d->seen & (1u << O_RTTL))
		ctg_sb_puts(sb, " --rttl");
	ctg_sb_printf(sb, " --name %s", d->name ? d->name : "DEFAULT");
	ctg_sb_printf(sb, " --mask %s", ctg_addr_format(f, &d->mask, buf, sizeof(buf)));
	ctg_sb_puts(sb, d->rdest ? " --rdest" : " --rsource");
}

static enum ctg_tri recent_eval(const void *data, const struct ctg_pkt *p,
				const struct ctg_eval_env *env)
{
	const struct recent_data *d = data;

	if (d->op == O_SET) /* adds the address and matches */
		return d->inv ? CTG_FALSE : CTG_TRUE;
	return CTG_UNKNOWN; /* depends on the list's contents and timing */
}

const struct ctg_match_ops ctg_match_recent = {
	.name = "recent",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct recent_data),
	.parse = recent_parse,
	.final = recent_final,
	.emit = recent_emit,
	.eval = recent_eval,
};
