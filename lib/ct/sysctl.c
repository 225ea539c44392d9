// SPDX-License-Identifier: GPL-2.0-or-later
/* Conntrack sysctls: kernel defaults and setting by name. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

void ctg_sysctls_default(struct ctg_sysctls *s)
{
	memset(s, 0, sizeof(*s));
	s->tcp_loose = true;
	s->tcp_max_retrans = 3;
	s->tcp_timeout[CTG_TCP_SYN_SENT] = 120;
	s->tcp_timeout[CTG_TCP_SYN_RECV] = 60;
	s->tcp_timeout[CTG_TCP_ESTABLISHED] = 432000;
	s->tcp_timeout[CTG_TCP_FIN_WAIT] = 120;
	s->tcp_timeout[CTG_TCP_CLOSE_WAIT] = 60;
	s->tcp_timeout[CTG_TCP_LAST_ACK] = 30;
	s->tcp_timeout[CTG_TCP_TIME_WAIT] = 120;
	s->tcp_timeout[CTG_TCP_CLOSE] = 10;
	s->tcp_timeout[CTG_TCP_SYN_SENT2] = 120;
	s->tcp_timeout_max_retrans = 300;
	s->tcp_timeout_unack = 300;
	s->udp_timeout = 30;
	s->udp_timeout_stream = 120;
	s->icmp_timeout = 30;
	s->icmpv6_timeout = 30;
	s->generic_timeout = 600;
	s->checksum = true;
	s->port_lo = 32768;
	s->port_hi = 60999;
}

static int parse_u32(const char *v, uint32_t *out)
{
	char *end;
	unsigned long n;

	while (*v == ' ' || *v == '\t')
		v++;
	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(v, &end, 10);
	while (*end == ' ' || *end == '\t' || *end == '\n')
		end++;
	if (errno || *end || n > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)n;
	return 0;
}

static int set_bool(bool *b, const char *v)
{
	uint32_t n;
	int rc = parse_u32(v, &n);

	if (rc)
		return rc;
	*b = n != 0;
	return 0;
}

static int set_ports(struct ctg_sysctls *s, const char *v)
{
	char *end;
	unsigned long lo, hi;

	lo = strtoul(v, &end, 10);
	if (end == v)
		return -EINVAL;
	while (*end == ' ' || *end == '\t' || *end == '-')
		end++;
	v = end;
	hi = strtoul(v, &end, 10);
	if (end == v || lo > hi || hi > 65535)
		return -EINVAL;
	s->port_lo = (uint16_t)lo;
	s->port_hi = (uint16_t)hi;
	return 0;
}

struct u32_knob {
	const char *name;
	size_t off;
};

#define K(n, f)                                                                                    \
	{                                                                                          \
		n, offsetof(struct ctg_sysctls, f)                                                 \
	}
static const struct u32_knob u32_knobs[] = {
	K("tcp_max_retrans", tcp_max_retrans),
	K("tcp_timeout_close", tcp_timeout[CTG_TCP_CLOSE]),
	K("tcp_timeout_close_wait", tcp_timeout[CTG_TCP_CLOSE_WAIT]),
	K("tcp_timeout_established", tcp_timeout[CTG_TCP_ESTABLISHED]),
	K("tcp_timeout_fin_wait", tcp_timeout[CTG_TCP_FIN_WAIT]),
	K("tcp_timeout_last_ack", tcp_timeout[CTG_TCP_LAST_ACK]),
	K("tcp_timeout_max_retrans", tcp_timeout_max_retrans),
	K("tcp_timeout_syn_recv", tcp_timeout[CTG_TCP_SYN_RECV]),
	K("tcp_timeout_syn_sent", tcp_timeout[CTG_TCP_SYN_SENT]),
	K("tcp_timeout_time_wait", tcp_timeout[CTG_TCP_TIME_WAIT]),
	K("tcp_timeout_unacknowledged", tcp_timeout_unack),
	K("udp_timeout", udp_timeout),
	K("udp_timeout_stream", udp_timeout_stream),
	K("icmp_timeout", icmp_timeout),
	K("icmpv6_timeout", icmpv6_timeout),
	K("generic_timeout", generic_timeout),
};
#undef K

/* Strips "net.netfilter." / "net/netfilter/" and "nf_conntrack_". */
static const char *short_name(const char *name)
{
	if (!strncmp(name, "/proc/sys/", 10))
		name += 10;
	if (!strncmp(name, "net.netfilter.", 14) || !strncmp(name, "net/netfilter/", 14))
		name += 14;
	if (!strncmp(name, "nf_conntrack_", 13))
		name += 13;
	return name;
}

int ctg_sysctls_set(struct ctg_sysctls *s, const char *name, const char *value)
{
	const char *n;

	if (!strcmp(name, "net.ipv4.ip_local_port_range") ||
	    !strcmp(name, "net/ipv4/ip_local_port_range") || !strcmp(name, "ip_local_port_range"))
		return set_ports(s, value);
	n = short_name(name);
	if (!strcmp(n, "tcp_loose"))
		return set_bool(&s->tcp_loose, value);
	if (!strcmp(n, "tcp_be_liberal"))
		return set_bool(&s->tcp_be_liberal, value);
	if (!strcmp(n, "tcp_ignore_invalid_rst"))
		return set_bool(&s->tcp_ignore_invalid_rst, value);
	if (!strcmp(n, "checksum"))
		return set_bool(&s->checksum, value);
	for (size_t i = 0; i < sizeof(u32_knobs) / sizeof(u32_knobs[0]); i++)
		if (!strcmp(n, u32_knobs[i].name))
			return parse_u32(value, (uint32_t *)((char *)s + u32_knobs[i].off));
	return -ENOENT;
}
