// SPDX-License-Identifier: GPL-2.0-or-later
/* -m connbytes: per-connection counters (libxt_connbytes.c, xt_connbytes.c). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mrange.h"
#include "mutil.h"

enum { O_BYTES, O_DIR, O_MODE };

struct connbytes_data {
	uint64_t from, to;
	uint8_t what, dir;
	bool inv;
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"connbytes", O_BYTES, CTG_OPT_ARG | CTG_OPT_INV},
	{"connbytes-dir", O_DIR, CTG_OPT_ARG},
	{"connbytes-mode", O_MODE, CTG_OPT_ARG},
};

static const char *const names[] = {"connbytes", "connbytes-dir", "connbytes-mode"};
/* XT_CONNBYTES_PKTS/BYTES/AVGPKT and XT_CONNBYTES_DIR_ORIGINAL/REPLY/BOTH */
static const struct ctg_mu_name modes[] = {{"packets", 0}, {"bytes", 1}, {"avgpkt", 2}};
static const struct ctg_mu_name dirs[] = {{"original", 0}, {"reply", 1}, {"both", 2}};

static int connbytes_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			   const char *arg2)
{
	struct connbytes_data *d = data;
	uint64_t r[2];
	int64_t v;
	bool two;

	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	if (id == O_BYTES) {
		if (ctg_mr_parse(arg, UINT64_MAX, r, &two))
			return ctg_mctx_error(c, "bad-value", "FROM[:TO]",
					      "connbytes: invalid range \"%s\"", arg);
		d->from = r[0];
		d->to = two ? r[1] : UINT64_MAX;
		d->inv = inv;
		return 0;
	}
	v = ctg_mu_lookup(arg, id == O_MODE ? modes : dirs, 3, false);
	if (v < 0)
		return ctg_mctx_error(c, "bad-value",
				      id == O_MODE ? "packets, bytes or avgpkt"
						   : "original, reply or both",
				      "connbytes: invalid --%s \"%s\"", names[id], arg);
	*(id == O_MODE ? &d->what : &d->dir) = v;
	return 0;
}

static int connbytes_final(struct ctg_mctx *c, void *data)
{
	const struct connbytes_data *d = data;

	if (d->seen != 7)
		return ctg_mctx_error(
			c, "missing-option",
			"--connbytes FROM[:TO] --connbytes-mode M --connbytes-dir D",
			"connbytes: --connbytes, --connbytes-mode and --connbytes-dir "
			"are all required");
	return 0;
}

static void connbytes_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct connbytes_data *d = data;

	ctg_mu_opt(sb, d->inv, "connbytes");
	ctg_sb_printf(sb, " %llu", (unsigned long long)d->from);
	if (d->to != UINT64_MAX)
		ctg_sb_printf(sb, ":%llu", (unsigned long long)d->to);
	ctg_sb_printf(sb, " --connbytes-mode %s --connbytes-dir %s", modes[d->what].name,
		      dirs[d->dir].name);
}

static enum ctg_tri connbytes_eval(const void *data, const struct ctg_pkt *p,
				   const struct ctg_eval_env *env)
{
	const struct connbytes_data *d = data;

	if (!p->ct && (p->ctstate & (CTG_CTS_INVALID | CTG_CTS_UNTRACKED)))
		return CTG_FALSE; /* xt_connbytes: no conntrack, no match */
	return d->from == 0 && d->to == UINT64_MAX && !d->inv ? CTG_TRUE : CTG_UNKNOWN;
}

const struct ctg_match_ops ctg_match_connbytes = {
	.name = "connbytes",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct connbytes_data),
	.parse = connbytes_parse,
	.final = connbytes_final,
	.emit = connbytes_emit,
	.eval = connbytes_eval,
	.needs_ct = true,
};
