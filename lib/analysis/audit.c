// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Audit: simulate each connection's next inbound packet on the current conntrack view
 * (and, for the at-risk test, on a view without its entry) through the current ruleset.
 */
#include "audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../eval/eval.h"
#include "ifaces.h"

#define DEFAULT_AT_RISK 600u

struct actx {
	const struct ctg_audit_input *in;
	struct ctg_eval_env env;
	struct ctg_local_addr *locals;
	struct ctg_iface_addr *ifaddr;
	struct ctg_audit_nat_ctx nx;
	const struct ctg_audit_conns *cs;
	struct ctg_ct_view *empty;
	struct ctg_audit_report *rep;
	uint32_t risk;
};

/* Outcome of one simulated packet. */
struct sim {
	bool dropped; /* some branch drops or rejects */
	bool certain; /* every branch drops/rejects and none was abandoned */
	struct ctg_flow_result r;
};

const char *ctg_audit_kind_name(enum ctg_audit_kind k)
{
	switch (k) {
	case CTG_AUDIT_NO_ENTRY:
		return "no-entry";
	case CTG_AUDIT_ENTRY_DROPPED:
		return "entry-dropped";
	case CTG_AUDIT_NAT_LOST:
		return "nat-lost";
	case CTG_AUDIT_AT_RISK:
		return "at-risk";
	case CTG_AUDIT_EXPIRED:
		return "expired";
	}
	return "?";
}

struct ctg_sysctls *ctg_audit_sysctls_new(void)
{
	struct ctg_sysctls *s = calloc(1, sizeof(*s));

	if (s)
		ctg_sysctls_default(s);
	return s;
}

void ctg_audit_sysctls_free(struct ctg_sysctls *s)
{
	free(s);
}

int ctg_audit_sysctls_set(struct ctg_sysctls *s, const char *name, const char *value)
{
	return ctg_sysctls_set(s, name, value);
}

void ctg_audit_input_init(struct ctg_audit_input *in)
{
	memset(in, 0, sizeof(*in));
}

static bool is_loopback(uint8_t family, const struct ctg_addr *a)
{
	static const uint8_t v6lo[16] = {[15] = 1};

	if (family == 2)
		return a->b[0] == 127;
	return !memcmp(a->b, v6lo, 16);
}

static int cmp_local(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct ctg_audit_local));
}

/* Traffic from a local peer passes OUTPUT first, which re-creates the entry: never orphaned. */
static bool peer_is_local(const struct actx *x, const struct ctg_conn *c)
{
	struct ctg_audit_local key;

	memset(&key, 0, sizeof(key));
	key.family = c->family;
	key.addr = c->paddr;
	if (is_loopback(c->family, &c->paddr))
		return true;
	return bsearch(&key, x->cs->local, x->cs->nlocal, sizeof(key), cmp_local) != NULL;
}

/*
 * The conntrack view of a packet of a known entry, as nf_conntrack_in gives it for an
 * in-window ACK/PSH,ACK of a TCP ESTABLISHED (or replied UDP) entry: no lookup needed.
 */
static void entry_ctstate(const struct ctg_ct_entry *e, const struct ctg_tuple *t,
			  struct ctg_pkt *p, struct ctg_ct_result *r)
{
	bool reply = !memcmp(t, &e->reply, sizeof(*t)) && memcmp(t, &e->orig, sizeof(*t));

	memset(r, 0, sizeof(*r));
	r->ctstate = reply || (e->status & CTG_IPS_SEEN_REPLY) ? CTG_CTS_ESTABLISHED : CTG_CTS_NEW;
	if (e->status & CTG_IPS_SRC_NAT)
		r->ctstate |= CTG_CTS_SNAT;
	if (e->status & CTG_IPS_DST_NAT)
		r->ctstate |= CTG_CTS_DNAT;
	r->reply_dir = reply;
	r->found = e;
	r->entry = *e;
	r->action = CTG_CT_ACT_UPDATE;
	r->tcp_old = r->tcp_new = e->tcp_state;
	r->reason = "entry";
	p->ctstate = r->ctstate;
	p->ct_reply_dir = reply;
	p->ct = e;
	p->ctmark = e->mark;
}

