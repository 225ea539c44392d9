// SPDX-License-Identifier: GPL-2.0-or-later
/* -m conntrack (libxt_conntrack.c revision 3, xt_conntrack.c conntrack_mt). */
#include <errno.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

/* Option ids double as bit numbers in seen/inv; the order is iptables-save's print order. */
enum {
	O_STATE,
	O_PROTO,
	O_ORIGSRC,
	O_ORIGDST,
	O_REPLSRC,
	O_REPLDST,
	O_ORIGSRCPORT,
	O_ORIGDSTPORT,
	O_REPLSRCPORT,
	O_REPLDSTPORT,
	O_STATUS,
	O_EXPIRE,
	O_DIR,
	O_MAX,
};

static const char *const names[O_MAX] = {
	"ctstate",   "ctproto",	      "ctorigsrc",     "ctorigdst",	"ctreplsrc",
	"ctrepldst", "ctorigsrcport", "ctorigdstport", "ctreplsrcport", "ctrepldstport",
	"ctstatus",  "ctexpire",      "ctdir",
};

struct conntrack_data {
	uint16_t seen, inv;
	uint8_t state; /* CTG_CTS_* */
	uint8_t proto;
	bool reply; /* --ctdir REPLY */
	uint32_t status;
	uint32_t expire[2];
	uint16_t ports[4][2];		  /* O_ORIGSRCPORT.. */
	struct ctg_addr addr[4], mask[4]; /* O_ORIGSRC.. */
};

#define A (CTG_OPT_ARG | CTG_OPT_INV)
static const struct ctg_opt opts[] = {
	{"ctdir", O_DIR, CTG_OPT_ARG},
	{"ctexpire", O_EXPIRE, A},
	{"ctorigdst", O_ORIGDST, A},
	{"ctorigdstport", O_ORIGDSTPORT, A},
	{"ctorigsrc", O_ORIGSRC, A},
	{"ctorigsrcport", O_ORIGSRCPORT, A},
	{"ctproto", O_PROTO, A},
	{"ctrepldst", O_REPLDST, A},
	{"ctrepldstport", O_REPLDSTPORT, A},
	{"ctreplsrc", O_REPLSRC, A},
	{"ctreplsrcport", O_REPLSRCPORT, A},
	{"ctstate", O_STATE, A},
	{"ctstatus", O_STATUS, A},
};
#undef A

/* Print order of conntrack_dump_status. */
static const struct ctg_mu_name statuses[] = {
	{"EXPECTED", CTG_IPS_EXPECTED},
	{"SEEN_REPLY", CTG_IPS_SEEN_REPLY},
	{"ASSURED", CTG_IPS_ASSURED},
	{"CONFIRMED", CTG_IPS_CONFIRMED},
	{"NONE", 0},
};

static int parse_status(struct ctg_mctx *c, const char *arg, uint32_t *out)
{
	const char *p = arg;

	*out = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; len && i < 5; i++)
			if (!strncasecmp(p, statuses[i].name, len) &&
			    len <= strlen(statuses[i].name))
				break;
		if (!len || i == 5)
			return ctg_mctx_error(c, "bad-value",
					      "NONE, EXPECTED, SEEN_REPLY, ASSURED, CONFIRMED",
					      "bad ctstatus \"%.*s\"", (int)len, p);
		*out |= statuses[i].val;
		p += len;
		if (!*p++)
			return 0;
	}
}

