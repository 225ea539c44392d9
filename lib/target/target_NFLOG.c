// SPDX-License-Identifier: GPL-2.0-or-later
/* -j NFLOG: packet to a netlink log group, non-terminal (libxt_NFLOG). */
#include <errno.h>
#include <string.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"

enum { O_GROUP, O_PREFIX, O_RANGE, O_SIZE, O_THRESHOLD };

struct nflog_data {
	char prefix[65];
	uint16_t group, threshold;
	uint32_t len;
	bool copy_len; /* --nflog-size */
};

static const struct ctg_opt opts[] = {
	{"nflog-group", O_GROUP, CTG_OPT_ARG},	       {"nflog-prefix", O_PREFIX, CTG_OPT_ARG},
	{"nflog-range", O_RANGE, CTG_OPT_ARG},	       {"nflog-size", O_SIZE, CTG_OPT_ARG},
	{"nflog-threshold", O_THRESHOLD, CTG_OPT_ARG},
};

static int nflog_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	struct nflog_data *d = data;
	uint64_t v;

	if (id == O_PREFIX) {
		if (strlen(arg) > sizeof(d->prefix) - 1)
			return ctg_mctx_error(c, "bad-argument", NULL,
					      "NFLOG prefix longer than 64 characters");
		strcpy(d->prefix, arg);
		return 0;
	}
	if (ctg_mu_uint(arg, id == O_GROUP || id == O_THRESHOLD ? 65535 : UINT32_MAX, &v))
		return ctg_mctx_error(c, "bad-argument", NULL, "bad number \"%s\"", arg);
	switch (id) {
	case O_GROUP:
		d->group = (uint16_t)v;
		break;
	case O_THRESHOLD:
		d->threshold = (uint16_t)v;
		break;
	case O_SIZE:
		d->copy_len = true;
		d->len = (uint32_t)v;
		break;
	default:
		d->len = (uint32_t)v;
		break;
	}
	return 0;
}

static void nflog_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct nflog_data *d = data;

	if (d->prefix[0]) {
		ctg_sb_puts(sb, " --nflog-prefix");
		ctg_mu_quoted(sb, d->prefix);
	}
	if (d->group)
		ctg_sb_printf(sb, " --nflog-group %u", d->group);
	if (d->copy_len)
		ctg_sb_printf(sb, " --nflog-size %u", d->len);
	else if (d->len)
		ctg_sb_printf(sb, " --nflog-range %u", d->len);
	if (d->threshold)
		ctg_sb_printf(sb, " --nflog-threshold %u", d->threshold);
}

const struct ctg_target_ops ctg_target_NFLOG = {
	.name = "NFLOG",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct nflog_data),
	.parse = nflog_parse,
	.emit = nflog_emit,
	.verdict = CTG_V_CONTINUE,
};
