// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared helpers for match modules (see mutil.h). */
#include <ctype.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../ruleset/ir.h"
#include "mutil.h"

int ctg_mu_uint(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || !isdigit((unsigned char)*s))
		return -EINVAL;
	if (*s != '0') { /* plain decimal of up to 18 digits: what strtoull would say */
		const char *q = s;

		for (v = 0; isdigit((unsigned char)*q) && q - s < 18; q++)
			v = v * 10 + (unsigned)(*q - '0');
		if (!*q) {
			if (v > max)
				return -ERANGE;
			*out = v;
			return 0;
		}
	}
	errno = 0;
	v = strtoull(s, &end, 0);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* Protocols a service is defined for. */
enum { T = 1, U = 2, S = 4, TU = T | U };

struct service {
	const char *name;
	uint16_t port;
	uint8_t protos;
};

/* Common names from Debian's netbase /etc/services (with aliases), sorted by name. */
static const struct service services[] = {
	{"amqp", 5672, T | S},
	{"auth", 113, T},
	{"bgp", 179, T},
	{"bootpc", 68, U},
	{"bootps", 67, U},
	{"chargen", 19, TU},
	{"daytime", 13, TU},
	{"dhcpv6-client", 546, U},
	{"dhcpv6-server", 547, U},
	{"discard", 9, TU},
	{"domain", 53, TU},
	{"domain-s", 853, TU},
	{"echo", 7, TU},
	{"finger", 79, T},
	{"ftp", 21, T},
	{"ftp-data", 20, T},
	{"ftps", 990, T},
	{"ftps-data", 989, T},
	{"git", 9418, T},
	{"http", 80, T},
	{"http-alt", 8080, T},
	{"https", 443, TU},
	{"ident", 113, T},
	{"imap", 143, T},
	{"imap2", 143, T},
	{"imaps", 993, T},
	{"ipp", 631, T},
	{"ipsec-nat-t", 4500, U},
	{"isakmp", 500, U},
	{"kerberos", 88, TU},
	{"ldap", 389, TU},
	{"ldaps", 636, TU},
	{"mdns", 5353, U},
	{"microsoft-ds", 445, T},
	{"ms-sql-s", 1433, T},
	{"ms-wbt-server", 3389, T},
	{"mysql", 3306, T},
	{"netbios-dgm", 138, U},
	{"netbios-ns", 137, U},
	{"netbios-ssn", 139, T},
	{"nfs", 2049, TU},
	{"nntp", 119, T},
	{"nrpe", 5666, T},
	{"ntp", 123, U},
	{"openvpn", 1194, TU},
	{"pop3", 110, T},
	{"pop3s", 995, T},
	{"postgresql", 5432, T},
	{"printer", 515, T},
	{"radius", 1812, TU},
	{"radius-acct", 1813, TU},
	{"redis", 6379, T},
	{"rsync", 873, T},
	{"rtsp", 554, TU},
	{"sip", 5060, TU},
	{"sip-tls", 5061, TU},
	{"smtp", 25, T},
	{"snmp", 161, TU},
	{"snmp-trap", 162, TU},
	{"ssh", 22, T},
	{"submission", 587, T},
	{"submissions", 465, T},
	{"sunrpc", 111, TU},
	{"syslog", 514, U},
	{"syslog-tls", 6514, T},
	{"telnet", 23, T},
	{"tftp", 69, U},
	{"time", 37, TU},
	{"webmin", 10000, T},
	{"whois", 43, T},
	{"www", 80, T},
	{"x11", 6000, T},
	{"xmpp-client", 5222, T},
	{"xmpp-server", 5269, T},
	{"zabbix-agent", 10050, T},
	{"zabbix-trapper", 10051, T},
};

static int cmp_service(const void *key, const void *elem)
{
	return strcmp(key, ((const struct service *)elem)->name);
}

int ctg_mu_service_port(const char *name, const char *proto)
{
	const struct service *sv;
	unsigned want = T;

	sv = bsearch(name, services, sizeof(services) / sizeof(services[0]), sizeof(services[0]),
		     cmp_service);
	if (!sv)
		return -1;
	if (proto && !strcmp(proto, "udp"))
		want = U;
	else if (proto && !strcmp(proto, "sctp"))
		want = S;
	else if (proto && !strcmp(proto, "tcp"))
		want = T;
	else
		want = T | U | S; /* udplite, dccp, unspecified: any definition */
	return (sv->protos & want) ? sv->port : -1;
}