static bool tuple_eq(const struct ctg_tuple *a, const struct ctg_tuple *b)
{
	return ctg_addr_eq(&a->src, &b->src) && ctg_addr_eq(&a->dst, &b->dst) &&
	       a->sport == b->sport && a->dport == b->dport;
}

/*
 * Interfaces of p (tuple t) from routing (ifaces.h): the connection's other packet is
 * the local side's (local) or the other direction's (forward).
 */
static void fill_ifaces(struct actx *x, const struct ctg_ruleset *rs, enum ctg_eval_path path,
			const struct ctg_conn *c, const struct ctg_tuple *t, struct ctg_pkt *p)
{
	bool fwd = path == CTG_PATH_FORWARD;
	bool t_orig = c->ct && tuple_eq(t, &c->ct->orig);
	struct ctg_pkt o = *p;

	o.ctstate = 0;
	o.ct = NULL;
	if (c->ct) {
		const struct ctg_tuple *ot = t_orig ? &c->ct->reply : &c->ct->orig;

		o.src = ot->src;
		o.dst = ot->dst;
		o.sport = ot->sport;
		o.dport = ot->dport;
	} else {
		o.src = t->dst;
		o.dst = t->src;
		o.sport = t->dport;
		o.dport = t->sport;
	}
	if (c->sock && !fwd) {
		o.uid_known = true;
		o.uid = c->sock->uid;
	}
	if (fwd && t_orig)
		ctg_ifaces_fill(rs, &x->env, false, path, p, path, &o);
	else
		ctg_ifaces_fill(rs, &x->env,
				peer_is_local(x, c) || is_loopback(c->family, &c->laddr),
				fwd ? path : CTG_PATH_LOCAL_OUT, &o, path, p);
}

/*
 * The peer's next packet with tuple t through rs along path: with entry e (NULL = none,
 * classified by the conntrack model on an empty view: pickup or INVALID).
 */
static int simulate(struct actx *x, const struct ctg_ruleset *rs, enum ctg_eval_path path,
		    const struct ctg_conn *c, const struct ctg_tuple *t,
		    const struct ctg_ct_entry *e, struct sim *out)
{
	struct ctg_pkt p;
	unsigned pass = CTG_VB_ACCEPT | CTG_VB_QUEUE, stop = CTG_VB_DROP | CTG_VB_REJECT;
	int ret;

	memset(&p, 0, sizeof(p));
	p.family = c->family;
	p.l4proto = c->l4proto;
	p.src = t->src;
	p.dst = t->dst;
	p.sport = t->sport;
	p.dport = t->dport;
	p.tcp_flags = c->l4proto == 6 ? (CTG_TH_PSH | CTG_TH_ACK) : 0;
	p.len = (c->family == 10 ? 40 : 20) + (c->l4proto == 6 ? 32 : 8) + 100;
	p.ttl = 64;
	fill_ifaces(x, rs, path, c, t, &p);
	if (e) {
		entry_ctstate(e, t, &p, &out->r.ct);
		out->r.confirmed = false;
		ret = ctg_eval_packet(rs, path, &p, &x->env, NULL, &out->r.eval);
	} else {
		ret = ctg_eval_flow_packet(rs, x->empty, &x->env, path, &p, false, NULL, &out->r);
	}
	if (ret < 0)
		return ret;
	out->dropped = (out->r.eval.possible & stop) != 0;
	out->certain = out->dropped && !(out->r.eval.possible & pass) && !out->r.eval.truncated;
	return 0;
}

/* The tuple the peer's next packet carries on the wire. */
static void peer_tuple(const struct ctg_conn *c, struct ctg_tuple *t)
{
	if (c->ct && c->role == CTG_AUDIT_ROLE_FORWARD)
		*t = c->ct->reply;
	else if (c->ct)
		*t = c->ct_dir_reply ? c->ct->orig : c->ct->reply;
	else
		*t = (struct ctg_tuple){
			.src = c->paddr, .dst = c->laddr, .sport = c->pport, .dport = c->lport};
}

