// SPDX-License-Identifier: GPL-2.0-or-later
/* -m cpu: processing CPU (libxt_cpu.c, xt_cpu.c). Eval is unknown. */
#include <errno.h>

#include "../ruleset/ir.h"
#include "mutil.h"

struct cpu_data {
	uint32_t cpu;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"cpu", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

static int cpu_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct cpu_data *d = data;
	uint64_t v;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --cpu flags not allowed");
	if (ctg_mu_uint(arg, UINT32_MAX, &v))
		return ctg_mctx_error(c, "bad-value", NULL, "cpu: invalid --cpu \"%s\"", arg);
	d->cpu = v;
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int cpu_final(struct ctg_mctx *c, void *data)
{
	const struct cpu_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--cpu N", "cpu: --cpu is required");
	return 0;
}

static void cpu_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct cpu_data *d = data;

	ctg_mu_opt(sb, d->inv, "cpu");
	ctg_sb_printf(sb, " %u", d->cpu);
}

static enum ctg_tri cpu_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN;
}

const struct ctg_match_ops ctg_match_cpu = {
	.name = "cpu",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct cpu_data),
	.parse = cpu_parse,
	.final = cpu_final,
	.emit = cpu_emit,
	.eval = cpu_eval,
};
