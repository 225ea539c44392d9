// SPDX-License-Identifier: GPL-2.0-or-later
/* -m statistic: random / nth sampling (libxt_statistic.c, xt_statistic.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum { O_EVERY, O_MODE, O_PACKET, O_PROB };
enum { S_MODE = 1, S_PROB = 2, S_EVERY = 4, S_PACKET = 8 };
enum { MODE_RANDOM = 1, MODE_NTH };

struct statistic_data {
	uint8_t mode;
	bool inv;
	unsigned seen;
	uint32_t probability; /* as the kernel stores it: lround(2^31 * p) */
	uint32_t every;	      /* minus one, like the kernel */
	uint32_t packet;
};

static const struct ctg_opt opts[] = {
	{"every", O_EVERY, CTG_OPT_ARG | CTG_OPT_INV},
	{"mode", O_MODE, CTG_OPT_ARG},
	{"packet", O_PACKET, CTG_OPT_ARG},
	{"probability", O_PROB, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {
	[O_EVERY] = "every", [O_MODE] = "mode", [O_PACKET] = "packet", [O_PROB] = "probability"};
static const unsigned bits[] = {
	[O_EVERY] = S_EVERY, [O_MODE] = S_MODE, [O_PACKET] = S_PACKET, [O_PROB] = S_PROB};

static int parse_prob(struct ctg_mctx *c, struct statistic_data *d, const char *arg)
{
	char *end;
	double p;

	errno = 0;
	p = strtod(arg, &end);
	if (end == arg || *end || errno || !(p >= 0 && p <= 1))
		return ctg_mctx_error(c, "bad-value", "a probability 0.0-1.0",
				      "statistic: invalid probability \"%s\"", arg);
	d->probability = (uint32_t)(0x80000000 * p + 0.5); /* lround, p >= 0 */
	return 0;
}

static int parse_num(struct ctg_mctx *c, const char *arg, uint64_t min, uint32_t *out)
{
	uint64_t v;

	if (ctg_mu_uint(arg, UINT32_MAX, &v) || v < min)
		return ctg_mctx_error(c, "bad-value", NULL, "statistic: invalid number \"%s\"",
				      arg);
	*out = v;
	return 0;
}

static int statistic_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			   const char *arg2)
{
	struct statistic_data *d = data;
	int err = 0;

	if (ctg_mu_once(c, &d->seen, bits[id], names[id]))
		return -EINVAL;
	if (inv)
		d->inv = true;
	switch (id) {
	case O_MODE:
		if (!strcmp(arg, "random"))
			d->mode = MODE_RANDOM;
		else if (!strcmp(arg, "nth"))
			d->mode = MODE_NTH;
		else
			return ctg_mctx_error(c, "bad-value", "random or nth",
					      "statistic: bad mode \"%s\"", arg);
		break;
	case O_PROB:
		err = parse_prob(c, d, arg);
		break;
	case O_EVERY:
		err = parse_num(c, arg, 1, &d->every);
		d->every--;
		break;
	case O_PACKET:
		err = parse_num(c, arg, 0, &d->packet);
		break;
	}
	return err;
}

/* xtables option table: probability excludes every/packet, every and packet need each other. */
static int statistic_final(struct ctg_mctx *c, void *data)
{
	const struct statistic_data *d = data;

	if (!(d->seen & S_MODE))
		return ctg_mctx_error(c, "missing-option", "--mode random|nth",
				      "statistic: --mode is required");
	if ((d->seen & S_PROB) && (d->seen & (S_EVERY | S_PACKET)))
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "statistic: --probability cannot go with --every/--packet");
	if (!!(d->seen & S_EVERY) != !!(d->seen & S_PACKET))
		return ctg_mctx_error(c, "missing-option", "give both --every N and --packet P",
				      "statistic: --every and --packet need each other");
	if (d->mode == MODE_RANDOM && !(d->seen & S_PROB))
		return ctg_mctx_error(c, "missing-option", "--probability P",
				      "statistic: --probability must be specified in random mode");
	if (d->mode == MODE_NTH && !(d->seen & S_EVERY))
		return ctg_mctx_error(
			c, "missing-option", "--every N --packet P",
			"statistic: --every and --packet must be specified in nth mode");
	if (d->packet > d->every)
		return ctg_mctx_error(c, "bad-value", "0 <= P <= N-1",
				      "statistic: the --packet p must be 0 <= p <= n-1");
	return 0;
}

static void statistic_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct statistic_data *d = data;
	const char *inv = d->inv ? " !" : "";

	if (d->mode == MODE_RANDOM)
		ctg_sb_printf(sb, " --mode random%s --probability %.11f", inv,
			      1.0 * d->probability / 0x80000000);
	else
		ctg_sb_printf(sb, " --mode nth%s --every %u --packet %u", inv, d->every + 1,
			      d->packet);
}

static enum ctg_tri statistic_eval(const void *data, const struct ctg_pkt *p,
				   const struct ctg_eval_env *env)
{
	const struct statistic_data *d = data;

	if (d->mode == MODE_RANDOM && d->probability == 0)
		return d->inv ? CTG_TRUE : CTG_FALSE;
	if (d->mode == MODE_RANDOM && d->probability == 0x80000000u)
		return d->inv ? CTG_FALSE : CTG_TRUE;
	if (d->mode == MODE_NTH && d->every == 0)
		return d->inv ? CTG_FALSE : CTG_TRUE;
	return CTG_UNKNOWN;
}

const struct ctg_match_ops ctg_match_statistic = {
	.name = "statistic",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct statistic_data),
	.parse = statistic_parse,
	.final = statistic_final,
	.emit = statistic_emit,
	.eval = statistic_eval,
};
