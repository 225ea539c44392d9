// SPDX-License-Identifier: GPL-2.0-or-later
/* -m set: ipset membership (libxt_set.c rev 4, xt_set.c). The set contents are unknown. */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum {
	O_BYTES_EQ,
	O_BYTES_GT,
	O_BYTES_LT,
	O_MATCH_SET,
	O_PACKETS_EQ,
	O_PACKETS_GT,
	O_PACKETS_LT,
	O_RETURN_NOMATCH,
	O_UPDATE_COUNTERS,
	O_UPDATE_SUBCOUNTERS,
};
enum { CNT_NONE, CNT_EQ, CNT_NE, CNT_LT, CNT_GT };

#define SET_MAXNAMELEN 32 /* IPSET_MAXNAMELEN, with the NUL */
#define SET_DIM_MAX    6

struct set_counter {
	uint8_t op;
	uint64_t value;
};

struct set_data {
	const char *name;
	uint8_t dim;
	uint8_t src; /* bit i-1: dimension i is src */
	bool inv, return_nomatch, skip_counters, skip_subcounters;
	struct set_counter packets, bytes;
};

static const struct ctg_opt opts[] = {
	{"bytes-eq", O_BYTES_EQ, CTG_OPT_ARG | CTG_OPT_INV},
	{"bytes-gt", O_BYTES_GT, CTG_OPT_ARG | CTG_OPT_INV},
	{"bytes-lt", O_BYTES_LT, CTG_OPT_ARG | CTG_OPT_INV},
	{"match-set", O_MATCH_SET, CTG_OPT_ARG2 | CTG_OPT_INV},
	{"packets-eq", O_PACKETS_EQ, CTG_OPT_ARG | CTG_OPT_INV},
	{"packets-gt", O_PACKETS_GT, CTG_OPT_ARG | CTG_OPT_INV},
	{"packets-lt", O_PACKETS_LT, CTG_OPT_ARG | CTG_OPT_INV},
	{"return-nomatch", O_RETURN_NOMATCH, CTG_OPT_INV},
	{"set", O_MATCH_SET, CTG_OPT_ARG2 | CTG_OPT_INV}, /* deprecated alias */
	{"update-counters", O_UPDATE_COUNTERS, CTG_OPT_INV},
	{"update-subcounters", O_UPDATE_SUBCOUNTERS, CTG_OPT_INV},
};

/* parse_dirs(): "src"/"dst" words (only 3 characters compared), at most 6. */
static int parse_dirs(struct ctg_mctx *c, struct set_data *d, const char *s)
{
	const char *p = s;

	for (;;) {
		if (d->dim == SET_DIM_MAX)
			return ctg_mctx_error(c, "bad-value", NULL,
					      "set: can't be more src/dst options than %d",
					      SET_DIM_MAX);
		d->dim++;
		if (!strncmp(p, "src", 3))
			d->src |= 1u << (d->dim - 1);
		else if (strncmp(p, "dst", 3))
			return ctg_mctx_error(c, "bad-value", "e.g. src or src,dst",
					      "set: you must specify (the comma separated list "
					      "of) 'src' or 'dst'");
		p = strchr(p, ',');
		if (!p)
			return 0;
		p++;
	}
}

static int parse_match_set(struct ctg_mctx *c, struct set_data *d, bool inv, const char *name,
			   const char *dirs)
{
	if (d->name)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "set: --match-set can be specified only once");
	if (!dirs || dirs[0] == '-' || dirs[0] == '!')
		return ctg_mctx_error(c, "missing-argument", "--match-set NAME src[,dst...]",
				      "set: --match-set requires two args");
	if (strlen(name) > SET_MAXNAMELEN - 1)
		return ctg_mctx_error(c, "bad-value", NULL,
				      "set: setname \"%s\" too long, max %d characters", name,
				      SET_MAXNAMELEN - 1);
	d->name = ctg_arena_strdup(c->arena, name);
	if (!d->name)
		return -ENOMEM;
	d->inv = inv;
	return parse_dirs(c, d, dirs);
}

