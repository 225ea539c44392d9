// SPDX-License-Identifier: GPL-2.0-or-later
/* -m socket: a local socket matches the packet (libxt_socket.c rev 3, xt_socket.c). */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* XT_SOCKET_* flags; option ids are the bits */
enum { F_TRANSPARENT = 1, F_NOWILDCARD = 2, F_RESTORESKMARK = 4 };

struct socket_data {
	uint8_t flags;
};

static const struct ctg_opt opts[] = {
	{"nowildcard", F_NOWILDCARD, 0},
	{"restore-skmark", F_RESTORESKMARK, 0},
	{"transparent", F_TRANSPARENT, 0},
};

static int socket_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct socket_data *d = data;

	d->flags |= id;
	return 0;
}

static void socket_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct socket_data *d = data;

	if (d->flags & F_TRANSPARENT)
		ctg_sb_puts(sb, " --transparent");
	if (d->flags & F_NOWILDCARD)
		ctg_sb_puts(sb, " --nowildcard");
	if (d->flags & F_RESTORESKMARK)
		ctg_sb_puts(sb, " --restore-skmark");
}

static enum ctg_tri socket_eval(const void *data, const struct ctg_pkt *p,
				const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* needs the local socket table */
}

const struct ctg_match_ops ctg_match_socket = {
	.name = "socket",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct socket_data),
	.parse = socket_parse,
	.emit = socket_emit,
	.eval = socket_eval,
	.hooks = (1u << CTG_HOOK_PREROUTING) | (1u << CTG_HOOK_INPUT),
};