int ctg_mu_port(const char *s, const char *proto, uint16_t *out)
{
	uint64_t v;
	int port;

	if (ctg_mu_uint(s, UINT16_MAX, &v) == 0) {
		*out = (uint16_t)v;
		return 0;
	}
	port = ctg_mu_service_port(s, proto);
	if (port < 0)
		return -EINVAL;
	*out = (uint16_t)port;
	return 0;
}

int ctg_mu_port_range(const char *s, const char *proto, uint16_t r[2])
{
	const char *colon = strchr(s, ':');
	char lo[64];
	size_t n;

	if (!colon) {
		if (ctg_mu_port(s, proto, &r[0]))
			return -EINVAL;
		r[1] = r[0];
		return 0;
	}
	n = (size_t)(colon - s);
	if (n >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, s, n);
	lo[n] = 0;
	r[0] = 0;
	r[1] = UINT16_MAX;
	if (n && ctg_mu_port(lo, proto, &r[0]))
		return -EINVAL;
	if (colon[1] && ctg_mu_port(colon + 1, proto, &r[1]))
		return -EINVAL;
	return r[0] > r[1] ? -ERANGE : 0;
}

int ctg_mu_uint_range(const char *s, char sep, uint64_t max, uint64_t r[2])
{
	const char *p = strchr(s, sep);
	char lo[32];
	size_t n;
	int rc;

	if (!p) {
		rc = ctg_mu_uint(s, max, &r[0]);
		r[1] = r[0];
		return rc;
	}
	n = (size_t)(p - s);
	if (n >= sizeof(lo))
		return -EINVAL;
	memcpy(lo, s, n);
	lo[n] = 0;
	if ((rc = ctg_mu_uint(lo, max, &r[0])) || (rc = ctg_mu_uint(p + 1, max, &r[1])))
		return rc;
	return r[0] > r[1] ? -ERANGE : 0;
}

int64_t ctg_mu_lookup(const char *s, const struct ctg_mu_name *t, size_t n, bool icase)
{
	for (size_t i = 0; i < n; i++)
		if (icase ? !strcasecmp(s, t[i].name) : !strcmp(s, t[i].name))
			return t[i].val;
	return -1;
}

int ctg_mu_flags(const char *s, const struct ctg_mu_name *t, size_t n, bool icase, uint32_t *out,
		 const char **bad)
{
	static _Thread_local char word[64];
	const char *p = s;

	*out = 0;
	for (;;) {
		size_t len = strcspn(p, ",");
		int64_t v;

		if (len >= sizeof(word))
			len = sizeof(word) - 1;
		memcpy(word, p, len);
		word[len] = 0;
		v = ctg_mu_lookup(word, t, n, icase);
		if (v < 0) {
			if (bad)
				*bad = word;
			return -EINVAL;
		}
		*out |= (uint32_t)v;
		p += strcspn(p, ",");
		if (!*p)
			return 0;
		p++;
	}
}

/* Parse order of libxt_conntrack (prefixes resolve to the first). */
static const struct ctg_mu_name ctstate_parse[] = {
	{"INVALID", CTG_CTS_INVALID},
	{"NEW", CTG_CTS_NEW},
	{"ESTABLISHED", CTG_CTS_ESTABLISHED},
	{"RELATED", CTG_CTS_RELATED},
	{"UNTRACKED", CTG_CTS_UNTRACKED},
	{"SNAT", CTG_CTS_SNAT},
	{"DNAT", CTG_CTS_DNAT},
};

static const struct ctg_mu_name ctstate_print[] = {
	{"INVALID", CTG_CTS_INVALID},	  {"NEW", CTG_CTS_NEW},
	{"RELATED", CTG_CTS_RELATED},	  {"ESTABLISHED", CTG_CTS_ESTABLISHED},
	{"UNTRACKED", CTG_CTS_UNTRACKED}, {"SNAT", CTG_CTS_SNAT},
	{"DNAT", CTG_CTS_DNAT},
};

