// SPDX-License-Identifier: GPL-2.0-or-later
/* -j TCPMSS --set-mss N | --clamp-mss-to-pmtu: rewrite the MSS option (libxt_TCPMSS). */
#include <errno.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"

enum { O_CLAMP, O_SET_MSS };

struct tcpmss_data {
	uint16_t mss; /* 0xffff = clamp to PMTU */
	bool set;
};

static const struct ctg_opt opts[] = {
	{"clamp-mss-to-pmtu", O_CLAMP, 0},
	{"set-mss", O_SET_MSS, CTG_OPT_ARG},
};

static int tcpmss_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			const char *arg2)
{
	struct tcpmss_data *d = data;
	uint64_t v;

	if (d->set)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "TCPMSS: only one of --set-mss, --clamp-mss-to-pmtu");
	d->set = true;
	if (id == O_CLAMP) {
		d->mss = 0xffff;
		return 0;
	}
	if (ctg_mu_uint(arg, 0xfffe, &v))
		return ctg_mctx_error(c, "bad-argument", NULL, "bad MSS \"%s\"", arg);
	d->mss = (uint16_t)v;
	return 0;
}

static int tcpmss_final(struct ctg_mctx *c, void *data)
{
	const struct tcpmss_data *d = data;

	if (!d->set)
		return ctg_mctx_error(c, "missing-option", NULL,
				      "TCPMSS needs --set-mss or --clamp-mss-to-pmtu");
	if (c->proto != 6 || c->proto_inv)
		return ctg_mctx_error(c, "bad-target", "add -p tcp",
				      "TCPMSS is only valid with -p tcp");
	return 0;
}

static void tcpmss_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct tcpmss_data *d = data;

	if (d->mss == 0xffff)
		ctg_sb_puts(sb, " --clamp-mss-to-pmtu");
	else
		ctg_sb_printf(sb, " --set-mss %u", d->mss);
}

const struct ctg_target_ops ctg_target_TCPMSS = {
	.name = "TCPMSS",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct tcpmss_data),
	.parse = tcpmss_parse,
	.final = tcpmss_final,
	.emit = tcpmss_emit,
	.verdict = CTG_V_CONTINUE,
};
