// SPDX-License-Identifier: GPL-2.0-or-later
/* -m owner, revision 1 (libxt_owner.c, xt_owner.c). OUTPUT and POSTROUTING only. */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_GID, O_SOCK, O_SUPPL, O_UID };

struct owner_data {
	uint32_t uid[2], gid[2];
	unsigned seen, inv;
};

static const struct ctg_opt opts[] = {
	{"gid-owner", O_GID, CTG_OPT_ARG | CTG_OPT_INV},
	{"socket-exists", O_SOCK, CTG_OPT_INV},
	{"suppl-groups", O_SUPPL, 0},
	{"uid-owner", O_UID, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {"gid-owner", "socket-exists", "suppl-groups", "uid-owner"};

/* A numeric id or range "a-b"; names are resolved only for root (no local passwd lookup). */
static int parse_ids(const char *s, uint32_t r[2])
{
	uint64_t v[2];

	if (!strcmp(s, "root")) {
		r[0] = r[1] = 0;
		return 0;
	}
	if (ctg_mu_uint_range(s, '-', UINT32_MAX - 1, v))
		return -EINVAL;
	r[0] = (uint32_t)v[0];
	r[1] = (uint32_t)v[1];
	return 0;
}

static int owner_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		       const char *arg2)
{
	struct owner_data *d = data;

	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	d->inv |= inv ? 1u << id : 0;
	switch (id) {
	case O_UID:
	case O_GID:
		if (parse_ids(arg, id == O_UID ? d->uid : d->gid))
			return ctg_mctx_error(c, "bad-value", "a numeric id or range a-b (or root)",
					      "owner: bad value for \"--%s\" option: \"%s\"",
					      names[id], arg);
		return 0;
	case O_SUPPL:
		if (!(d->seen & (1u << O_GID)))
			return ctg_mctx_error(c, "missing-option", "put --gid-owner first",
					      "owner: --suppl-groups requires --gid-owner");
		return 0;
	}
	return 0;
}

static void owner_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct owner_data *d = data;

	if (d->seen & (1u << O_SOCK))
		ctg_mu_opt(sb, d->inv & (1u << O_SOCK), "socket-exists");
	if (d->seen & (1u << O_UID)) {
		ctg_mu_opt(sb, d->inv & (1u << O_UID), "uid-owner");
		ctg_sb_putc(sb, ' ');
		ctg_mu_range(sb, d->uid[0], d->uid[1], '-');
	}
	if (d->seen & (1u << O_GID)) {
		ctg_mu_opt(sb, d->inv & (1u << O_GID), "gid-owner");
		ctg_sb_putc(sb, ' ');
		ctg_mu_range(sb, d->gid[0], d->gid[1], '-');
	}
	if (d->seen & (1u << O_SUPPL))
		ctg_sb_puts(sb, " --suppl-groups");
}

static int owner_final(struct ctg_mctx *c, void *data)
{
	const struct owner_data *d = data;

	if (!(d->seen & ((1u << O_UID) | (1u << O_GID) | (1u << O_SOCK))))
		return ctg_mctx_error(c, "missing-option",
				      "add --uid-owner, --gid-owner or --socket-exists",
				      "owner match: an option is required");
	return 0;
}

static enum ctg_tri owner_eval(const void *data, const struct ctg_pkt *p,
			       const struct ctg_eval_env *env)
{
	const struct owner_data *d = data;
	bool m;

	if (!p->uid_known)
		return CTG_UNKNOWN; /* no socket information for this packet */
	if ((d->seen & (1u << O_UID))) {
		m = p->uid >= d->uid[0] && p->uid <= d->uid[1];
		if (m == !!(d->inv & (1u << O_UID)))
			return CTG_FALSE;
	}
	if ((d->seen & (1u << O_GID))) {
		m = p->gid >= d->gid[0] && p->gid <= d->gid[1];
		if (d->seen & (1u << O_SUPPL) && !m)
			return CTG_UNKNOWN; /* supplementary groups are not modelled */
		if (m == !!(d->inv & (1u << O_GID)))
			return CTG_FALSE;
	}
	if ((d->seen & (1u << O_SOCK)) && (d->inv & (1u << O_SOCK)))
		return CTG_FALSE; /* uid known implies a socket */
	return CTG_TRUE;
}

const struct ctg_match_ops ctg_match_owner = {
	.name = "owner",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct owner_data),
	.parse = owner_parse,
	.final = owner_final,
	.emit = owner_emit,
	.eval = owner_eval,
	.hooks = (1u << CTG_HOOK_OUTPUT) | (1u << CTG_HOOK_POSTROUTING),
};
