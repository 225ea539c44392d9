// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One packet against a conntrack view: nf_conntrack_in's lookup, the L4 "new" decision
 * and the per-protocol update (netfilter-semantics.md 5-7). Pure.
 */
#include <errno.h>
#include <string.h>

#include "model.h"

enum { CLS_SYN, CLS_SYNACK, CLS_FIN, CLS_ACK, CLS_RST, CLS_NONE };

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136;
}

static bool is_icmp(uint8_t family, uint8_t proto)
{
	return (family == 2 && proto == 1) || (family == 10 && proto == 58);
}

void ctg_ct_pkt_tuple(const struct ctg_pkt *p, struct ctg_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->src = p->src;
	t->dst = p->dst;
	if (has_ports(p->l4proto)) {
		t->sport = p->sport;
		t->dport = p->dport;
	} else if (is_icmp(p->family, p->l4proto)) {
		t->sport = p->sport; /* id */
		t->dport = (uint16_t)((p->icmp_type << 8) | p->icmp_code);
	}
}

/* Reply ICMP type for a request type; -1 when the type has none. */
static int icmp_invert_type(uint8_t proto, uint8_t type)
{
	static const uint8_t v4[][2] = {{8, 0}, {13, 14}, {15, 16}, {17, 18}};
	static const uint8_t v6[][2] = {{128, 129}, {139, 140}};
	const uint8_t(*m)[2] = proto == 1 ? v4 : v6;
	size_t n = proto == 1 ? 4 : 2;

	for (size_t i = 0; i < n; i++) {
		if (m[i][0] == type)
			return m[i][1];
		if (m[i][1] == type)
			return m[i][0];
	}
	return -1;
}

void ctg_ct_invert_tuple(uint8_t l4proto, const struct ctg_tuple *o, struct ctg_tuple *r)
{
	struct ctg_tuple t = *o;

	t.src = o->dst;
	t.dst = o->src;
	if (l4proto == 1 || l4proto == 58) {
		int it = icmp_invert_type(l4proto, (uint8_t)(o->dport >> 8));

		t.sport = o->sport;
		t.dport = (uint16_t)(((it < 0 ? 255 : it) << 8) | (o->dport & 0xff));
	} else {
		t.sport = o->dport;
		t.dport = o->sport;
	}
	*r = t;
}

