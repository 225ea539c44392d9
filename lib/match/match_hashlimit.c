// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -m hashlimit: per-group token buckets (libxt_hashlimit.c rev 3, xt_hashlimit.c). The
 * configuration is stored as the kernel sees it so iptables-save's text (with its
 * defaults and unit choices) is reproduced exactly. Eval is unknown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum {
	O_ABOVE,
	O_BURST,
	O_DSTMASK,
	O_UPTO_OLD,
	O_GCINT,
	O_EXPIRE,
	O_MAX,
	O_SIZE,
	O_MODE,
	O_NAME,
	O_INTERVAL,
	O_RATEMATCH,
	O_SRCMASK,
	O_UPTO,
};

/* XT_HASHLIMIT_* mode bits */
enum {
	HL_DIP = 1,
	HL_DPT = 2,
	HL_SIP = 4,
	HL_SPT = 8,
	HL_INVERT = 0x10,
	HL_BYTES = 0x20,
	HL_RATE_MATCH = 0x40,
};

#define SCALE	     1000000ULL /* XT_HASHLIMIT_SCALE_v2 */
#define BURST_MAX    1000000
#define BYTE_SHIFT   4
#define NAME_MAX_LEN 254 /* name[NAME_MAX]; longer names are cut like xtables does */

struct hashlimit_data {
	char name[NAME_MAX_LEN + 1];
	uint64_t avg, burst;
	uint32_t mode, size, max, gc_interval, expire, interval;
	uint8_t srcmask, dstmask;
	uint32_t mult; /* udata: seconds per rate unit */
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"hashlimit", O_UPTO_OLD, CTG_OPT_ARG | CTG_OPT_INV},
	{"hashlimit-above", O_ABOVE, CTG_OPT_ARG | CTG_OPT_INV},
	{"hashlimit-burst", O_BURST, CTG_OPT_ARG},
	{"hashlimit-dstmask", O_DSTMASK, CTG_OPT_ARG},
	{"hashlimit-htable-expire", O_EXPIRE, CTG_OPT_ARG},
	{"hashlimit-htable-gcinterval", O_GCINT, CTG_OPT_ARG},
	{"hashlimit-htable-max", O_MAX, CTG_OPT_ARG},
	{"hashlimit-htable-size", O_SIZE, CTG_OPT_ARG},
	{"hashlimit-mode", O_MODE, CTG_OPT_ARG},
	{"hashlimit-name", O_NAME, CTG_OPT_ARG},
	{"hashlimit-rate-interval", O_INTERVAL, CTG_OPT_ARG},
	{"hashlimit-rate-match", O_RATEMATCH, 0},
	{"hashlimit-srcmask", O_SRCMASK, CTG_OPT_ARG},
	{"hashlimit-upto", O_UPTO, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {
	[O_ABOVE] = "hashlimit-above",
	[O_BURST] = "hashlimit-burst",
	[O_DSTMASK] = "hashlimit-dstmask",
	[O_UPTO_OLD] = "hashlimit",
	[O_GCINT] = "hashlimit-htable-gcinterval",
	[O_EXPIRE] = "hashlimit-htable-expire",
	[O_MAX] = "hashlimit-htable-max",
	[O_SIZE] = "hashlimit-htable-size",
	[O_MODE] = "hashlimit-mode",
	[O_NAME] = "hashlimit-name",
	[O_INTERVAL] = "hashlimit-rate-interval",
	[O_RATEMATCH] = "hashlimit-rate-match",
	[O_SRCMASK] = "hashlimit-srcmask",
	[O_UPTO] = "hashlimit-upto",
};

static uint64_t cost_to_bytes(uint64_t cost)
{
	uint64_t r = cost ? UINT32_MAX / cost : UINT32_MAX;

	return (r - 1) << BYTE_SHIFT;
}

static uint64_t bytes_to_cost(uint64_t bytes)
{
	uint32_t r = bytes >> BYTE_SHIFT;

	return UINT32_MAX / (r + 1ULL);
}

static uint32_t get_factor(int chr)
{
	return chr == 'm' ? 1024 * 1024 : chr == 'k' ? 1024 : 1;
}

/* parse_bytes(): "N[k|m]b/s". 1 parsed, 0 not a byte rate, -1 bad. */
static int parse_bytes(const char *rate, struct hashlimit_data *d)
{
	const char *mode = strstr(rate, "b/s");
	uint64_t r, tmp;

	if (!mode || mode == rate)
		return 0;
	r = atoll(rate);
	if (r == 0)
		return 0;
	tmp = r * get_factor(mode[-1]);
	tmp = bytes_to_cost(tmp);
	if (tmp == 0)
		return -1;
	d->avg = tmp;
	d->mult = 15; /* XT_HASHLIMIT_BYTE_EXPIRE */
	return 1;
}

/* parse_rate(): "N[/second|minute|hour|day]" (any prefix of the unit word). */
static int parse_rate(const char *rate, struct hashlimit_data *d)
{
	static const char *const units[] = {"second", "minute", "hour", "day"};
	static const uint32_t mults[] = {1, 60, 3600, 86400};
	const char *delim = strchr(rate, '/');
	uint64_t r;
	unsigned i = 0;

	if (delim) {
		size_t n = strlen(delim + 1);

		for (i = 0; i < 4; i++)
			if (n && !strncasecmp(delim + 1, units[i], n))
				break;
		if (i == 4)
			return -1;
	}
	d->mult = mults[i];
	r = atoll(rate);
	if (!r || SCALE * d->mult / r == 0)
		return -1;
	d->avg = SCALE * d->mult / r;
	return 0;
}

static int parse_modes(const char *s, uint32_t *mode)
{
	static const struct ctg_mu_name modes[] = {
		{"dstip", HL_DIP},
		{"srcip", HL_SIP},
		{"srcport", HL_SPT},
		{"dstport", HL_DPT},
	};
	char buf[64], *tok, *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	for (tok = strtok_r(buf, ",|", &save); tok; tok = strtok_r(NULL, ",|", &save)) {
		int64_t v = ctg_mu_lookup(tok, modes, 4, false);

		if (v < 0)
			return -EINVAL;
		*mode |= v;
	}
	return 0;
}

/* parse_burst(): a number with trailing text allowed; k/m multiply (byte bursts). */
static int parse_burst(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (end == s || errno || v < 1 || (!*end && v > BURST_MAX))
		return -EINVAL;
	if (v > UINT64_MAX / get_factor(*end))
		return -ERANGE;
	*out = v * get_factor(*end);
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (ctg_mu_uint(s, UINT32_MAX, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_mask(const char *s, int family, uint8_t *out)
{
	uint64_t v;

	if (ctg_mu_uint(s, family == 10 ? 128 : 32, &v))
		return -EINVAL;
	*out = v;
	return 0;
}

static int hl_opt(struct ctg_mctx *c, struct hashlimit_data *d, unsigned id, bool inv,
		  const char *arg)
{
	int r;

	switch (id) {
	case O_UPTO:
	case O_UPTO_OLD:
	case O_ABOVE:
		if ((id == O_ABOVE) != inv)
			d->mode |= HL_INVERT;
		r = parse_bytes(arg, d);
		if (r > 0)
			d->mode |= HL_BYTES;
		return r < 0 ? r : r > 0 ? 0 : parse_rate(arg, d);
	case O_BURST:
		return parse_burst(arg, &d->burst);
	case O_MODE:
		return parse_modes(arg, &d->mode);
	case O_NAME:
		if (!*arg)
			return -EINVAL;
		snprintf(d->name, sizeof(d->name), "%s", arg);
		return 0;
	case O_SRCMASK:
		return parse_mask(arg, c->family, &d->srcmask);
	case O_DSTMASK:
		return parse_mask(arg, c->family, &d->dstmask);
	case O_SIZE:
		return parse_u32(arg, &d->size);
	case O_MAX:
		return parse_u32(arg, &d->max);
	case O_GCINT:
		return parse_u32(arg, &d->gc_interval);
	case O_EXPIRE:
		return parse_u32(arg, &d->expire);
	case O_INTERVAL:
		return (parse_u32(arg, &d->interval) || (int32_t)d->interval <= 0) ? -EINVAL : 0;
	case O_RATEMATCH:
		d->mode |= HL_RATE_MATCH;
		return 0;
	}
	return 0;
}

static const unsigned rate_opts = (1u << O_UPTO) | (1u << O_UPTO_OLD) | (1u << O_ABOVE);

static int hashlimit_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			   const char *arg2)
{
	struct hashlimit_data *d = data;

	if (!d->seen) {
		d->burst = 5;
		d->gc_interval = 1000;
		d->srcmask = d->dstmask = c->family == 10 ? 128 : 32;
	}
	if (((1u << id) & rate_opts) && (d->seen & rate_opts))
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "hashlimit: only one of --hashlimit-upto and "
				      "--hashlimit-above allowed");
	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	if (hl_opt(c, d, id, inv, arg))
		return ctg_mctx_error(c, "bad-value", NULL,
				      "hashlimit: bad value for option --%s \"%s\"", names[id],
				      arg);
	return 0;
}

static int finish_bytes(struct ctg_mctx *c, struct hashlimit_data *d)
{
	uint64_t unit = cost_to_bytes(d->avg), burst = 0;

	if (d->seen & (1u << O_BURST)) {
		if (d->burst < unit)
			return ctg_mctx_error(c, "bad-value", NULL,
					      "hashlimit: burst cannot be smaller than %llub",
					      (unsigned long long)unit);
		burst = d->burst / unit + (d->burst % unit ? 1 : 0);
		if (!(d->seen & (1u << O_EXPIRE)))
			d->expire = 60 * 1000; /* XT_HASHLIMIT_BYTE_EXPIRE_BURST */
	}
	d->burst = (uint32_t)burst;
	return 0;
}

static int hashlimit_final(struct ctg_mctx *c, void *data)
{
	struct hashlimit_data *d = data;

	if (!(d->seen & rate_opts))
		return ctg_mctx_error(c, "missing-option", "--hashlimit-upto or --hashlimit-above",
				      "hashlimit: you have to specify --hashlimit");
	if (!(d->seen & (1u << O_NAME)))
		return ctg_mctx_error(c, "missing-option", "--hashlimit-name NAME",
				      "hashlimit: option --hashlimit-name must be specified");
	if (!(d->seen & (1u << O_EXPIRE)))
		d->expire = d->mult * 1000;
	if (d->mode & HL_BYTES) {
		if (finish_bytes(c, d))
			return -EINVAL;
	} else if (d->burst > BURST_MAX) {
		return ctg_mctx_error(c, "bad-value", NULL,
				      "hashlimit: bad value for --hashlimit-burst (1-%u)",
				      BURST_MAX);
	}
	if (d->mode & HL_RATE_MATCH) {
		if (!(d->mode & HL_BYTES))
			d->avg /= d->mult;
		if (d->interval == 0)
			d->interval = (d->mode & HL_BYTES) ? 1 : d->mult;
	}
	return 0;
}

/* print_rate(): the largest unit that divides evenly enough; returns the quantum in ms. */
static uint32_t emit_rate(struct ctg_strbuf *sb, uint64_t period)
{
	static const char *const rn[] = {"day", "hour", "min", "sec"};
	static const uint64_t rm[] = {SCALE * 86400, SCALE * 3600, SCALE * 60, SCALE};
	unsigned i;

	if (period == 0) {
		ctg_sb_puts(sb, " inf");
		return 0;
	}
	for (i = 1; i < 4; i++)
		if (period > rm[i] || rm[i] / period < rm[i] % period)
			break;
	ctg_sb_printf(sb, " %llu/%s", (unsigned long long)(rm[i - 1] / period), rn[i - 1]);
	return rm[i - 1] / SCALE * 1000;
}

/* print_bytes(): "N[k|m]b/s" and the burst in bytes; returns the quantum in ms. */
static uint32_t emit_bytes(struct ctg_strbuf *sb, uint64_t avg, uint64_t burst)
{
	static const char *const un[] = {"m", "k", ""};
	static const uint64_t ut[] = {1024 * 1024, 1024, 1};
	unsigned long long r = cost_to_bytes(avg);
	unsigned i;

	for (i = 0; i < 2; i++)
		if (r >= ut[i] && bytes_to_cost(r & ~(ut[i] - 1)) == avg)
			break;
	ctg_sb_printf(sb, " %llu%sb/s", r / ut[i], un[i]);
	if (burst == 0)
		return 15 * 1000;
	r *= burst;
	for (i = 0; i < 2; i++)
		if (r >= ut[i])
			break;
	ctg_sb_printf(sb, " --hashlimit-burst %llu%sb", r / ut[i], un[i]);
	return 60 * 1000;
}

static void emit_mode(struct ctg_strbuf *sb, uint32_t mode)
{
	static const struct ctg_mu_name order[] = {
		{"srcip", HL_SIP},
		{"srcport", HL_SPT},
		{"dstip", HL_DIP},
		{"dstport", HL_DPT},
	};
	const char *sep = " --hashlimit-mode ";

	for (unsigned i = 0; i < 4; i++)
		if (mode & order[i].val) {
			ctg_sb_printf(sb, "%s%s", sep, order[i].name);
			sep = ",";
		}
}

static void hashlimit_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct hashlimit_data *d = data;
	unsigned dmask = f == CTG_FAMILY_IPV6 ? 128 : 32;
	uint32_t quantum;

	ctg_sb_puts(sb, d->mode & HL_INVERT ? " --hashlimit-above" : " --hashlimit-upto");
	if (d->mode & HL_BYTES) {
		quantum = emit_bytes(sb, d->avg, d->burst);
	} else {
		quantum = emit_rate(sb, d->avg);
		ctg_sb_printf(sb, " --hashlimit-burst %llu", (unsigned long long)d->burst);
	}
	emit_mode(sb, d->mode);
	ctg_sb_printf(sb, " --hashlimit-name %s", d->name);
	if (d->size)
		ctg_sb_printf(sb, " --hashlimit-htable-size %u", d->size);
	if (d->max)
		ctg_sb_printf(sb, " --hashlimit-htable-max %u", d->max);
	if (d->gc_interval != 1000)
		ctg_sb_printf(sb, " --hashlimit-htable-gcinterval %u", d->gc_interval);
	if (d->expire != quantum)
		ctg_sb_printf(sb, " --hashlimit-htable-expire %u", d->expire);
	if (d->srcmask != dmask)
		ctg_sb_printf(sb, " --hashlimit-srcmask %u", d->srcmask);
	if (d->dstmask != dmask)
		ctg_sb_printf(sb, " --hashlimit-dstmask %u", d->dstmask);
	if (d->mode & HL_RATE_MATCH) {
		ctg_sb_puts(sb, " --hashlimit-rate-match");
		if (d->interval != 1)
			ctg_sb_printf(sb, " --hashlimit-rate-interval %u", d->interval);
	}
}

static enum ctg_tri hashlimit_eval(const void *data, const struct ctg_pkt *p,
				   const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* depends on packet history */
}

const struct ctg_match_ops ctg_match_hashlimit = {
	.name = "hashlimit",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct hashlimit_data),
	.parse = hashlimit_parse,
	.final = hashlimit_final,
	.emit = hashlimit_emit,
	.eval = hashlimit_eval,
};
