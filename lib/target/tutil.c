// SPDX-License-Identifier: GPL-2.0-or-later
/* NAT ranges for SNAT, DNAT, MASQUERADE, REDIRECT (libxt_NAT.c). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../match/mutil.h"
#include "../ruleset/ir.h"
#include "tutil.h"

static const char *proto_str(uint8_t proto)
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 132:
		return "sctp";
	case 33:
		return "dccp";
	case 136:
		return "udplite";
	default:
		return "tcp";
	}
}

static int one_port(const struct ctg_mctx *c, const char *s, bool allow_zero, uint16_t *out)
{
	if (ctg_mu_port(s, proto_str(c->proto), out) || (*out == 0 && !allow_zero))
		return -EINVAL;
	return 0;
}

/*
 * Like libxt_REDIRECT/libxt_NAT parse_ports: "N", "N-M" (numbers), or one service name
 * (which may contain '-', "ftp-data"); a range of service names is refused.
 */
int ctg_tu_port_range(struct ctg_mctx *c, const char *opt, const char *s, bool allow_zero,
		      uint16_t *lo, uint16_t *hi)
{
	size_t nd = strspn(s, "0123456789");
	bool ok;
	char buf[16];

	if (nd && s[nd] == '-' && nd < sizeof(buf) && strspn(s + nd + 1, "0123456789") &&
	    !s[nd + 1 + strspn(s + nd + 1, "0123456789")]) {
		memcpy(buf, s, nd);
		buf[nd] = '\0';
		ok = !one_port(c, buf, allow_zero, lo) && !one_port(c, s + nd + 1, allow_zero, hi);
	} else {
		ok = !one_port(c, s, allow_zero, lo);
		*hi = *lo;
	}
	if (!ok)
		return ctg_mctx_error(c, "bad-argument", NULL, "invalid port range \"%s\" for --%s",
				      s, opt);
	if (*lo > *hi)
		return ctg_mctx_error(c, "bad-argument", NULL,
				      "invalid port range \"%s\" (min > max)", s);
	return 0;
}

static int addr_range(struct ctg_mctx *c, const char *opt, char *s, struct ctg_nat_range *r)
{
	char *dash = strchr(s, '-'); /* "a-b": '-' occurs in no address */

	if (dash)
		*dash++ = '\0';
	if (ctg_addr_parse(c->family, s, &r->min_addr) ||
	    (dash && ctg_addr_parse(c->family, dash, &r->max_addr)))
		return ctg_mctx_error(c, "bad-argument", NULL, "bad address \"%s\" for --%s",
				      dash ? dash : s, opt);
	if (!dash)
		r->max_addr = r->min_addr;
	r->map_ips = true;
	return 0;
}

int ctg_tu_nat_range(struct ctg_mctx *c, const char *opt, const char *s, struct ctg_nat_range *r)
{
	char buf[128];
	char *port = NULL, *addr = buf;

	memset(r, 0, sizeof(*r));
	if (strlen(s) >= sizeof(buf))
		return ctg_mctx_error(c, "bad-argument", NULL, "argument of --%s too long", opt);
	strcpy(buf, s);
	if (c->family == CTG_FAMILY_IPV6) {
		if (buf[0] == '[') {
			char *close = strchr(buf, ']');

			if (!close)
				return ctg_mctx_error(c, "bad-argument", NULL,
						      "missing \"]\" in \"%s\"", s);
			*close = '\0';
			addr = buf + 1;
			if (close[1] == ':')
				port = close + 2;
			else if (close[1])
				return ctg_mctx_error(c, "bad-argument", NULL, "bad range \"%s\"",
						      s);
		}
	} else {
		port = strchr(buf, ':');
		if (port)
			*port++ = '\0';
	}
	if (*addr && addr_range(c, opt, addr, r))
		return -EINVAL;
	if (port) {
		if (!ctg_tu_proto_has_ports(c))
			return ctg_mctx_error(
				c, "bad-argument", "add -p tcp or -p udp",
				"need TCP, UDP, SCTP or DCCP with port specification");
		char *base = strchr(port, '/');

		if (base) {
			*base++ = '\0';
			if (one_port(c, base, false, &r->base_port))
				return ctg_mctx_error(c, "bad-argument", NULL,
						      "bad base port \"%s\" for --%s", base, opt);
			r->has_base = true;
		}
		if (ctg_tu_port_range(c, opt, port, false, &r->min_port, &r->max_port))
			return -EINVAL;
		r->proto_specified = true;
	}
	if (!r->map_ips && !r->proto_specified)
		return ctg_mctx_error(c, "bad-argument", NULL, "empty range for --%s", opt);
	return 0;
}

void ctg_tu_nat_range_emit(struct ctg_strbuf *sb, int family, const struct ctg_nat_range *r)
{
	char buf[CTG_ADDRSTRLEN];
	bool br = family == CTG_FAMILY_IPV6 && r->proto_specified;

	if (r->map_ips) {
		if (br)
			ctg_sb_putc(sb, '[');
		ctg_sb_puts(sb, ctg_addr_format(family, &r->min_addr, buf, sizeof(buf)));
		if (!ctg_addr_eq(&r->min_addr, &r->max_addr))
			ctg_sb_printf(sb, "-%s",
				      ctg_addr_format(family, &r->max_addr, buf, sizeof(buf)));
		if (br)
			ctg_sb_putc(sb, ']');
	}
	if (r->proto_specified) {
		ctg_sb_printf(sb, ":%u", r->min_port);
		if (r->max_port != r->min_port)
			ctg_sb_printf(sb, "-%u", r->max_port);
		if (r->has_base)
			ctg_sb_printf(sb, "/%u", r->base_port);
	}
}

bool ctg_tu_proto_has_ports(const struct ctg_mctx *c)
{
	if (c->proto_inv)
		return false;
	return c->proto == 6 || c->proto == 17 || c->proto == 132 || c->proto == 33 ||
	       c->proto == 136;
}
