// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -j CT (raw table): conntrack template: --notrack, --zone, --helper, --ctevents,
 * --expevents, --timeout (libxt_CT revision 2). -j NOTRACK is its alias.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"

enum { O_CTEVENTS, O_EXPEVENTS, O_HELPER, O_NOTRACK, O_TIMEOUT, O_ZONE, O_ZONE_ORIG, O_ZONE_REPLY };
enum { Z_ORIG = 1, Z_REPLY = 2, Z_MARK = 4 };

struct ct_data {
	bool notrack;
	char helper[16];
	char timeout[32];
	uint32_t ct_events, exp_events;
	uint16_t zone;
	uint8_t zone_flags; /* Z_*; 0 = both directions */
	bool zone_set;
};

static const struct ctg_opt opts[] = {
	{"ctevents", O_CTEVENTS, CTG_OPT_ARG},	 {"expevents", O_EXPEVENTS, CTG_OPT_ARG},
	{"helper", O_HELPER, CTG_OPT_ARG},	 {"notrack", O_NOTRACK, 0},
	{"timeout", O_TIMEOUT, CTG_OPT_ARG},	 {"zone", O_ZONE, CTG_OPT_ARG},
	{"zone-orig", O_ZONE_ORIG, CTG_OPT_ARG}, {"zone-reply", O_ZONE_REPLY, CTG_OPT_ARG},
};

static const struct ctg_mu_name ct_events[] = {
	{"new", 1 << 0},	{"related", 1 << 1},   {"destroy", 1 << 2}, {"reply", 1 << 3},
	{"assured", 1 << 4},	{"protoinfo", 1 << 5}, {"helper", 1 << 6},  {"mark", 1 << 7},
	{"natseqinfo", 1 << 8}, {"secmark", 1 << 9},
};
static const struct ctg_mu_name exp_events[] = {{"new", 1}};

static int zone(struct ctg_mctx *c, struct ct_data *d, unsigned id, const char *arg)
{
	uint64_t v;

	d->zone_flags = id == O_ZONE_ORIG ? Z_ORIG : id == O_ZONE_REPLY ? Z_REPLY : 0;
	d->zone_set = true;
	if (!strcmp(arg, "mark")) {
		d->zone_flags |= Z_MARK;
		return 0;
	}
	if (ctg_mu_uint(arg, 65535, &v))
		return ctg_mctx_error(c, "bad-argument", NULL, "bad zone \"%s\"", arg);
	d->zone = (uint16_t)v;
	return 0;
}

static int copy_name(struct ctg_mctx *c, char *dst, size_t size, const char *arg)
{
	if (strlen(arg) >= size)
		return ctg_mctx_error(c, "bad-argument", NULL, "name \"%s\" too long", arg);
	strcpy(dst, arg);
	return 0;
}

static int ct_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
		    const char *arg2)
{
	struct ct_data *d = data;
	const char *bad = NULL;

	switch (id) {
	case O_NOTRACK:
		d->notrack = true;
		return 0;
	case O_HELPER:
		return copy_name(c, d->helper, sizeof(d->helper), arg);
	case O_TIMEOUT:
		return copy_name(c, d->timeout, sizeof(d->timeout), arg);
	case O_CTEVENTS:
	case O_EXPEVENTS:
		if (id == O_CTEVENTS
			    ? ctg_mu_flags(arg, ct_events, 10, false, &d->ct_events, &bad)
			    : ctg_mu_flags(arg, exp_events, 1, false, &d->exp_events, &bad))
			return ctg_mctx_error(c, "bad-argument", NULL, "unknown event \"%s\"",
					      bad ? bad : arg);
		return 0;
	default:
		return zone(c, d, id, arg);
	}
}

static void ct_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct ct_data *d = data;

	if (d->notrack)
		ctg_sb_puts(sb, " --notrack");
	if (d->helper[0])
		ctg_sb_printf(sb, " --helper %s", d->helper);
	if (d->ct_events) {
		ctg_sb_puts(sb, " --ctevents ");
		ctg_mu_flag_list(sb, d->ct_events, ct_events, 10, "");
	}
	if (d->exp_events)
		ctg_sb_puts(sb, " --expevents new");
	if (d->zone_set && ((d->zone_flags & Z_MARK) || d->zone)) {
		const char *dir = (d->zone_flags & Z_ORIG)    ? "-orig"
				  : (d->zone_flags & Z_REPLY) ? "-reply"
							      : "";

		if (d->zone_flags & Z_MARK)
			ctg_sb_printf(sb, " --zone%s mark", dir);
		else
			ctg_sb_printf(sb, " --zone%s %u", dir, d->zone);
	}
	if (d->timeout[0])
		ctg_sb_printf(sb, " --timeout %s", d->timeout);
}

/* --notrack: the packet will be UNTRACKED (raw runs before conntrack). */
static enum ctg_verdict ct_apply(const void *data, struct ctg_pkt *p)
{
	if (((const struct ct_data *)data)->notrack) {
		p->ctstate = CTG_CTS_UNTRACKED;
		p->ct = NULL;
	}
	return CTG_V_CONTINUE;
}

const struct ctg_target_ops ctg_target_CT = {
	.name = "CT",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct ct_data),
	.parse = ct_parse,
	.emit = ct_emit,
	.apply = ct_apply,
	.verdict = CTG_V_CONTINUE,
	.tables = 1u << CTG_TABLE_RAW,
	.needs_ct = true,
};