int ctg_mu_ctstates(const char *s, bool nat, uint8_t *out, const char **bad)
{
	static _Thread_local char word[64];
	size_t n = nat ? 7 : 5;

	*out = 0;
	for (const char *p = s;; p++) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; len && i < n; i++)
			if (!strncasecmp(p, ctstate_parse[i].name, len) &&
			    len <= strlen(ctstate_parse[i].name))
				break;
		if (!len || i == n) {
			snprintf(word, sizeof(word), "%.*s", (int)len, p);
			if (bad)
				*bad = word;
			return -EINVAL;
		}
		*out |= (uint8_t)ctstate_parse[i].val;
		p += len;
		if (!*p)
			return 0;
	}
}

void ctg_mu_ctstates_emit(struct ctg_strbuf *sb, uint8_t v)
{
	ctg_mu_flag_list(sb, v, ctstate_print, 7, "");
}

static const struct ctg_mu_name protos[] = {
	{"ah", 51},	{"all", 0},   {"dccp", 33},	{"egp", 8},	   {"encap", 98},
	{"esp", 50},	{"gre", 47},  {"icmp", 1},	{"icmpv6", 58},	   {"igmp", 2},
	{"ipencap", 4}, {"ipip", 94}, {"ipv6", 41},	{"ipv6-icmp", 58}, {"l2tp", 115},
	{"mh", 135},	{"ospf", 89}, {"pim", 103},	{"rsvp", 46},	   {"sctp", 132},
	{"tcp", 6},	{"udp", 17},  {"udplite", 136}, {"vrrp", 112},
};

int ctg_mu_proto(const char *s, uint8_t *out)
{
	uint64_t v;
	int64_t r;

	if (ctg_mu_uint(s, UINT8_MAX, &v) == 0) {
		*out = (uint8_t)v;
		return 0;
	}
	r = ctg_mu_lookup(s, protos, sizeof(protos) / sizeof(protos[0]), true);
	if (r < 0)
		return -EINVAL;
	*out = (uint8_t)r;
	return 0;
}

int ctg_mu_icmp_type(const char *s, const struct ctg_mu_icmp *t, size_t n, uint8_t *type,
		     uint8_t code[2])
{
	size_t len = strlen(s), match = n;
	const char *slash;
	uint64_t v, r[2];
	char buf[8];

	for (size_t i = 0; len && i < n; i++) {
		if (strncasecmp(t[i].name, s, len))
			continue;
		if (match != n)
			return -EEXIST;
		match = i;
	}
	if (match != n) {
		*type = t[match].type;
		code[0] = t[match].code_min;
		code[1] = t[match].code_max;
		return 0;
	}
	slash = strchr(s, '/');
	len = slash ? (size_t)(slash - s) : len;
	if (len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = 0;
	if (ctg_mu_uint(buf, UINT8_MAX, &v))
		return -EINVAL;
	*type = (uint8_t)v;
	code[0] = 0;
	code[1] = UINT8_MAX;
	if (!slash)
		return 0;
	if (ctg_mu_uint_range(slash + 1, ':', UINT8_MAX, r))
		return -EINVAL;
	code[0] = (uint8_t)r[0];
	code[1] = (uint8_t)r[1];
	return 0;
}

int ctg_mu_value_mask(const char *s, uint32_t *val, uint32_t *mask, bool *has_mask)
{
	const char *slash = strchr(s, '/');
	char buf[32];
	uint64_t v, m = UINT32_MAX;
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	int rc;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if ((rc = ctg_mu_uint(buf, UINT32_MAX, &v)))
		return rc;
	if (slash && (rc = ctg_mu_uint(slash + 1, UINT32_MAX, &m)))
		return rc;
	*val = (uint32_t)v;
	*mask = (uint32_t)m;
	if (has_mask)
		*has_mask = slash != NULL;
	return 0;
}

int ctg_mu_addr_mask(int family, const char *s, struct ctg_addr *addr, struct ctg_addr *mask)
{
	const char *slash = strchr(s, '/');
	unsigned maxlen = family == 2 ? 32 : 128;
	char buf[CTG_ADDRSTRLEN + 1];
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	uint64_t len = maxlen;

	if (n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = 0;
	if (ctg_addr_parse(family, buf, addr))
		return -EINVAL;
	if (slash && ctg_mu_uint(slash + 1, maxlen, &len) != 0) {
		if (ctg_addr_parse(family, slash + 1, mask))
			return -EINVAL;
		return 0;
	}
	ctg_addr_mask_from_len(family, (unsigned)len, mask);
	return 0;
}

void ctg_mu_opt(struct ctg_strbuf *sb, bool inv, const char *name)
{
	ctg_sb_puts(sb, inv ? " ! --" : " --");
	ctg_sb_puts(sb, name);
}

void ctg_mu_range(struct ctg_strbuf *sb, uint64_t lo, uint64_t hi, char sep)
{
	if (lo == hi)
		ctg_sb_printf(sb, "%llu", (unsigned long long)lo);
	else
		ctg_sb_printf(sb, "%llu%c%llu", (unsigned long long)lo, sep,
			      (unsigned long long)hi);
}

void ctg_mu_flag_list(struct ctg_strbuf *sb, uint32_t v, const struct ctg_mu_name *t, size_t n,
		      const char *none)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		if (!t[i].val || (v & t[i].val) != t[i].val)
			continue;
		if (!first)
			ctg_sb_putc(sb, ',');
		ctg_sb_puts(sb, t[i].name);
		first = false;
		v &= ~t[i].val;
	}
	if (first && none)
		ctg_sb_puts(sb, none);
}