static int parse_misc(struct ctg_mctx *c, struct conntrack_data *d, unsigned id, const char *arg)
{
	const char *bad = NULL;
	uint64_t r[2];
	int rc;

	switch (id) {
	case O_STATE:
		if (ctg_mu_ctstates(arg, true, &d->state, &bad))
			return ctg_mctx_error(c, "bad-state",
					      "states are INVALID, NEW, "
					      "ESTABLISHED, RELATED, UNTRACKED, SNAT, DNAT",
					      "bad ctstate \"%s\"", bad);
		return 0;
	case O_PROTO:
		if (ctg_mu_proto(arg, &d->proto))
			return ctg_mctx_error(c, "bad-proto", NULL,
					      "unknown protocol \"%s\" specified", arg);
		if (!d->proto)
			return ctg_mctx_error(c, "bad-proto", "omit --ctproto to match all",
					      "conntrack: --ctproto 0 is not supported");
		return 0;
	case O_STATUS:
		return parse_status(c, arg, &d->status);
	case O_EXPIRE:
		rc = ctg_mu_uint_range(arg, ':', UINT32_MAX, r);
		if (rc)
			return ctg_mctx_error(c, "bad-value", "seconds left, N or MIN:MAX",
					      rc == -ERANGE ? "--ctexpire: invalid range \"%s\""
							    : "--ctexpire: bad value \"%s\"",
					      arg);
		d->expire[0] = (uint32_t)r[0];
		d->expire[1] = (uint32_t)r[1];
		return 0;
	case O_DIR:
		if (!strcasecmp(arg, "ORIGINAL") || !strcasecmp(arg, "REPLY")) {
			d->reply = !strcasecmp(arg, "REPLY");
			return 0;
		}
		return ctg_mctx_error(c, "bad-value", "ORIGINAL or REPLY",
				      "bad --ctdir value \"%s\"", arg);
	}
	return -EINVAL;
}

static int conntrack_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			   const char *arg2)
{
	struct conntrack_data *d = data;
	int rc;

	if (id >= O_MAX)
		return -EINVAL;
	if (d->seen & (1u << id))
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "conntrack: option \"--%s\" can only be used once",
				      names[id]);
	d->seen |= 1u << id;
	d->inv |= inv ? 1u << id : 0;
	if (id >= O_ORIGSRC && id <= O_REPLDST) {
		rc = ctg_mu_addr_mask(c->family, arg, &d->addr[id - O_ORIGSRC],
				      &d->mask[id - O_ORIGSRC]);
		if (rc)
			return ctg_mctx_error(c, "bad-address", "a numeric address[/mask]",
					      "--%s: bad address \"%s\"", names[id], arg);
		return 0;
	}
	if (id >= O_ORIGSRCPORT && id <= O_REPLDSTPORT)
		return ctg_mu_ports_arg(c, names[id], arg, NULL, d->ports[id - O_ORIGSRCPORT]);
	return parse_misc(c, d, id, arg);
}

static int conntrack_final(struct ctg_mctx *c, void *data)
{
	const struct conntrack_data *d = data;

	if (!d->seen)
		return ctg_mctx_error(c, "missing-option",
				      "add --ctstate LIST or another --ct option",
				      "conntrack: at least one option is required");
	return 0;
}

static void emit_one(const struct conntrack_data *d, unsigned id, enum ctg_family f,
		     struct ctg_strbuf *sb)
{
	ctg_mu_opt(sb, d->inv & (1u << id), names[id]);
	ctg_sb_putc(sb, ' ');
	if (id >= O_ORIGSRC && id <= O_REPLDST) {
		ctg_mu_addr(sb, f, &d->addr[id - O_ORIGSRC], &d->mask[id - O_ORIGSRC]);
		return;
	}
	if (id >= O_ORIGSRCPORT && id <= O_REPLDSTPORT) {
		const uint16_t *r = d->ports[id - O_ORIGSRCPORT];

		ctg_mu_range(sb, r[0], r[1], ':');
		return;
	}
	switch (id) {
	case O_STATE:
		ctg_mu_ctstates_emit(sb, d->state);
		break;
	case O_PROTO:
		ctg_sb_printf(sb, "%u", d->proto);
		break;
	case O_STATUS:
		ctg_mu_flag_list(sb, d->status, statuses, 4, "NONE");
		break;
	case O_EXPIRE:
		ctg_mu_range(sb, d->expire[0], d->expire[1], ':');
		break;
	case O_DIR:
		ctg_sb_puts(sb, d->reply ? "REPLY" : "ORIGINAL");
		break;
	}
}