static bool icmp_is_error(uint8_t family, uint8_t type)
{
	if (family == 2)
		return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

/* icmpv6_error: MLD and neighbour discovery are never tracked (noct_valid_new). */
static bool icmpv6_untracked(uint8_t type)
{
	return (type >= 130 && type <= 136) || type == 143;
}

static bool icmp_can_create(uint8_t family, uint8_t type)
{
	if (family == 2)
		return type == 8 || type == 13 || type == 15 || type == 17;
	return type == 128 || type == 139;
}

static uint8_t state_of(const struct ctg_ct_entry *e, bool reply)
{
	uint8_t s;

	if (reply)
		return CTG_CTS_ESTABLISHED;
	if (e->status & CTG_IPS_SEEN_REPLY)
		s = CTG_CTS_ESTABLISHED;
	else if (e->status & CTG_IPS_EXPECTED)
		s = CTG_CTS_RELATED;
	else
		s = CTG_CTS_NEW;
	return s;
}

static uint8_t nat_bits(const struct ctg_ct_entry *e)
{
	return (uint8_t)(((e->status & CTG_IPS_SRC_NAT) ? CTG_CTS_SNAT : 0) |
			 ((e->status & CTG_IPS_DST_NAT) ? CTG_CTS_DNAT : 0));
}

static void set_invalid(struct ctg_ct_result *r, const char *why)
{
	r->ctstate = CTG_CTS_INVALID;
	r->action = CTG_CT_ACT_NONE;
	r->found = NULL;
	r->reason = why;
}

static void new_entry(const struct ctg_pkt *p, struct ctg_ct_result *r, uint32_t timeout)
{
	struct ctg_ct_entry *e = &r->entry;

	memset(e, 0, sizeof(*e));
	e->family = p->family;
	e->l4proto = p->l4proto;
	ctg_ct_pkt_tuple(p, &e->orig);
	ctg_ct_invert_tuple(p->l4proto, &e->orig, &e->reply);
	e->timeout = timeout;
	e->mark = 0;
	r->ctstate = CTG_CTS_NEW;
	r->action = CTG_CT_ACT_CREATE;
}

/* ---------------------------------------------------------------- TCP */

static int tcp_new(const struct ctg_pkt *p, const struct ctg_sysctls *s, struct ctg_ct_result *r)
{
	int cls = ctg_ct_tcp_flag_class(p->tcp_flags);
	uint8_t ns = cls < 0 ? CTG_CT_TCP_IV : ctg_ct_tcp_next(false, cls, CTG_TCP_NONE);

	if (cls < 0) {
		set_invalid(r, "tcp-invalid-flags");
		return 0;
	}
	if (ns == CTG_TCP_SYN_SENT) {
		new_entry(p, r, s->tcp_timeout[CTG_TCP_SYN_SENT]);
		r->entry.tcp_state = CTG_TCP_SYN_SENT;
		r->tcp_new = CTG_TCP_SYN_SENT;
		r->reason = "syn";
		return 0;
	}
	if (ns != CTG_TCP_ESTABLISHED) {
		set_invalid(r, "tcp-no-entry");
		return 0;
	}
	if (!s->tcp_loose) {
		set_invalid(r, "tcp-loose-0");
		return 0;
	}
	/* Mid-stream pickup: ESTABLISHED, liberal both ways, capped without SEEN_REPLY. */
	new_entry(p, r, s->tcp_timeout_unack);
	r->entry.tcp_state = CTG_TCP_ESTABLISHED;
	r->entry.tcp_flags[0] = CTG_TCPF_SACK_PERM | CTG_TCPF_BE_LIBERAL;
	r->entry.tcp_flags[1] = CTG_TCPF_SACK_PERM | CTG_TCPF_BE_LIBERAL;
	r->tcp_new = CTG_TCP_ESTABLISHED;
	r->reason = "pickup";
	return 0;
}

/* SYN on TIME_WAIT/CLOSE: reopen when the peer closed first or the entry was reset. */
static bool tcp_may_reopen(const struct ctg_ct_entry *e, bool reply)
{
	uint8_t other = e->tcp_flags[reply ? 0 : 1];

	if (!e->tcp_flags[0] && !e->tcp_flags[1])
		return true; /* flags unknown (text dump): assume so */
	return (other & CTG_TCPF_CLOSE_INIT) || e->tcp_state == CTG_TCP_CLOSE;
}

static uint32_t tcp_timeout(const struct ctg_ct_entry *e, const struct ctg_sysctls *s, int cls,
			    uint8_t ns)
{
	uint32_t t = s->tcp_timeout[ns];

	if (cls == CLS_RST)
		t = s->tcp_timeout[CTG_TCP_CLOSE];
	if (!(e->status & CTG_IPS_SEEN_REPLY) && ns == CTG_TCP_ESTABLISHED &&
	    t > s->tcp_timeout_unack)
		t = s->tcp_timeout_unack;
	return t;
}

static int tcp_update(const struct ctg_pkt *p, const struct ctg_sysctls *s, struct ctg_ct_result *r)
{
	struct ctg_ct_entry *e = &r->entry;
	int cls = ctg_ct_tcp_flag_class(p->tcp_flags);
	uint8_t old = e->tcp_state, ns;

	r->tcp_old = old;
	r->tcp_new = old;
	if (cls < 0) {
		set_invalid(r, "tcp-invalid-flags");
		return 0;
	}
	ns = ctg_ct_tcp_next(r->reply_dir, cls, old);
	if (ns == CTG_TCP_SYN_SENT && old >= CTG_TCP_TIME_WAIT) {
		if (tcp_may_reopen(e, r->reply_dir)) {
			/*
			 * Old entry killed, packet re-processed as new (nf_conntrack_in
			 * "goto repeat"): the new entry's ORIGINAL direction is this
			 * packet's, whichever side of the old entry it came from.
			 */
			tcp_new(p, s, r);
			r->reply_dir = false;
			r->action = CTG_CT_ACT_REPLACE;
			r->reason = "tcp-reopen";
			r->tcp_old = old;
			return 0;
		}
		ns = CTG_CT_TCP_IG;
	}
	if (ns == CTG_CT_TCP_IV) {
		set_invalid(r, "tcp-iv");
		r->tcp_old = r->tcp_new = old;
		return 0;
	}
	if (ns == CTG_CT_TCP_IG) {
		r->reason = "tcp-ig";
		return 0;
	}
	r->tcp_new = ns;
	r->reason = "tcp-update";
	r->action = CTG_CT_ACT_UPDATE;
	if (!(old == CTG_TCP_SYN_SENT && ns == CTG_TCP_SYN_SENT))
		e->timeout = tcp_timeout(e, s, cls, ns);
	e->tcp_state = ns;
	if (old != ns && ns == CTG_TCP_FIN_WAIT)
		e->tcp_flags[r->reply_dir] |= CTG_TCPF_CLOSE_INIT;
	if (!(e->status & CTG_IPS_SEEN_REPLY)) {
		if (cls == CLS_RST) {
			r->action = CTG_CT_ACT_DELETE;
			r->reason = "tcp-rst-unreplied";
		}
	} else if (!(e->status & CTG_IPS_ASSURED) &&
		   (old == CTG_TCP_SYN_RECV || old == CTG_TCP_ESTABLISHED) &&
		   ns == CTG_TCP_ESTABLISHED) {
		e->status |= CTG_IPS_ASSURED;
	}
	return 0;
}

/* ---------------------------------------------------------------- UDP, ICMP, generic */

static void udp_update(const struct ctg_sysctls *s, struct ctg_ct_result *r)
{
	struct ctg_ct_entry *e = &r->entry;

	r->action = CTG_CT_ACT_UPDATE;
	r->reason = "udp-update";
	if (e->status & CTG_IPS_SEEN_REPLY) {
		/* Assumes the flow is older than 2 s: stream timeout, ASSURED. */
		e->timeout = s->udp_timeout_stream;
		e->status |= CTG_IPS_ASSURED;
	} else {
		e->timeout = s->udp_timeout;
	}
}

static int icmp_error(const struct ctg_ct_view *v, const struct ctg_pkt *p, struct ctg_ct_result *r)
{
	struct ctg_tuple inv;
	const struct ctg_ct_entry *e;
	bool reply = false;

	if (!p->has_inner) {
		set_invalid(r, "icmp-error-no-inner");
		return 0;
	}
	ctg_ct_invert_tuple(p->inner_l4proto, &p->inner, &inv);
	e = !v ? NULL : ctg_ct_view_lookup(v, p->family, p->inner_l4proto, &inv, &reply);
	if (!e || !ctg_addr_eq(&p->dst, reply ? &e->reply.dst : &e->orig.dst)) {
		set_invalid(r, "icmp-error-untracked");
		return 0;
	}
	r->found = e;
	r->entry = *e;
	r->reply_dir = reply;
	r->ctstate = (uint8_t)(CTG_CTS_RELATED | nat_bits(e));
	r->action = CTG_CT_ACT_NONE;
	r->reason = "icmp-error-related";
	return 0;
}

static uint32_t icmp_timeout(const struct ctg_pkt *p, const struct ctg_sysctls *s)
{
	return p->family == 2 ? s->icmp_timeout : s->icmpv6_timeout;
}

static int classify_new(const struct ctg_pkt *p, const struct ctg_sysctls *s,
			struct ctg_ct_result *r)
{
	if (p->l4proto == 6)
		return tcp_new(p, s, r);
	if (p->l4proto == 17 || p->l4proto == 136) {
		new_entry(p, r, s->udp_timeout);
		r->reason = "udp-new";
		return 0;
	}
	if (is_icmp(p->family, p->l4proto)) {
		if (!icmp_can_create(p->family, p->icmp_type)) {
			set_invalid(r, "icmp-no-entry");
			return 0;
		}
		new_entry(p, r, icmp_timeout(p, s));
		r->reason = "icmp-new";
		return 0;
	}
	new_entry(p, r, s->generic_timeout);
	r->reason = "generic-new";
	return 0;
}

static int classify_existing(const struct ctg_pkt *p, const struct ctg_sysctls *s,
			     struct ctg_ct_result *r)
{
	const struct ctg_ct_entry *e = r->found;

	r->entry = *e;
	r->ctstate = (uint8_t)(state_of(e, r->reply_dir) | nat_bits(e));
	if (p->l4proto == 6) {
		tcp_update(p, s, r);
	} else if (p->l4proto == 17 || p->l4proto == 136) {
		udp_update(s, r);
	} else {
		r->action = CTG_CT_ACT_UPDATE;
		r->reason = "refresh";
		r->entry.timeout =
			is_icmp(p->family, p->l4proto) ? icmp_timeout(p, s) : s->generic_timeout;
	}
	/* SEEN_REPLY is set after the tracker handled the first reply. */
	if ((r->action == CTG_CT_ACT_UPDATE || r->action == CTG_CT_ACT_NONE) && r->reply_dir &&
	    r->ctstate != CTG_CTS_INVALID && !(r->entry.status & CTG_IPS_SEEN_REPLY)) {
		r->entry.status |= CTG_IPS_SEEN_REPLY;
		r->action = CTG_CT_ACT_UPDATE;
	}
	return 0;
}

int ctg_ct_classify(const struct ctg_ct_view *v, const struct ctg_pkt *p,
		    const struct ctg_sysctls *s, struct ctg_ct_result *r)
{
	struct ctg_tuple t;
	bool reply = false;

	memset(r, 0, sizeof(*r));
	if (p->family != 2 && p->family != 10)
		return -EINVAL;
	if (p->family == 10 && p->l4proto == 58 && icmpv6_untracked(p->icmp_type)) {
		ctg_ct_untracked(r);
		r->reason = "icmpv6-nd-mld";
		return 0;
	}
	if (is_icmp(p->family, p->l4proto) && icmp_is_error(p->family, p->icmp_type))
		return icmp_error(v, p, r);
	ctg_ct_pkt_tuple(p, &t);
	r->found = v ? ctg_ct_view_lookup(v, p->family, p->l4proto, &t, &reply) : NULL;
	r->reply_dir = reply;
	if (r->found)
		return classify_existing(p, s, r);
	return classify_new(p, s, r);
}

void ctg_ct_untracked(struct ctg_ct_result *r)
{
	memset(r, 0, sizeof(*r));
	r->ctstate = CTG_CTS_UNTRACKED;
	r->action = CTG_CT_ACT_NONE;
	r->reason = "notrack";
}

void ctg_ct_result_to_pkt(const struct ctg_ct_result *r, struct ctg_pkt *p)
{
	bool has = !(r->ctstate & (CTG_CTS_INVALID | CTG_CTS_UNTRACKED));

	p->ctstate = r->ctstate;
	p->ct_reply_dir = r->reply_dir;
	p->ct = has ? &r->entry : NULL;
	p->ctmark = has ? r->entry.mark : 0;
}

int ctg_ct_commit(struct ctg_ct_view *v, const struct ctg_ct_result *r, bool confirmed)
{
	struct ctg_ct_entry e;
	int rc;

	if (!v)
		return 0;
	switch (r->action) {
	case CTG_CT_ACT_NONE:
		return 0;
	case CTG_CT_ACT_UPDATE:
		return ctg_ct_view_insert(v, &r->entry);
	case CTG_CT_ACT_DELETE:
		rc = ctg_ct_view_delete(v, r->found ? r->found : &r->entry);
		return rc == -ENOENT ? 0 : rc;
	case CTG_CT_ACT_REPLACE:
		if (r->found) {
			rc = ctg_ct_view_delete(v, r->found);
			if (rc && rc != -ENOENT)
				return rc;
		}
		/* FALLTHROUGH */
	case CTG_CT_ACT_CREATE:
		if (!confirmed)
			return 0;
		e = r->entry;
		e.status |= CTG_IPS_CONFIRMED;
		return ctg_ct_view_insert(v, &e);
	}
	return 0;
}