void ctg_mu_quoted(struct ctg_strbuf *sb, const char *s)
{
	static const char plain[] = "_-0123456789abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strspn(s, plain);

	ctg_sb_putc(sb, ' ');
	if (n > 0 && !s[n]) {
		ctg_sb_puts(sb, s);
		return;
	}
	ctg_sb_putc(sb, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '\'')
			ctg_sb_putc(sb, '\\');
		ctg_sb_putc(sb, *s);
	}
	ctg_sb_putc(sb, '"');
}

void ctg_mu_addr(struct ctg_strbuf *sb, int family, const struct ctg_addr *a,
		 const struct ctg_addr *mask)
{
	char buf[CTG_ADDRSTRLEN];
	int len = ctg_addr_mask_len(family, mask);

	ctg_sb_puts(sb, ctg_addr_format(family, a, buf, sizeof(buf)));
	if (len == (family == 2 ? 32 : 128))
		return;
	if (len >= 0)
		ctg_sb_printf(sb, "/%d", len);
	else
		ctg_sb_printf(sb, "/%s", ctg_addr_format(family, mask, buf, sizeof(buf)));
}

int ctg_mu_ports_arg(struct ctg_mctx *c, const char *opt, const char *arg, const char *proto,
		     uint16_t r[2])
{
	int rc = ctg_mu_port_range(arg, proto, r);

	/*
	 * iptables 1.8.9 (Debian 12) checks min > max for tcp, sctp and multiport only: its
	 * iptables-restore loads such a udp, dccp or conntrack range, the kernel runs it (it
	 * matches no port) and iptables-save prints it. Read it, with a warning.
	 */
	if (rc == -ERANGE && !c->strict &&
	    (!proto || !strcmp(proto, "udp") || !strcmp(proto, "dccp"))) {
		ctg_mctx_warn(c, "empty-port-range",
			      "--%s: port range \"%s\" has min > max: it matches no port "
			      "(iptables 1.8.9 loads it, later versions refuse it)",
			      opt, arg);
		return 0;
	}
	if (rc == -ERANGE)
		return ctg_mctx_error(c, "bad-port", "write the smaller port first",
				      "--%s: invalid portrange (min > max) \"%s\"", opt, arg);
	if (rc)
		return ctg_mctx_error(c, "bad-port", "ports are 0-65535 or a service name",
				      "--%s: invalid port/service \"%s\" specified", opt, arg);
	return 0;
}

int ctg_mu_once(struct ctg_mctx *c, unsigned *seen, unsigned bit, const char *opt)
{
	if (*seen & bit)
		return ctg_mctx_error(c, "duplicate-option", NULL,
				      "multiple --%s options not allowed", opt);
	*seen |= bit;
	return 0;
}

bool ctg_mu_proto_is(const struct ctg_mctx *c, uint8_t proto)
{
	return c->proto == proto && !c->proto_inv;
}