static void conntrack_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct conntrack_data *d = data;

	for (unsigned id = 0; id < O_MAX; id++)
		if (d->seen & (1u << id))
			emit_one(d, id, f, sb);
}

/* One option against an existing entry; true when the option (with its "!") matches. */
static bool test_entry(const struct conntrack_data *d, unsigned id, const struct ctg_pkt *p)
{
	const struct ctg_ct_entry *ct = p->ct;
	const struct ctg_tuple *t;
	bool m = false;

	switch (id) {
	case O_PROTO:
		m = ct->l4proto == d->proto;
		break;
	case O_ORIGSRC:
	case O_ORIGDST:
	case O_REPLSRC:
	case O_REPLDST: {
		unsigned k = id - O_ORIGSRC;
		struct ctg_addr net = d->addr[k];

		t = k < 2 ? &ct->orig : &ct->reply;
		for (int i = 0; i < 4; i++)
			net.w[i] &= d->mask[k].w[i];
		m = ctg_addr_match(k % 2 ? &t->dst : &t->src, &net, &d->mask[k]);
		break;
	}
	case O_ORIGSRCPORT:
	case O_ORIGDSTPORT:
	case O_REPLSRCPORT:
	case O_REPLDSTPORT: {
		unsigned k = id - O_ORIGSRCPORT;
		uint16_t port;

		t = k < 2 ? &ct->orig : &ct->reply;
		port = k % 2 ? t->dport : t->sport;
		m = port >= d->ports[k][0] && port <= d->ports[k][1];
		break;
	}
	case O_STATUS:
		m = (ct->status & d->status) != 0;
		break;
	case O_EXPIRE:
		m = ct->timeout >= d->expire[0] && ct->timeout <= d->expire[1];
		break;
	case O_DIR:
		return p->ct_reply_dir == d->reply;
	}
	return m != !!(d->inv & (1u << id));
}

static enum ctg_tri test_state(const struct conntrack_data *d, const struct ctg_pkt *p)
{
	uint8_t bits = p->ctstate;

	if (!(bits & (CTG_CTS_INVALID | CTG_CTS_NEW | CTG_CTS_ESTABLISHED | CTG_CTS_RELATED |
		      CTG_CTS_UNTRACKED)))
		return CTG_UNKNOWN;
	if (p->ct && (p->ct->status & CTG_IPS_SRC_NAT))
		bits |= CTG_CTS_SNAT;
	if (p->ct && (p->ct->status & CTG_IPS_DST_NAT))
		bits |= CTG_CTS_DNAT;
	return ((d->state & bits) != 0) != !!(d->inv & (1u << O_STATE)) ? CTG_TRUE : CTG_FALSE;
}

static enum ctg_tri conntrack_eval(const void *data, const struct ctg_pkt *p,
				   const struct ctg_eval_env *env)
{
	const struct conntrack_data *d = data;
	enum ctg_tri r = CTG_TRUE;

	if (d->seen & (1u << O_STATE)) {
		r = test_state(d, p);
		if (r == CTG_FALSE)
			return r;
	}
	if (!p->ct) /* no entry: only the state test can be true (conntrack_mt) */
		return (d->seen & (1u << O_STATE)) ? r : CTG_FALSE;
	for (unsigned id = O_PROTO; id < O_MAX; id++)
		if ((d->seen & (1u << id)) && !test_entry(d, id, p))
			return CTG_FALSE;
	return r;
}

const struct ctg_match_ops ctg_match_conntrack = {
	.name = "conntrack",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct conntrack_data),
	.parse = conntrack_parse,
	.final = conntrack_final,
	.emit = conntrack_emit,
	.eval = conntrack_eval,
	.needs_ct = true,
};
