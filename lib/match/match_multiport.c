// SPDX-License-Identifier: GPL-2.0-or-later
/* -m multiport, revision 1 with ranges (libxt_multiport.c, xt_multiport.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../ruleset/ir.h"
#include "mutil.h"

#define MAX_PORTS 15

enum { O_SOURCE = 1, O_DEST = 2, O_EITHER = 3 };

struct multiport_data {
	uint8_t flags; /* O_SOURCE / O_DEST / O_EITHER, 0 before parse */
	uint8_t count;
	bool inv;
	uint16_t ports[MAX_PORTS];
	bool range[MAX_PORTS]; /* ports[i]..ports[i+1] is a range */
};

static const struct ctg_opt opts[] = {
	{"destination-ports", O_DEST, CTG_OPT_ARG | CTG_OPT_INV},
	{"dports", O_DEST, CTG_OPT_ARG | CTG_OPT_INV},
	{"ports", O_EITHER, CTG_OPT_ARG | CTG_OPT_INV},
	{"source-ports", O_SOURCE, CTG_OPT_ARG | CTG_OPT_INV},
	{"sports", O_SOURCE, CTG_OPT_ARG | CTG_OPT_INV},
};

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 33:
		return "dccp";
	case 132:
		return "sctp";
	case 136:
		return "udplite";
	}
	return NULL;
}

static int one_port(struct ctg_mctx *c, const char *w, size_t len, const char *proto, uint16_t *out)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%.*s", (int)len, w);
	if (len >= sizeof(buf) || ctg_mu_port(buf, proto, out))
		return ctg_mctx_error(c, "bad-port", "ports are 0-65535 or a service name",
				      "invalid port/service \"%s\" specified", buf);
	return 0;
}

/* One list element "p" or "a:b" at w (len chars). */
static int parse_elem(struct ctg_mctx *c, struct multiport_data *d, const char *w, size_t len,
		      const char *proto)
{
	const char *colon = memchr(w, ':', len);
	unsigned i = d->count;

	if (i >= MAX_PORTS || (colon && i + 1 >= MAX_PORTS))
		return ctg_mctx_error(c, "too-many-ports",
				      "at most 15 ports; a range counts as two",
				      "too many ports specified");
	if (!colon)
		return one_port(c, w, len, proto, &d->ports[d->count++]);
	if (one_port(c, w, (size_t)(colon - w), proto, &d->ports[i]) ||
	    one_port(c, colon + 1, len - (size_t)(colon - w) - 1, proto, &d->ports[i + 1]))
		return -EINVAL;
	if (d->ports[i] >= d->ports[i + 1])
		return ctg_mctx_error(c, "bad-port", "a range is LOW:HIGH with LOW < HIGH",
				      "invalid portrange specified");
	d->range[i] = true;
	d->count += 2;
	return 0;
}

static int multiport_parse(struct ctg_mctx *c, void *data, unsigned id, bool inv, const char *arg,
			   const char *arg2)
{
	struct multiport_data *d = data;
	const char *proto = proto_name(c->proto);

	if (d->flags)
		return ctg_mctx_error(c, "duplicate-option",
				      "use one of --sports, --dports, --ports",
				      "multiport can only have one option");
	d->flags = (uint8_t)id;
	d->inv = inv;
	for (const char *p = arg;;) {
		size_t len = strcspn(p, ",");

		if (parse_elem(c, d, p, len, proto))
			return -EINVAL;
		p += len;
		if (!*p++)
			return 0;
	}
}

static int multiport_final(struct ctg_mctx *c, void *data)
{
	const struct multiport_data *d = data;

	if (c->proto_inv || (c->proto && !proto_name(c->proto)))
		return ctg_mctx_error(c, "match-needs-proto", NULL,
				      "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP");
	if (!c->proto)
		return ctg_mctx_error(c, "match-needs-proto", "add -p tcp or -p udp before -m",
				      "multiport needs -p tcp, -p udp, -p udplite, -p sctp or "
				      "-p dccp");
	if (!d->flags)
		return ctg_mctx_error(c, "missing-option", "add --dports, --sports or --ports",
				      "multiport expects an option");
	return 0;
}

static void multiport_emit(const void *data, enum ctg_family f, struct ctg_strbuf *sb)
{
	const struct multiport_data *d = data;
	static const char *const names[] = {"", "sports", "dports", "ports"};

	ctg_mu_opt(sb, d->inv, names[d->flags & 3]);
	ctg_sb_putc(sb, ' ');
	for (unsigned i = 0; i < d->count; i++) {
		ctg_sb_printf(sb, "%s%u", i ? "," : "", d->ports[i]);
		if (d->range[i])
			ctg_sb_printf(sb, ":%u", d->ports[++i]);
	}
}

static bool hit(uint16_t lo, uint16_t hi, uint8_t flags, const struct ctg_pkt *p)
{
	if ((flags & O_SOURCE) && p->sport >= lo && p->sport <= hi)
		return true;
	return (flags & O_DEST) && p->dport >= lo && p->dport <= hi;
}

static enum ctg_tri multiport_eval(const void *data, const struct ctg_pkt *p,
				   const struct ctg_eval_env *env)
{
	const struct multiport_data *d = data;

	if (p->fragment)
		return CTG_FALSE;
	for (unsigned i = 0; i < d->count; i++) {
		uint16_t lo = d->ports[i], hi = d->range[i] ? d->ports[i + 1] : lo;

		if (hit(lo, hi, d->flags, p))
			return d->inv ? CTG_FALSE : CTG_TRUE;
		i += d->range[i];
	}
	return d->inv ? CTG_TRUE : CTG_FALSE;
}

const struct ctg_match_ops ctg_match_multiport = {
	.name = "multiport",
	.family_mask = 3,
	.opts = opts,
	.nopts = sizeof(opts) / sizeof(opts[0]),
	.size = sizeof(struct multiport_data),
	.parse = multiport_parse,
	.final = multiport_final,
	.emit = multiport_emit,
	.eval = multiport_eval,
};
