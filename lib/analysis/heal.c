// SPDX-License-Identifier: GPL-2.0-or-later
/* Heal plan: the conntrack entry an orphaned connection should have (pure). */
#include "heal.h"

#include "../ct/model.h"

#include <errno.h>
#include <string.h>

int ctg_heal_entry_for_sock(const struct ctg_sock *sk, bool local_is_server, uint32_t timeout,
			    struct ctg_ct_entry *out)
{
	struct ctg_tuple local = {
		.src = sk->laddr, .dst = sk->paddr, .sport = sk->lport, .dport = sk->pport};
	struct ctg_tuple peer = {
		.src = sk->paddr, .dst = sk->laddr, .sport = sk->pport, .dport = sk->lport};

	if ((sk->l4proto != 6 && sk->l4proto != 17) || sk->state != CTG_SK_ESTABLISHED ||
	    !sk->lport || !sk->pport)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	out->family = sk->family;
	out->l4proto = sk->l4proto;
	if (sk->l4proto == 6) {
		out->tcp_state = CTG_TCP_ESTABLISHED;
		out->tcp_flags[0] = CTG_TCPF_BE_LIBERAL | CTG_TCPF_SACK_PERM;
		out->tcp_flags[1] = CTG_TCPF_BE_LIBERAL | CTG_TCPF_SACK_PERM;
	}
	out->status = CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED | CTG_IPS_CONFIRMED;
	if (!timeout) { /* the kernel defaults, from the one sysctl model */
		struct ctg_sysctls def;

		ctg_sysctls_default(&def);
		timeout = sk->l4proto == 6 ? def.tcp_timeout[CTG_TCP_ESTABLISHED]
					   : def.udp_timeout_stream;
	}
	out->timeout = timeout;
	out->orig = local_is_server ? peer : local;
	out->reply = local_is_server ? local : peer;
	return 0;
}

void ctg_heal_format_cmd(const struct ctg_ct_entry *e, struct ctg_strbuf *sb)
{
	char s[CTG_ADDRSTRLEN], d[CTG_ADDRSTRLEN];

	ctg_addr_format(e->family, &e->orig.src, s, sizeof(s));
	ctg_addr_format(e->family, &e->orig.dst, d, sizeof(d));
	ctg_sb_printf(sb, "conntrack -I -f %s -p %s -s %s -d %s --sport %u --dport %u",
		      e->family == 10 ? "ipv6" : "ipv4", e->l4proto == 6 ? "tcp" : "udp", s, d,
		      e->orig.sport, e->orig.dport);
	ctg_sb_printf(sb, "%s -u SEEN_REPLY,ASSURED -t %u",
		      e->l4proto == 6 ? " --state ESTABLISHED" : "", e->timeout);
}
