// SPDX-License-Identifier: GPL-2.0-or-later
/* The IP part of a rule: addresses with masks, protocols, interfaces. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* Names as Debian's /etc/protocols gives them (iptables-save uses getprotobynumber). */
static const struct {
	uint8_t num;
	const char *name;
} protos[] = {
	{1, "icmp"},	    {2, "igmp"},
	{3, "ggp"},	    {4, "ipencap"},
	{5, "st"},	    {6, "tcp"},
	{8, "egp"},	    {9, "igp"},
	{12, "pup"},	    {17, "udp"},
	{20, "hmp"},	    {22, "xns-idp"},
	{27, "rdp"},	    {29, "iso-tp4"},
	{33, "dccp"},	    {36, "xtp"},
	{37, "ddp"},	    {38, "idpr-cmtp"},
	{41, "ipv6"},	    {43, "ipv6-route"},
	{44, "ipv6-frag"},  {45, "idrp"},
	{46, "rsvp"},	    {47, "gre"},
	{50, "esp"},	    {51, "ah"},
	{57, "skip"},	    {58, "ipv6-icmp"},
	{59, "ipv6-nonxt"}, {60, "ipv6-opts"},
	{73, "rspf"},	    {81, "vmtp"},
	{88, "eigrp"},	    {89, "ospf"},
	{93, "ax.25"},	    {94, "ipip"},
	{97, "etherip"},    {98, "encap"},
	{103, "pim"},	    {108, "ipcomp"},
	{112, "vrrp"},	    {115, "l2tp"},
	{124, "isis"},	    {132, "sctp"},
	{133, "fc"},	    {135, "mobility-header"},
	{136, "udplite"},   {137, "mpls-in-ip"},
	{138, "manet"},	    {139, "hip"},
	{140, "shim6"},	    {141, "wesp"},
	{142, "rohc"},	    {143, "ethernet"},
};

/* Extra input spellings (xtables_chain_protos and aliases). */
static const struct {
	uint8_t num;
	const char *name;
} aliases[] = {
	{0, "all"},	   {0, "ip"},	  {0, "hopopt"}, {58, "icmpv6"},
	{58, "ipv6-icmp"}, {58, "icmp6"}, {135, "mh"},
};

const char *ctg_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

int ctg_parse_proto(const char *s, uint8_t *proto)
{
	char *end;
	unsigned long v;

	/* the usual spellings first (same answer as the tables below) */
	if (!strcmp(s, "tcp") || !strcmp(s, "udp")) {
		*proto = s[0] == 't' ? 6 : 17;
		return 0;
	}
	if (isdigit((unsigned char)s[0])) {
		errno = 0;
		v = strtoul(s, &end, 10);
		if (errno || *end || v > 255)
			return -EINVAL;
		*proto = (uint8_t)v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcasecmp(aliases[i].name, s)) {
			*proto = aliases[i].num;
			return 0;
		}
	for (size_t i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (!strcasecmp(protos[i].name, s)) {
			*proto = protos[i].num;
			return 0;
		}
	return -EINVAL;
}

/* Dotted quad with 1..4 parts ("10/8" is 10.0.0.0/8 for iptables). */
static int parse_v4(const char *s, struct ctg_addr *a)
{
	unsigned parts = 0;
	const char *p = s;

	memset(a, 0, sizeof(*a));
	while (*p) {
		unsigned v = 0;
		const char *end = p;

		if (!isdigit((unsigned char)*p) || parts == 4)
			return -EINVAL;
		/* what strtoul reads here; more than 3 digits is refused anyway */
		while (isdigit((unsigned char)*end) && end - p <= 3)
			v = v * 10 + (unsigned)(*end++ - '0');
		if (v > 255 || end - p > 3)
			return -EINVAL;
		a->b[parts++] = (uint8_t)v;
		p = end;
		if (*p == '.') {
			p++;
			if (!*p)
				return -EINVAL;
		} else if (*p) {
			return -EINVAL;
		}
	}
	return parts ? 0 : -EINVAL;
}

static int parse_mask(enum ctg_family f, const char *m, struct ctg_addr *mask)
{
	unsigned max = f == CTG_FAMILY_IPV6 ? 128 : 32;
	char *end;
	unsigned long v;

	if (!*m)
		return -EINVAL;
	if (strspn(m, "0123456789") == strlen(m)) {
		v = strtoul(m, &end, 10);
		if (v > max || strlen(m) > 3)
			return -EINVAL;
		ctg_addr_mask_from_len(f, (unsigned)v, mask);
		return 0;
	}
	if (f == CTG_FAMILY_IPV4)
		return parse_v4(m, mask);
	return ctg_addr_parse(f, m, mask);
}

int ctg_parse_addr_mask(enum ctg_family f, const char *s, struct ctg_addr *addr,
			struct ctg_addr *mask)
{
	char buf[128];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	int r;

	if (alen == 0 || alen >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	r = f == CTG_FAMILY_IPV4 ? parse_v4(buf, addr) : ctg_addr_parse(f, buf, addr);
	if (r)
		return r;
	if (slash) {
		r = parse_mask(f, slash + 1, mask);
		if (r)
			return r;
	} else {
		ctg_addr_mask_from_len(f, f == CTG_FAMILY_IPV6 ? 128 : 32, mask);
	}
	for (int i = 0; i < 4; i++)
		addr->w[i] &= mask->w[i];
	return 0;
}

int ctg_parse_iface(const char *s, struct ctg_iface *ifc)
{
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(ifc->name))
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '/' || s[i] == ' ')
			return -EINVAL;
	memcpy(ifc->name, s, n + 1);
	ifc->wildcard = s[n - 1] == '+';
	ifc->len = (uint8_t)(ifc->wildcard ? n - 1 : n);
	ifc->set = true;
	return 0;
}
