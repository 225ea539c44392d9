// SPDX-License-Identifier: GPL-2.0-or-later
/* -m time: time of day, weekdays, dates (libxt_time.c, xt_time.c). Eval is unknown. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

enum {
	O_CONTIGUOUS,
	O_DATESTART,
	O_DATESTOP,
	O_KERNELTZ,
	O_LOCALTZ,
	O_MONTHDAYS,
	O_TIMESTART,
	O_TIMESTOP,
	O_UTC,
	O_WEEKDAYS,
};

#define ALL_MONTHDAYS 0xfffffffeu
#define ALL_WEEKDAYS  0xfe
#define MAX_DAYTIME   (24 * 60 * 60 - 1)

struct time_data {
	uint32_t date_start, date_stop;
	uint32_t daytime_start, daytime_stop;
	uint32_t monthdays;
	uint8_t weekdays;
	bool kerneltz, contiguous;
	unsigned seen;
};

static const struct ctg_opt opts[] = {
	{"contiguous", O_CONTIGUOUS, 0},
	{"datestart", O_DATESTART, CTG_OPT_ARG},
	{"datestop", O_DATESTOP, CTG_OPT_ARG},
	{"kerneltz", O_KERNELTZ, 0},
	{"localtz", O_LOCALTZ, 0},
	{"monthdays", O_MONTHDAYS, CTG_OPT_ARG | CTG_OPT_INV},
	{"timestart", O_TIMESTART, CTG_OPT_ARG},
	{"timestop", O_TIMESTOP, CTG_OPT_ARG},
	{"utc", O_UTC, 0},
	{"weekdays", O_WEEKDAYS, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *const names[] = {"contiguous", "datestart", "datestop", "kerneltz", "localtz",
				    "monthdays",  "timestart", "timestop", "utc",      "weekdays"};
static const char *const week_days[] = {NULL, "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* One "N<sep>" field of an ISO date; the last field may end the string. */
static int field(const char **s, char sep, unsigned max, unsigned *out)
{
	char *e;

	*out = strtoul(*s, &e, 10);
	if ((*e != sep && *e) || *out > max)
		return -EINVAL;
	*s = *e ? e + 1 : e;
	return *e ? 1 : 0;
}

/* time_parse_date(): YYYY[-MM[-DD[Thh[:mm[:ss]]]]], UTC. */
static int parse_date(const char *s, uint32_t *out)
{
	unsigned v[6] = {0, 1, 1, 0, 0, 0};
	static const char seps[] = {'-', '-', 'T', ':', ':', '\0'};
	static const unsigned max[] = {2038, 12, 31, 23, 59, 59};
	int64_t t;
	int r = 1;

	for (unsigned i = 0; i < 6 && r == 1; i++) {
		r = field(&s, seps[i], max[i], &v[i]);
		if (r < 0 || (i == 5 && r))
			return -EINVAL;
	}
	if (v[0] < 1970)
		return -EINVAL;
	/* mktime() normalisation: month 0 is December before, day 0 the day before the 1st */
	t = (v[1] ? days_from_civil(v[0], v[1], 1) : days_from_civil(v[0] - 1, 12, 1)) + v[2] - 1;
	t = t * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
	if (t < 0 || t > UINT32_MAX)
		return -EINVAL;
	*out = t;
	return 0;
}

/* time_parse_minutes(): hh:mm[:ss]. */
static int parse_daytime(const char *s, uint32_t *out)
{
	unsigned h, m, sec = 0;
	char *e;

	h = strtoul(s, &e, 10);
	if (*e != ':' || h > 23)
		return -EINVAL;
	m = strtoul(e + 1, &e, 10);
	if ((*e != ':' && *e) || m > 59)
		return -EINVAL;
	if (*e) {
		sec = strtoul(e + 1, &e, 10);
		if (*e || sec > 59)
			return -EINVAL;
	}
	*out = h * 3600 + m * 60 + sec;
	return 0;
}

static int parse_days(const char *s, bool week, uint32_t *out)
{
	char day[4];
	const char *comma;
	unsigned long i;
	char *e;

	for (*out = 0; s && *s; s = comma ? comma + 1 : NULL) {
		comma = strchr(s, ',');
		/* my_strseg() copies into a small buffer: longer words are cut */
		snprintf(day, week ? 4 : 3, "%.*s", (int)(comma ? comma - s : (long)strlen(s)), s);
		i = strtoul(day, &e, 0);
		if (!*e && *day && (week ? (i >= 1 && i <= 7) : i <= 31)) {
			*out |= 1u << i;
			continue;
		}
		if (!week)
			return -EINVAL;
		for (i = 1; i <= 7; i++)
			if (!strncmp(day, week_days[i], 2))
				break;
		if (i > 7)
			return -EINVAL;
		*out |= 1u << i;
	}
	return 0;
}