static struct ctg_audit_item *push_item(struct ctg_audit_report *rep, enum ctg_audit_kind kind,
					const struct ctg_conn *c)
{
	struct ctg_audit_item *it;

	if (rep->n == rep->cap) {
		size_t ncap = rep->cap ? rep->cap * 2 : 16;
		struct ctg_audit_item *nv = realloc(rep->v, ncap * sizeof(*nv));

		if (!nv)
			return NULL;
		rep->v = nv;
		rep->cap = ncap;
	}
	it = &rep->v[rep->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->conn = *c;
	it->conn_index = rep->conns - 1;
	return it;
}

static int add_item(struct actx *x, enum ctg_audit_kind kind, const struct ctg_conn *c,
		    const struct sim *s, enum ctg_eval_path path)
{
	struct ctg_audit_report *rep = x->rep;
	const struct ctg_eval_result *e = &s->r.eval;
	struct ctg_audit_item *it = push_item(rep, kind, c);

	if (!it)
		return -ENOMEM;
	it->certain = s->certain;
	it->verdict =
		(e->possible & CTG_VB_REJECT) && !(e->possible & CTG_VB_DROP) ? "REJECT" : "DROP";
	if (e->has_stop) {
		it->table = ctg_table_name(e->stop.table);
		it->chain = e->stop.chain_name;
		it->rule = e->stop.rule;
		it->line = e->stop.line;
	}
	ctg_ctstate_format(s->r.ct.ctstate, it->ctstate, sizeof(it->ctstate));
	it->ct_reason = s->r.ct.reason;
	it->path = ctg_eval_path_name(path);
	if (kind == CTG_AUDIT_AT_RISK)
		rep->at_risk++;
	else if (kind == CTG_AUDIT_EXPIRED)
		rep->expired++;
	else if (s->certain)
		rep->orphans++;
	else
		rep->possible++;
	return 0;
}

static int add_nat_item(struct actx *x, const struct ctg_conn *c, const struct ctg_audit_nat *n)
{
	struct ctg_audit_item *it = push_item(x->rep, CTG_AUDIT_NAT_LOST, c);

	if (!it)
		return -ENOMEM;
	it->certain = n->certain;
	it->verdict = n->target;
	it->table = n->table;
	it->chain = n->chain;
	it->rule = n->rule;
	it->line = n->line;
	memcpy(it->ctstate, n->ctstate, sizeof(it->ctstate));
	it->ct_reason = n->ct_reason;
	it->path = ctg_eval_path_name(n->dst ? CTG_PATH_LOCAL_IN : CTG_PATH_LOCAL_OUT);
	it->nat_dst = n->dst;
	it->nat_addr_known = n->addr_known;
	it->nat_addr = n->addr;
	it->nat_port = n->port;
	if (n->certain) {
		x->rep->orphans++;
		x->rep->nat_lost++;
	} else {
		x->rep->possible++;
	}
	return 0;
}

static bool entry_checkable(const struct ctg_ct_entry *e)
{
	if (e->l4proto == 6)
		return e->tcp_state == CTG_TCP_ESTABLISHED;
	return e->l4proto == 17 && (e->status & CTG_IPS_SEEN_REPLY);
}

static bool udp_peer_first(const struct ctg_conn *c);

/*
 * May the entry expire before the peer's next packet? TCP: not ASSURED or little time
 * left. UDP: only when the peer speaks first (else the local side re-creates it) and the
 * entry is not ASSURED (nf_conntrack_udp_timeout, not the stream timeout, between datagrams).
 */
static bool entry_risky(const struct actx *x, const struct ctg_conn *c)
{
	const struct ctg_ct_entry *e = c->ct;

	if (c->l4proto == 17)
		return udp_peer_first(c) && !(e->status & CTG_IPS_ASSURED);
	return !(e->status & CTG_IPS_ASSURED) || e->timeout < x->risk;
}

/* Peer ports (client side's view) of UDP protocols by who speaks first; sorted ranges. */
static const struct {
	uint16_t lo, hi;
	uint8_t who;
} udp_ports[] = {
	{53, 53, CTG_UDP_LOCAL_FIRST},	     /* DNS */
	{67, 67, CTG_UDP_LOCAL_FIRST},	     /* DHCP */
	{69, 69, CTG_UDP_LOCAL_FIRST},	     /* TFTP */
	{88, 88, CTG_UDP_LOCAL_FIRST},	     /* Kerberos */
	{123, 123, CTG_UDP_LOCAL_FIRST},     /* NTP */
	{161, 161, CTG_UDP_LOCAL_FIRST},     /* SNMP */
	{389, 389, CTG_UDP_LOCAL_FIRST},     /* CLDAP */
	{500, 500, CTG_UDP_PEER_PUSH},	     /* IKE: DPD, rekeying from the peer */
	{514, 514, CTG_UDP_LOCAL_FIRST},     /* syslog */
	{1194, 1194, CTG_UDP_PEER_PUSH},     /* OpenVPN */
	{1812, 1813, CTG_UDP_LOCAL_FIRST},   /* RADIUS */
	{2055, 2055, CTG_UDP_LOCAL_FIRST},   /* NetFlow */
	{3478, 3478, CTG_UDP_PEER_PUSH},     /* STUN/TURN: relayed data */
	{4500, 4500, CTG_UDP_PEER_PUSH},     /* IPsec NAT-T */
	{4739, 4739, CTG_UDP_LOCAL_FIRST},   /* IPFIX */
	{5060, 5061, CTG_UDP_PEER_PUSH},     /* SIP: requests from the peer */
	{5349, 5349, CTG_UDP_PEER_PUSH},     /* TURN over DTLS */
	{6343, 6343, CTG_UDP_LOCAL_FIRST},   /* sFlow */
	{8125, 8125, CTG_UDP_LOCAL_FIRST},   /* statsd */
	{12201, 12201, CTG_UDP_LOCAL_FIRST}, /* GELF */
	{25826, 25826, CTG_UDP_LOCAL_FIRST}, /* collectd */
	{51820, 51820, CTG_UDP_PEER_PUSH},   /* WireGuard */
	{60000, 61000, CTG_UDP_PEER_PUSH},   /* mosh: the server sends screen updates */
};

enum ctg_udp_speaker ctg_audit_udp_speaker(uint16_t peer_port)
{
	for (size_t i = 0; i < sizeof(udp_ports) / sizeof(udp_ports[0]); i++)
		if (peer_port >= udp_ports[i].lo && peer_port <= udp_ports[i].hi)
			return (enum ctg_udp_speaker)udp_ports[i].who;
	return CTG_UDP_UNKNOWN;
}

/* Does the peer speak first on this UDP connection (its next datagram comes unasked)? */
static bool udp_peer_first(const struct ctg_conn *c)
{
	return c->role == CTG_AUDIT_ROLE_SERVER ||
	       ctg_audit_udp_speaker(c->pport) == CTG_UDP_PEER_PUSH;
}

/* A TCP entry picked up mid-stream: tcp_new() without a handshake (or a healed entry). */
static bool entry_picked_up(const struct ctg_ct_entry *e)
{
	return e->l4proto == 6 && e->tcp_state == CTG_TCP_ESTABLISHED &&
	       (e->tcp_flags[0] & CTG_TCPF_BE_LIBERAL) && (e->tcp_flags[1] & CTG_TCPF_BE_LIBERAL);
}

/* Evidence of entries lost while their connections lived: a wipe, not a timeout. */
static void observe_wipe(struct actx *x, const struct ctg_conn *c)
{
	if (c->l4proto != 6 || (c->role != CTG_AUDIT_ROLE_FORWARD && peer_is_local(x, c)))
		return;
	if (c->ct && entry_picked_up(c->ct))
		x->rep->wipe_pickup++;
	else if (!c->ct && c->sock && c->sock->state == CTG_SK_ESTABLISHED)
		x->rep->wipe_no_entry++;
}

/* Why a dropped UDP socket without entry is not an incident; NULL when it is one. */
static const char *udp_expired_reason(const struct actx *x, const struct ctg_conn *c)
{
	if (udp_peer_first(c))
		return NULL;
	if (ctg_audit_udp_speaker(c->pport) == CTG_UDP_LOCAL_FIRST)
		return "udp-timeout: client protocol, the local side speaks first and its next "
		       "datagram makes a new entry";
	if (x->rep->wipe_observed)
		return NULL;
	return "udp-timeout: no wipe observed; the entry timed out idle and the local side's "
	       "next datagram makes a new one";
}

static int add_expired(struct actx *x, const struct ctg_conn *c, const struct sim *s,
		       const char *why)
{
	struct ctg_audit_item *it;
	int ret = add_item(x, CTG_AUDIT_EXPIRED, c, s, CTG_PATH_LOCAL_IN);

	if (ret < 0)
		return ret;
	it = &x->rep->v[x->rep->n - 1];
	it->ct_reason = why;
	return 0;
}

/*
 * A socket without entry (TCP, or connected UDP: state ESTABLISHED): was its NAT mapping
 * lost, is the peer's next segment/datagram dropped? One finding per connection, a
 * certain one first, a lost mapping before a drop.
 */
static int audit_no_entry(struct actx *x, const struct ctg_ruleset *rs, const struct ctg_conn *c)
{
	struct ctg_audit_nat nat;
	struct ctg_tuple t;
	struct sim s;
	int ret;

	if (c->sock->state != CTG_SK_ESTABLISHED || peer_is_local(x, c))
		return 0;
	ret = ctg_audit_nat_check(&x->nx, rs, c, &nat);
	if (ret < 0)
		return ret;
	if (nat.found && nat.certain)
		return add_nat_item(x, c, &nat);
	peer_tuple(c, &t);
	ret = simulate(x, rs, CTG_PATH_LOCAL_IN, c, &t, NULL, &s);
	if (ret < 0)
		return ret;
	if (s.dropped && c->l4proto == 17 && udp_expired_reason(x, c))
		return add_expired(x, c, &s, udp_expired_reason(x, c));
	if (s.dropped && (s.certain || !nat.found))
		return add_item(x, CTG_AUDIT_NO_ENTRY, c, &s, CTG_PATH_LOCAL_IN);
	return nat.found ? add_nat_item(x, c, &nat) : 0;
}

/* An entry: are its ESTABLISHED packets dropped? Else, is it the only thing saving it? */
static int audit_entry(struct actx *x, const struct ctg_ruleset *rs, const struct ctg_conn *c)
{
	bool fwd = c->role == CTG_AUDIT_ROLE_FORWARD;
	enum ctg_eval_path path = fwd ? CTG_PATH_FORWARD : CTG_PATH_LOCAL_IN;
	struct ctg_tuple t;
	struct sim s;
	int ret;

	if (!entry_checkable(c->ct) || (!fwd && peer_is_local(x, c)))
		return 0;
	peer_tuple(c, &t);
	ret = simulate(x, rs, path, c, &t, c->ct, &s);
	if (ret < 0)
		return ret;
	if (!s.dropped && fwd) {
		ret = simulate(x, rs, path, c, &c->ct->orig, c->ct, &s);
		if (ret < 0)
			return ret;
	}
	if (s.dropped)
		return add_item(x, CTG_AUDIT_ENTRY_DROPPED, c, &s, path);
	if (fwd || !c->sock || c->sock->state != CTG_SK_ESTABLISHED || !entry_risky(x, c))
		return 0;
	ret = simulate(x, rs, path, c, &t, NULL, &s);
	if (ret < 0 || !s.certain)
		return ret;
	return add_item(x, CTG_AUDIT_AT_RISK, c, &s, path);
}

/* Appends c to rep->all (its index: rep->conns). */
static int keep_conn(struct ctg_audit_report *rep, const struct ctg_conn *c)
{
	if (rep->conns == rep->all_cap) {
		size_t ncap = rep->all_cap ? rep->all_cap * 2 : 64;
		struct ctg_conn *nv = realloc(rep->all, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		rep->all = nv;
		rep->all_cap = ncap;
	}
	rep->all[rep->conns] = *c;
	return 0;
}

static int audit_conn(struct actx *x, const struct ctg_conn *c)
{
	const struct ctg_ruleset *rs = c->family == 10 ? x->in->rs6 : x->in->rs4;

	if (!rs || (c->l4proto != 6 && c->l4proto != 17))
		return 0;
	if (x->in->keep_all && keep_conn(x->rep, c))
		return -ENOMEM;
	x->rep->conns++;
	if (c->ct)
		return audit_entry(x, rs, c);
	if (c->sock)
		return audit_no_entry(x, rs, c);
	return 0;
}

static int cmp_item(const void *pa, const void *pb)
{
	const struct ctg_audit_item *a = pa, *b = pb;
	int d;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	if (a->certain != b->certain)
		return a->certain ? -1 : 1;
	if (a->conn.family != b->conn.family)
		return a->conn.family - b->conn.family;
	d = memcmp(&a->conn.laddr, &b->conn.laddr, sizeof(a->conn.laddr));
	if (d)
		return d;
	if (a->conn.lport != b->conn.lport)
		return a->conn.lport - b->conn.lport;
	d = memcmp(&a->conn.paddr, &b->conn.paddr, sizeof(a->conn.paddr));
	if (d)
		return d;
	return a->conn.pport - b->conn.pport;
}

static int setup(struct actx *x, const struct ctg_audit_conns *cs)
{
	ctg_eval_env_init(&x->env);
	if (x->in->sysctls)
		x->env.sysctls = *x->in->sysctls;
	x->cs = cs;
	x->locals = calloc(cs->nlocal ? cs->nlocal : 1, sizeof(*x->locals));
	x->empty = ctg_ct_view_new(NULL);
	if (!x->locals || !x->empty)
		return -ENOMEM;
	for (size_t i = 0; i < cs->nlocal; i++) {
		x->locals[i].family = cs->local[i].family;
		x->locals[i].addr = cs->local[i].addr;
	}
	x->env.local = x->locals;
	x->env.nlocal = cs->nlocal;
	x->env.local_known = x->in->locals != NULL;
	x->ifaddr = calloc(x->in->nifaddr ? x->in->nifaddr : 1, sizeof(*x->ifaddr));
	if (!x->ifaddr)
		return -ENOMEM;
	for (size_t i = 0; i < x->in->nifaddr; i++) {
		x->ifaddr[i].ifname = x->in->ifaddr[i].ifname;
		x->ifaddr[i].family = x->in->ifaddr[i].family;
		x->ifaddr[i].addr = x->in->ifaddr[i].addr;
	}
	x->env.ifaddr = x->ifaddr;
	x->env.nifaddr = x->in->nifaddr;
	if (x->in->routes) {
		x->env.route = ctg_routes_eval_cb;
		x->env.route_arg = x->in->routes;
	}
	x->nx.env = &x->env;
	x->nx.empty = x->empty;
	x->nx.ifaddr = x->in->ifaddr;
	x->nx.nifaddr = x->in->nifaddr;
	x->risk = x->in->at_risk_timeout ? x->in->at_risk_timeout : DEFAULT_AT_RISK;
	return 0;
}

int ctg_audit_run(const struct ctg_audit_input *in, struct ctg_audit_report *rep)
{
	struct actx x = {.in = in, .rep = rep};
	struct ctg_audit_conns cs;
	int ret;

	memset(rep, 0, sizeof(*rep));
	rep->entries = in->cts ? in->cts->n : 0;
	rep->sockets = in->socks ? in->socks->n : 0;
	ret = ctg_audit_join(in, &cs);
	if (ret < 0)
		return ret;
	ret = setup(&x, &cs);
	for (size_t i = 0; !ret && i < cs.rows.n; i++)
		observe_wipe(&x, &cs.rows.v[i]);
	rep->wipe_observed = rep->wipe_no_entry || rep->wipe_pickup;
	for (size_t i = 0; !ret && i < cs.rows.n; i++)
		ret = audit_conn(&x, &cs.rows.v[i]);
	if (!ret && rep->n > 1)
		qsort(rep->v, rep->n, sizeof(rep->v[0]), cmp_item);
	ctg_ct_view_free(x.empty);
	free(x.locals);
	free(x.ifaddr);
	ctg_audit_conns_release(&cs);
	if (ret < 0)
		ctg_audit_report_release(rep);
	return ret;
}

void ctg_audit_report_release(struct ctg_audit_report *rep)
{
	free(rep->v);
	free(rep->all);
	memset(rep, 0, sizeof(*rep));
}
