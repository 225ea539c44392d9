// SPDX-License-Identifier: GPL-2.0-or-later
/* -m tos: IPv4 TOS / IPv6 traffic class under a mask (libxt_tos.c rev 1, xt_dscp.c). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

struct tos_data {
	uint8_t value, mask;
	bool inv, seen;
};

static const struct ctg_opt opts[] = {
	{"tos", 0, CTG_OPT_ARG | CTG_OPT_INV},
};

/* tos_values.c: symbolic names take the mask 0x3f. */
static const struct ctg_mu_name names[] = {
	{"Minimize-Cost", 0x02},  {"Maximize-Reliability", 0x04}, {"Maximize-Throughput", 0x08},
	{"Minimize-Delay", 0x10}, {"Normal-Service", 0x00},
};

/* xtopt_parse_tosmask: "value[/mask]" (numbers, mask 0xff by default) or a name. */
static int parse_tos(const char *s, uint8_t *val, uint8_t *mask)
{
	const char *slash = strchr(s, '/');
	char num[32];
	uint64_t v, m = 0xff;
	int64_t n;

	n = ctg_mu_lookup(s, names, sizeof(names) / sizeof(names[0]), true);
	if (n >= 0) {
		*val = n;
		*mask = 0x3f;
		return 0;
	}
	if (slash) {
		if ((size_t)(slash - s) >= sizeof(num) || ctg_mu_uint(slash + 1, UINT8_MAX, &m))
			return -EINVAL;
		memcpy(num, s, slash - s);
		num[slash - s] = '\0';
		s = num;
	}
	if (ctg_mu_uint(s, UINT8_MAX, &v))
		return -EINVAL;
	*val = v;
	*mask = m;
	return 0;
}

static int tos_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct tos_data *d = data;

	if (d->seen)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --tos flags not allowed");
	if (parse_tos(arg, &d->value, &d->mask))
		return ctg_mctx_error(c, "bad-value", "VALUE[/MASK] (0-255) or a TOS name",
				      "tos: bad value \"%s\"", arg);
	d->inv = inv;
	d->seen = true;
	return 0;
}

static int tos_final(struct ctg_mctx *c, void *data)
{
	const struct tos_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option", "--tos", "tos: --tos is required");
	return 0;
}

static void tos_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct tos_data *d = data;

	ctg_sb_printf(sb, "%s --tos 0x%02x/0x%02x", d->inv ? " !" : "", d->value, d->mask);
}

static enum ctg_tri tos_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	const struct tos_data *d = data;

	return (((p->tos & d->mask) == d->value) != d->inv) ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_tos = {
	.name = "tos",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct tos_data),
	.parse = tos_parse,
	.final = tos_final,
	.emit = tos_emit,
	.eval = tos_eval,
};