static int parse_counter(struct ctg_mctx *c, struct set_counter *k, unsigned id, bool inv,
			 const char *arg)
{
	unsigned kind = (id - O_BYTES_EQ) % 4; /* 0 eq, 1 gt, 2 lt (both groups) */

	if (id >= O_PACKETS_EQ)
		kind = id - O_PACKETS_EQ;
	if (k->op != CNT_NONE)
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "set: only one of the --%s-[eq|lt|gt] is allowed",
				      id >= O_PACKETS_EQ ? "packets" : "bytes");
	if (inv && kind != 0)
		return ctg_mctx_error(
			c, "bad-invert", NULL, "set: --%s-%s option cannot be inverted",
			id >= O_PACKETS_EQ ? "packets" : "bytes", kind == 1 ? "gt" : "lt");
	if (ctg_mu_uint(arg, UINT64_MAX, &k->value))
		return ctg_mctx_error(c, "bad-value", NULL,
				      "set: cannot parse %s as a counter value", arg);
	k->op = kind == 0 ? (inv ? CNT_NE : CNT_EQ) : kind == 1 ? CNT_GT : CNT_LT;
	return 0;
}

static int set_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		     const char *arg2)
{
	struct set_data *d = data;

	switch (id) {
	case O_MATCH_SET:
		return parse_match_set(c, d, inv, arg, arg2);
	case O_RETURN_NOMATCH:
		if (inv)
			return ctg_mctx_error(c, "bad-invert", NULL,
					      "set: --return-nomatch flag cannot be inverted");
		d->return_nomatch = true;
		return 0;
	case O_UPDATE_COUNTERS:
		d->skip_counters |= inv;
		return 0;
	case O_UPDATE_SUBCOUNTERS:
		d->skip_subcounters |= inv;
		return 0;
	case O_PACKETS_EQ:
	case O_PACKETS_GT:
	case O_PACKETS_LT:
		return parse_counter(c, &d->packets, id, inv, arg);
	default:
		return parse_counter(c, &d->bytes, id, inv, arg);
	}
}

static int set_final(struct ctg_mctx *c, void *data)
{
	const struct set_data *d = data;

	if (!d->name)
		return ctg_mctx_error(c, "missing-option", "--match-set NAME src[,dst]",
				      "set: you must specify --match-set with proper arguments");
	return 0;
}

static void emit_counter(struct ctg_strbuf *sb, const struct set_counter *k, const char *name)
{
	static const char *const fmt[] = {"", " --%s-eq %llu", " ! --%s-eq %llu", " --%s-lt %llu",
					  " --%s-gt %llu"};

	if (k->op != CNT_NONE)
		ctg_sb_printf(sb, fmt[k->op], name, (unsigned long long)k->value);
}

static void set_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct set_data *d = data;

	ctg_sb_printf(sb, "%s --match-set %s", d->inv ? " !" : "", d->name);
	for (unsigned i = 0; i < d->dim; i++)
		ctg_sb_printf(sb, "%s%s", i ? "," : " ", (d->src >> i) & 1 ? "src" : "dst");
	if (d->return_nomatch)
		ctg_sb_puts(sb, " --return-nomatch");
	if (d->skip_counters)
		ctg_sb_puts(sb, " ! --update-counters");
	if (d->skip_subcounters)
		ctg_sb_puts(sb, " ! --update-subcounters");
	emit_counter(sb, &d->packets, "packets");
	emit_counter(sb, &d->bytes, "bytes");
}

static enum ctg_tri set_eval(const void *data, const struct ctg_pkt *p,
			     const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* set contents are not known */
}

const struct ctg_match_ops ctg_match_set = {
	.name = "set",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct set_data),
	.parse = set_parse,
	.final = set_final,
	.emit = set_emit,
	.eval = set_eval,
};