static int time_opt(struct time_data *d, unsigned id, bool inv, const char *arg)
{
	uint32_t v;
	int err = 0;

	switch (id) {
	case O_DATESTART:
		return parse_date(arg, &d->date_start);
	case O_DATESTOP:
		return parse_date(arg, &d->date_stop);
	case O_TIMESTART:
		return parse_daytime(arg, &d->daytime_start);
	case O_TIMESTOP:
		return parse_daytime(arg, &d->daytime_stop);
	case O_MONTHDAYS:
		err = parse_days(arg, false, &v);
		d->monthdays = inv ? v ^ ALL_MONTHDAYS : v;
		return err;
	case O_WEEKDAYS:
		err = parse_days(arg, true, &v);
		d->weekdays = inv ? v ^ ALL_WEEKDAYS : v;
		return err;
	case O_CONTIGUOUS:
		d->contiguous = true;
		return 0;
	case O_KERNELTZ:
	case O_LOCALTZ:
		d->kerneltz = true;
		return 0;
	}
	return 0;
}

static int time_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		      const char *arg2)
{
	struct time_data *d = data;

	if (!d->seen) {
		d->monthdays = ALL_MONTHDAYS;
		d->weekdays = ALL_WEEKDAYS;
		d->daytime_stop = MAX_DAYTIME;
		d->date_stop = INT_MAX;
	}
	if (ctg_mu_once(c, &d->seen, 1u << id, names[id]))
		return -EINVAL;
	if ((id == O_UTC && (d->seen & ((1u << O_LOCALTZ) | (1u << O_KERNELTZ)))) ||
	    ((id == O_LOCALTZ || id == O_KERNELTZ) && (d->seen & (1u << O_UTC))))
		return ctg_mctx_error(c, "conflicting-options", NULL,
				      "time: --utc conflicts with --kerneltz/--localtz");
	if (time_opt(d, id, inv, arg))
		return ctg_mctx_error(c, "bad-value", NULL, "time: invalid --%s value \"%s\"",
				      names[id], arg);
	return 0;
}

static int time_final(struct ctg_mctx *c, void *data)
{
	struct time_data *d = data;

	if (!d->seen)
		time_parse(c, d, O_UTC, false, NULL, NULL); /* defaults only */
	if (d->contiguous && d->daytime_start < d->daytime_stop)
		return ctg_mctx_error(c, "bad-value", NULL,
				      "time: --contiguous only makes sense when stoptime is "
				      "smaller than starttime");
	return 0;
}

static void emit_date(struct ctg_strbuf *sb, const char *opt, uint32_t t)
{
	int64_t days = t / 86400, rem = t % 86400;
	int64_t z = days + 719468, era = z / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153, d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);

	if (t == 0) /* time_print_date() skips the default start */
		return;
	ctg_sb_printf(sb, " --%s %04u-%02u-%02uT%02u:%02u:%02u", opt, (unsigned)y, m, d,
		      (unsigned)(rem / 3600), (unsigned)(rem / 60 % 60), (unsigned)(rem % 60));
}

static void time_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct time_data *d = data;
	uint32_t a = d->daytime_start, b = d->daytime_stop;

	if (a != 0 || b != MAX_DAYTIME)
		ctg_sb_printf(sb, " --timestart %02u:%02u:%02u --timestop %02u:%02u:%02u", a / 3600,
			      a / 60 % 60, a % 60, b / 3600, b / 60 % 60, b % 60);
	if (d->monthdays != ALL_MONTHDAYS) {
		ctg_sb_puts(sb, " --monthdays ");
		for (unsigned i = 1, n = 0; i <= 31; i++)
			if (d->monthdays & (1u << i))
				ctg_sb_printf(sb, "%s%u", n++ ? "," : "", i);
	}
	if (d->weekdays != ALL_WEEKDAYS) {
		ctg_sb_puts(sb, " --weekdays ");
		for (unsigned i = 1, n = 0; i <= 7; i++)
			if (d->weekdays & (1u << i))
				ctg_sb_printf(sb, "%s%s", n++ ? "," : "", week_days[i]);
	}
	/* iptables-save on 64-bit prints the default stop date (INT_MAX != LONG_MAX) */
	emit_date(sb, "datestart", d->date_start);
	emit_date(sb, "datestop", d->date_stop);
	if (d->kerneltz)
		ctg_sb_puts(sb, " --kerneltz");
	if (d->contiguous)
		ctg_sb_puts(sb, " --contiguous");
}

static enum ctg_tri time_eval(const void *data, const struct ctg_pkt *p,
			      const struct ctg_eval_env *env)
{
	return CTG_UNKNOWN; /* depends on the clock */
}

const struct ctg_match_ops ctg_match_time = {
	.name = "time",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct time_data),
	.parse = time_parse,
	.final = time_final,
	.emit = time_emit,
	.eval = time_eval,
};
