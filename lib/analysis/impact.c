// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reload impact: scenarios per connection and method (see impact.h), with a memo keyed
 * by equivalence classes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "../eval/eval.h"
#include "ifaces.h"
#include "impact.h"

static const char *const method_names[] = {"atomic", "restart", "flush"};
static const char *const outcome_names[] = {"safe",	"cut",	   "at-risk",
					    "nat-lost", "unknown", "skipped"};

const char *ctg_impact_method_name(enum ctg_impact_method m)
{
	return m < CTG_IMPACT_NMETHODS ? method_names[m] : "?";
}

int ctg_impact_method_parse(const char *s)
{
	for (int i = 0; i < CTG_IMPACT_NMETHODS; i++)
		if (!strcmp(s, method_names[i]))
			return i;
	return -1;
}

const char *ctg_impact_outcome_name(enum ctg_impact_outcome o)
{
	return o < CTG_OUT_MAX ? outcome_names[o] : "?";
}

bool ctg_impact_is_idle_replica(const struct ctg_impact_conn *c, const struct ctg_impact_verdict *v)
{
	return c->role == CTG_IMPACT_CLIENT && c->l4proto == 6 && v->outcome == CTG_OUT_AT_RISK &&
	       (v->fails & CTG_IMPACT_PEER_FIRST);
}

/* ---------------------------------------------------------------- one connection */

struct wkey {
	const struct ctg_ruleset *rs;
	uint8_t from_peer, ctstate, reply, pad;
	uint32_t status, mark;
};

#define WC_MAX	  16
#define MAX_PARTS 8

struct sim {
	const struct ctg_impact_input *in;
	bool wc_ok; /* walk cache allowed */
	size_t nwc;
	struct {
		struct wkey k;
		struct ctg_eval_result res;
	} wc[WC_MAX];
	struct ctg_eval_env env;
	struct ctg_ct_view *view;
	struct ctg_local_addr *locals;
	uint64_t rules_visited;
};

static void init_env(struct sim *s, const struct ctg_impact_input *in)
{
	ctg_eval_env_init(&s->env);
	if (in->tcp_loose >= 0)
		s->env.sysctls.tcp_loose = in->tcp_loose;
	if (in->tcp_be_liberal >= 0)
		s->env.sysctls.tcp_be_liberal = in->tcp_be_liberal;
	if (in->port_lo && in->port_hi) {
		s->env.sysctls.port_lo = in->port_lo;
		s->env.sysctls.port_hi = in->port_hi;
	}
	if (in->routes) {
		s->env.route = ctg_routes_eval_cb;
		s->env.route_arg = in->routes;
	}
	if (!in->nlocal)
		return;
	s->locals = calloc(in->nlocal, sizeof(*s->locals));
	if (!s->locals)
		return;
	for (size_t i = 0; i < in->nlocal; i++) {
		s->locals[i].family = in->local[i].family;
		s->locals[i].addr = in->local[i].addr;
	}
	s->env.local = s->locals;
	s->env.nlocal = in->nlocal;
	s->env.local_known = true;
}

/* The two packets of a connection: L (local->peer, forward: original) and P. */
struct flow {
	struct ctg_pkt l, p;
	enum ctg_eval_path lpath, ppath;
	bool nat;
};

static bool is_loopback(uint8_t family, const struct ctg_addr *a)
{
	static const uint8_t v6lo[16] = {[15] = 1};

	return family == 2 ? a->b[0] == 127 : !memcmp(a->b, v6lo, 16);
}

static void fill_tuple(struct ctg_pkt *p, const struct ctg_tuple *t)
{
	p->src = t->src;
	p->dst = t->dst;
	p->sport = t->sport;
	p->dport = t->dport;
}

static void base_pkt(struct ctg_pkt *p, const struct ctg_impact_conn *c)
{
	memset(p, 0, sizeof(*p));
	p->family = c->family;
	p->l4proto = c->l4proto;
	p->tcp_flags = c->l4proto == 6 ? (CTG_TH_ACK | CTG_TH_PSH) : 0;
	p->ttl = 64;
	p->len = 100;
	p->mark_known = true;
}

static void make_flow(const struct sim *s, const struct ctg_impact_conn *c, struct flow *f)
{
	const struct ctg_ruleset *now = c->family == 10
						? (s->in->cur6 ? s->in->cur6 : s->in->cand6)
						: (s->in->cur4 ? s->in->cur4 : s->in->cand4);
	struct ctg_tuple lt = {
		.src = c->laddr, .dst = c->paddr, .sport = c->lport, .dport = c->pport};
	struct ctg_tuple pt = {
		.src = c->paddr, .dst = c->laddr, .sport = c->pport, .dport = c->lport};
	bool lo;

	base_pkt(&f->l, c);
	base_pkt(&f->p, c);
	f->nat = false;
	if (c->ct) {
		bool lrep = c->ct_dir_reply && c->role != CTG_IMPACT_FORWARD;

		lt = lrep ? c->ct->reply : c->ct->orig;
		pt = lrep ? c->ct->orig : c->ct->reply;
		f->nat = (c->ct->status & (CTG_IPS_SRC_NAT | CTG_IPS_DST_NAT)) != 0;
	}
	fill_tuple(&f->l, &lt);
	fill_tuple(&f->p, &pt);
	if (c->sock) {
		f->l.uid_known = true;
		f->l.uid = c->sock->uid;
	}
	/* a peer on this host (loopback or one of its addresses): over lo */
	lo = is_loopback(c->family, &c->laddr) || is_loopback(c->family, &c->paddr) ||
	     (c->role != CTG_IMPACT_FORWARD &&
	      ctg_eval_env_is_local(&s->env, c->family, &c->paddr) == CTG_TRUE);
	if (c->role == CTG_IMPACT_FORWARD) {
		f->lpath = f->ppath = CTG_PATH_FORWARD;
	} else {
		f->lpath = CTG_PATH_LOCAL_OUT;
		f->ppath = CTG_PATH_LOCAL_IN;
	}
	ctg_ifaces_fill(now, &s->env, lo, f->lpath, &f->l, f->ppath, &f->p);
}

static const struct ctg_ruleset *pick_rs(const struct ctg_impact_input *in, uint8_t family,
					 enum ctg_impact_method m)
{
	if (m == CTG_IMPACT_FLUSH)
		return family == 10 ? in->cur6 : in->cur4;
	return family == 10 ? in->cand6 : in->cand4;
}

enum scen_res { SC_PASS, SC_FAIL, SC_UNKNOWN };

/*
 * Walk cache for one connection (memo mode only): within a connection the walk depends
 * only on the ruleset, the direction and the conntrack view of the packet (ctstate,
 * direction, entry status and mark), unless the raw table can untrack it or a rule reads
 * the timeout. Classification and commit still run for every packet.
 */
static bool table_has_rules(const struct ctg_ruleset *rs, enum ctg_table_id id)
{
	for (; rs; rs = rs->next) {
		const struct ctg_table *t = &rs->tables[id];

		for (uint32_t i = 0; t->present && i < t->nchains; i++)
			if (t->chains[i].nrules)
				return true;
	}
	return false;
}

static bool raw_has_rules(const struct ctg_ruleset *rs)
{
	return table_has_rules(rs, CTG_TABLE_RAW);
}

static bool ct_active(const struct ctg_ruleset *rs)
{
	for (const struct ctg_ruleset *r = rs; r; r = r->next)
		if (r->uses_ct)
			return true;
	return table_has_rules(rs, CTG_TABLE_NAT);
}

static bool cached_walk(struct sim *s, const struct ctg_ruleset *rs, enum ctg_eval_path path,
			const struct ctg_pkt *pkt, bool from_peer, struct ctg_flow_result *r,
			int *rc)
{
	struct ctg_pkt p = *pkt;
	struct wkey k = {0};

	if (!s->wc_ok || raw_has_rules(rs))
		return false;
	memset(r, 0, sizeof(*r));
	if (ct_active(rs)) {
		*rc = ctg_ct_classify(s->view, pkt, &s->env.sysctls, &r->ct);
		if (*rc)
			return true;
		ctg_ct_result_to_pkt(&r->ct, &p);
	} else {
		r->ct.ctstate = CTG_CTS_INVALID;
		r->ct.reason = "conntrack-inactive";
	}
	k.rs = rs;
	k.from_peer = from_peer;
	k.ctstate = p.ctstate;
	k.reply = p.ct_reply_dir;
	k.status = p.ct ? p.ct->status : 0;
	k.mark = p.ctmark;
	for (size_t i = 0; i < s->nwc; i++)
		if (!memcmp(&s->wc[i].k, &k, sizeof(k))) {
			r->eval = s->wc[i].res;
			r->eval.rules_visited = 0;
			goto commit;
		}
	*rc = ctg_eval_packet(rs, path, &p, &s->env, NULL, &r->eval);
	if (*rc)
		return true;
	if (s->nwc < WC_MAX) {
		s->wc[s->nwc].k = k;
		s->wc[s->nwc++].res = r->eval;
	}
commit:
	if (ct_active(rs))
		*rc = ctg_ct_commit(s->view, &r->ct,
				    r->eval.possible == CTG_VB_ACCEPT && !r->eval.truncated);
	return true;
}

/* One scenario: 3 packets alternating, starting with L (peer_first false) or P. */
static enum scen_res run_scenario(struct sim *s, const struct ctg_ruleset *rs, bool wipe,
				  const struct ctg_ct_entry *ct, const struct flow *f,
				  bool peer_first, struct ctg_impact_verdict *v)
{
	enum scen_res res = SC_PASS;

	/* The view holds only this connection's entry: nothing else can match its tuples. */
	ctg_ct_view_reset(s->view);
	if (!wipe && ct && ctg_ct_view_insert(s->view, ct) < 0)
		return SC_UNKNOWN;
	for (int i = 0; i < 3; i++) {
		bool from_peer = peer_first ^ (i & 1);
		const struct ctg_pkt *p = from_peer ? &f->p : &f->l;
		enum ctg_eval_path path = from_peer ? f->ppath : f->lpath;
		struct ctg_flow_result r;
		unsigned bad = CTG_VB_DROP | CTG_VB_REJECT;

		if (!rs)
			continue; /* no ruleset for the family: nothing filters */
		int rc = 0;

		if (!cached_walk(s, rs, path, p, from_peer, &r, &rc))
			rc = ctg_eval_flow_packet(rs, s->view, &s->env, path, p, true, NULL, &r);
		if (rc < 0)
			return SC_UNKNOWN;
		s->rules_visited += r.eval.rules_visited;
		if (r.eval.possible == CTG_VB_ACCEPT && !r.eval.truncated)
			continue;
		if (!(r.eval.possible & ~bad) && !r.eval.truncated) {
			if (!v->has_stop && r.eval.has_stop) {
				v->has_stop = true;
				v->stop.table = r.eval.stop.table;
				v->stop.hook = r.eval.stop.hook;
				v->stop.chain = r.eval.stop.chain;
				v->stop.chain_name = r.eval.stop.chain_name;
				v->stop.rule = r.eval.stop.rule;
				v->stop.line = r.eval.stop.line;
				v->stop.r = r.eval.stop.r;
				v->stop_from_peer = from_peer;
				v->stop_path = path;
				v->stop_ctstate = r.ct.ctstate;
			}
			return SC_FAIL;
		}
		res = SC_UNKNOWN; /* the rest of the scenario is not certain either */
		break;
	}
	return res;
}

static bool live_flow(const struct ctg_impact_conn *c)
{
	if (c->l4proto != 6)
		return c->l4proto == 17;
	if (c->ct)
		return c->ct->tcp_state == CTG_TCP_ESTABLISHED;
	return c->sock && c->sock->state == CTG_SK_ESTABLISHED;
}

static void sim_method(struct sim *s, const struct ctg_impact_conn *c, const struct flow *f,
		       enum ctg_impact_method m, struct ctg_impact_verdict *v)
{
	const struct ctg_ruleset *rs = pick_rs(s->in, c->family, m);
	bool wipe = m != CTG_IMPACT_ATOMIC;
	enum scen_res lf, pf;

	memset(v, 0, sizeof(*v));
	if (!live_flow(c)) {
		v->outcome = CTG_OUT_SKIPPED;
		return;
	}
	lf = run_scenario(s, rs, wipe, c->ct, f, false, v);
	pf = run_scenario(s, rs, wipe, c->ct, f, true, v);
	v->fails = (lf == SC_FAIL ? CTG_IMPACT_LOCAL_FIRST : 0) |
		   (pf == SC_FAIL ? CTG_IMPACT_PEER_FIRST : 0);
	if (wipe && f->nat) {
		/*
		 * The reply side's address has no binding: the peer's packets are lost. The
		 * local (original) side re-creates a binding through the nat rules, which the
		 * model does not redo: that side is not asserted either way.
		 */
		v->outcome = CTG_OUT_NAT_LOST;
		v->fails = CTG_IMPACT_PEER_FIRST;
	} else if (lf == SC_FAIL && pf == SC_FAIL)
		v->outcome = CTG_OUT_CUT;
	else if (lf == SC_FAIL || pf == SC_FAIL)
		v->outcome = CTG_OUT_AT_RISK;
	else if (lf == SC_UNKNOWN || pf == SC_UNKNOWN)
		v->outcome = CTG_OUT_UNKNOWN;
	else
		v->outcome = CTG_OUT_SAFE;
}

static void sim_conn(struct sim *s, const struct ctg_impact_conn *c, struct ctg_impact_verdict *out)
{
	struct flow f;

	make_flow(s, c, &f);
	s->nwc = 0;
	for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
		if (!(s->in->methods & (1u << m)))
			continue;
		/* restart and flush differ only in the ruleset: same ruleset, same verdict */
		if (m == CTG_IMPACT_FLUSH && s->wc_ok &&
		    (s->in->methods & (1u << CTG_IMPACT_RESTART)) &&
		    pick_rs(s->in, c->family, CTG_IMPACT_FLUSH) ==
			    pick_rs(s->in, c->family, CTG_IMPACT_RESTART)) {
			out[m] = out[CTG_IMPACT_RESTART];
			continue;
		}
		sim_method(s, c, &f, m, &out[m]);
	}
}

/* ---------------------------------------------------------------- memo */

struct mkey {
	uint8_t family, l4proto, role, has_ct, dir_reply, tcp_state, has_sock, pad;
	uint32_t status, mark, uid, timeout;
	uint32_t lsport, ldport, psport, pdport;
	struct ctg_addr lsrc, ldst, psrc, pdst;
};

/* Probe table: hash and verdict triple index; the keys are kept densely by triple. */
struct mslot {
	uint64_t h; /* 0 = empty */
	uint32_t idx;
};

struct memo {
	struct mslot *v;
	size_t cap, n;
	struct mkey *keys; /* by triple index */
	size_t kcap;
	const struct ctg_impact_classes *cls;
	bool last_ok, pc_ok;
	uint32_t pc_lo, pc_hi, pc_cls; /* last peer class interval (IPv4, host order) */
	uint8_t last_fam;
	struct ctg_addr last, last_cls;
	bool exact_addr;     /* routing decides interfaces: addresses are keyed exactly */
	const uint32_t *sig; /* make_sigs of sig_base[0..nsig) */
	const struct ctg_ct_entry *sig_base;
	size_t nsig;
};

static uint64_t hash_key(const struct mkey *k)
{
	const uint64_t *w = (const uint64_t *)k;
	uint64_t h = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < sizeof(*k) / 8; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

/*
 * Per-entry signatures of the conntrack table, computed in one sequential pass: the
 * memo keys then read a 4-byte array instead of touching each (randomly ordered) entry.
 * Bits 0-7 TCP state, 8-23 status bits the key uses, SIG_DIRECT: read the entry (NAT,
 * mark set).
 */
#define SIG_STATUS_MASK                                                                            \
	(CTG_IPS_EXPECTED | CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED | CTG_IPS_SRC_NAT |               \
	 CTG_IPS_DST_NAT | CTG_IPS_UNTRACKED)
#define SIG_DIRECT (1u << 31)

static uint32_t *make_sigs(const struct ctg_ct_table *t)
{
	uint32_t *sig = malloc((t->n + 1) * sizeof(*sig));

	for (size_t i = 0; sig && i < t->n; i++) {
		const struct ctg_ct_entry *e = &t->v[i];
		uint32_t st = e->status & SIG_STATUS_MASK;

		sig[i] = e->tcp_state | st << 8;
		if (e->mark || (st & (CTG_IPS_SRC_NAT | CTG_IPS_DST_NAT)))
			sig[i] |= SIG_DIRECT;
	}
	return sig;
}

static uint32_t conn_sig(const struct memo *mm, const struct ctg_impact_conn *c)
{
	size_t i;

	if (!mm->sig || c->ct < mm->sig_base || c->ct >= mm->sig_base + mm->nsig)
		return SIG_DIRECT;
	i = (size_t)(c->ct - mm->sig_base);
	return mm->sig[i];
}

static void key_ct_direct(const struct memo *mm, const struct ctg_impact_conn *c, struct mkey *k,
			  struct ctg_tuple *lt, struct ctg_tuple *pt)
{
	bool lrep = c->ct_dir_reply && c->role != CTG_IMPACT_FORWARD;

	*lt = lrep ? c->ct->reply : c->ct->orig;
	*pt = lrep ? c->ct->orig : c->ct->reply;
	k->tcp_state = c->ct->tcp_state;
	k->status = c->ct->status & SIG_STATUS_MASK;
	k->mark = c->ct->mark;
	if (ctg_impact_classes_need_timeout(mm->cls))
		k->timeout = c->ct->timeout;
}

/*
 * The signatures of a part's rows, gathered in a tight loop of independent loads (many
 * misses in flight) rather than one per row between other work. NULL on ENOMEM (the
 * rows then read them one by one).
 */
static uint32_t *gather_sigs(const struct memo *mm, const struct ctg_impact_conn *conns, size_t lo,
			     size_t hi)
{
	uint32_t *gs = mm->sig ? malloc((hi - lo + 1) * sizeof(*gs)) : NULL;

	for (size_t i = lo; gs && i < hi; i++)
		gs[i - lo] = conn_sig(mm, &conns[i]);
	return gs;
}

/* Class of the peer address; rows sorted by peer often stay in the last interval. */
static void class_peer(struct memo *mm, uint8_t family, const struct ctg_addr *a,
		       struct ctg_addr *out)
{
	uint32_t x;

	if (family == 10) {
		ctg_impact_class_addr(mm->cls, family, a, out);
		return;
	}
	x = ntohl(a->w[0]);
	memset(out, 0, sizeof(*out));
	if (!mm->pc_ok || x < mm->pc_lo || x > mm->pc_hi) {
		mm->pc_cls = ctg_impact_class_v4(mm->cls, x, &mm->pc_lo, &mm->pc_hi);
		mm->pc_ok = true;
	}
	out->w[0] = mm->pc_cls;
}

/* False when the connection is not memoised. */
static bool make_key(struct memo *mm, const struct ctg_impact_conn *c, uint32_t sig, struct mkey *k)
{
	struct ctg_tuple lt = {
		.src = c->laddr, .dst = c->paddr, .sport = c->lport, .dport = c->pport};
	struct ctg_tuple pt = {
		.src = c->paddr, .dst = c->laddr, .sport = c->pport, .dport = c->lport};

	memset(k, 0, sizeof(*k));
	if (c->ct) {
		if ((sig & SIG_DIRECT) || ctg_impact_classes_need_timeout(mm->cls)) {
			key_ct_direct(mm, c, k, &lt, &pt);
		} else {
			k->tcp_state = sig & 0xff;
			k->status = (sig >> 8) & 0xffff;
		}
	}
	k->family = c->family;
	k->l4proto = c->l4proto;
	k->role = c->role;
	k->has_ct = c->ct != NULL;
	k->dir_reply = c->ct_dir_reply;
	k->has_sock = c->sock ? 1 + (c->sock->state == CTG_SK_ESTABLISHED) : 0;
	k->uid = c->sock ? c->sock->uid : 0xffffffffu;
	if (mm->last_ok && mm->last_fam == c->family && ctg_addr_eq(&mm->last, &lt.src)) {
		k->lsrc = mm->last_cls; /* the local address repeats from row to row */
	} else {
		ctg_impact_class_addr(mm->cls, c->family, &lt.src, &k->lsrc);
		mm->last = lt.src;
		mm->last_cls = k->lsrc;
		mm->last_fam = c->family;
		mm->last_ok = true;
	}
	class_peer(mm, c->family, &lt.dst, &k->ldst);
	if (mm->exact_addr) {
		k->lsrc = lt.src;
		k->ldst = lt.dst;
		k->psrc = pt.src;
		k->pdst = pt.dst;
	}
	k->lsport = ctg_impact_class_port(mm->cls, lt.sport);
	k->ldport = ctg_impact_class_port(mm->cls, lt.dport);
	if ((k->status & (CTG_IPS_SRC_NAT | CTG_IPS_DST_NAT)) && !mm->exact_addr) {
		/* the other direction's tuple is not the inverse: key on it too */
		ctg_impact_class_addr(mm->cls, c->family, &pt.src, &k->psrc);
		ctg_impact_class_addr(mm->cls, c->family, &pt.dst, &k->pdst);
		k->psport = ctg_impact_class_port(mm->cls, pt.sport);
		k->pdport = ctg_impact_class_port(mm->cls, pt.dport);
	}
	return true;
}

static int memo_grow(struct memo *mm)
{
	size_t nc = mm->cap ? mm->cap * 2 : 4096;
	struct mslot *nv = calloc(nc, sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	for (size_t j = 0; j < mm->cap; j++) {
		size_t i;

		if (!mm->v[j].h)
			continue;
		for (i = mm->v[j].h & (nc - 1); nv[i].h; i = (i + 1) & (nc - 1))
			;
		nv[i] = mm->v[j];
	}
	free(mm->v);
	mm->v = nv;
	mm->cap = nc;
	return 0;
}

/* Returns the slot for k: used (hit, h set) or the empty one to fill. NULL on ENOMEM. */
static struct mslot *memo_find(struct memo *mm, const struct mkey *k, uint64_t h)
{
	size_t i;

	if ((mm->n + 1) * 2 > mm->cap && memo_grow(mm))
		return NULL;
	for (i = h & (mm->cap - 1); mm->v[i].h; i = (i + 1) & (mm->cap - 1))
		if (mm->v[i].h == h && !memcmp(&mm->keys[mm->v[i].idx], k, sizeof(*k)))
			return &mm->v[i];
	return &mm->v[i];
}

/* Records k as the key of triple t. */
static int memo_add(struct memo *mm, struct mslot *slot, const struct mkey *k, uint64_t h,
		    uint32_t t)
{
	if (t >= mm->kcap) {
		size_t nc = mm->kcap ? mm->kcap * 2 : 1024;
		struct mkey *nk;

		while (nc <= t)
			nc *= 2;
		nk = realloc(mm->keys, nc * sizeof(*nk));
		if (!nk)
			return -ENOMEM;
		mm->keys = nk;
		mm->kcap = nc;
	}
	mm->keys[t] = *k;
	slot->h = h;
	slot->idx = t;
	mm->n++;
	return 0;
}

/* ---------------------------------------------------------------- driver */

/* Index of a new verdict triple, growing out->v. -1 on ENOMEM. */
static int64_t new_triple(struct ctg_impact *out)
{
	if (out->nv == out->capv) {
		size_t nc = out->capv ? out->capv * 2 : 1024;
		struct ctg_impact_verdict *nv =
			realloc(out->v, nc * CTG_IMPACT_NMETHODS * sizeof(*nv));

		if (!nv)
			return -1;
		out->v = nv;
		out->capv = nc;
	}
	memset(&out->v[out->nv * CTG_IMPACT_NMETHODS], 0, CTG_IMPACT_NMETHODS * sizeof(*out->v));
	return (int64_t)out->nv++;
}

/*
 * One part of the connections [lo, hi): its own view, walk cache, memo and verdict
 * triples (parts run in parallel threads; duplicates across parts are evaluated twice).
 */
struct part {
	struct sim s;
	struct memo mm;
	struct ctg_impact r; /* v/nv/capv/evaluated/memo_keys; idx is the shared array */
	size_t lo, hi;
	int err;
};

static int run_part(struct part *p)
{
	struct sim *s = &p->s;
	struct memo *mm = p->mm.cls ? &p->mm : NULL;
	struct ctg_impact *out = &p->r;
	uint32_t *gs = mm ? gather_sigs(mm, s->in->conns, p->lo, p->hi) : NULL;
	bool have_prev = false;
	uint32_t prev_idx = 0;
	struct mkey prev;
	int err = 0;

	for (size_t i = p->lo; i < p->hi && !err; i++) {
		const struct ctg_impact_conn *c = &s->in->conns[i];
		struct mslot *slot = NULL;
		uint64_t h = 0;
		int64_t t;
		struct mkey k;

		if (mm && (c->l4proto == 6 || c->l4proto == 17) &&
		    make_key(mm, c, gs ? gs[i - p->lo] : conn_sig(mm, c), &k)) {
			/* rows come sorted by endpoints: neighbours often share the key */
			if (have_prev && !memcmp(&k, &prev, sizeof(k))) {
				out->idx[i] = prev_idx;
				continue;
			}
			h = hash_key(&k) | 1;
			slot = memo_find(mm, &k, h);
			if (!slot) {
				err = -ENOMEM;
				break;
			}
			if (slot->h) {
				out->idx[i] = prev_idx = slot->idx;
				prev = k;
				have_prev = true;
				continue;
			}
		}
		t = new_triple(out);
		if (t < 0) {
			err = -ENOMEM;
			break;
		}
		out->idx[i] = (uint32_t)t;
		sim_conn(s, c, &out->v[t * CTG_IMPACT_NMETHODS]);
		out->evaluated++;
		if (slot && memo_add(mm, slot, &k, h, (uint32_t)t))
			err = -ENOMEM;
		if (slot) {
			prev = k;
			prev_idx = (uint32_t)t;
			have_prev = true;
		}
	}
	out->memo_keys = mm ? mm->n : 0;
	free(gs);
	return err;
}

static void *part_thread(void *arg)
{
	struct part *p = arg;

	p->err = run_part(p);
	return NULL;
}

static void tally(struct ctg_impact *out, unsigned methods)
{
	for (size_t i = 0; i < out->n; i++)
		for (int m = 0; m < CTG_IMPACT_NMETHODS; m++)
			if (methods & (1u << m))
				out->count[m][ctg_impact_get(out, i, m)->outcome]++;
}

static unsigned nthreads(const struct ctg_impact_input *in)
{
	const char *e = getenv("CTGUARD_THREADS");
	long n = e ? atol(e) : in->threads ? (long)in->threads : sysconf(_SC_NPROCESSORS_ONLN);

	if (in->no_memo || in->nconns < 100000 || n < 1)
		return 1;
	return n > MAX_PARTS ? MAX_PARTS : (unsigned)n;
}

static int init_part(struct part *p, const struct ctg_impact_input *in,
		     const struct ctg_impact_classes *cls, const struct ctg_eval_env *env,
		     const uint32_t *sig, uint32_t *idx)
{
	p->mm.sig = sig;
	p->mm.sig_base = sig ? in->cts->v : NULL;
	p->mm.nsig = sig ? in->cts->n : 0;
	p->s.in = in;
	p->s.env = *env;
	p->s.view = ctg_ct_view_new(NULL);
	p->s.wc_ok = cls && !ctg_impact_classes_need_timeout(cls);
	p->mm.cls = cls;
	p->mm.exact_addr = in->routes != NULL;
	p->r.idx = idx;
	return p->s.view ? 0 : -ENOMEM;
}

static void free_part(struct part *p)
{
	ctg_ct_view_free(p->s.view);
	free(p->mm.v);
	free(p->mm.keys);
	free(p->r.v);
}

/* Concatenates the parts' triples into out; idx of later parts shifted. */
static int merge_parts(struct part *parts, unsigned np, struct ctg_impact *out)
{
	size_t total = 0, off = 0;

	for (unsigned t = 0; t < np; t++)
		total += parts[t].r.nv;
	out->v = malloc((total + 1) * CTG_IMPACT_NMETHODS * sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	out->nv = out->capv = total;
	for (unsigned t = 0; t < np; t++) {
		struct part *p = &parts[t];

		if (p->r.nv)
			memcpy(&out->v[off * CTG_IMPACT_NMETHODS], p->r.v,
			       p->r.nv * CTG_IMPACT_NMETHODS * sizeof(*out->v));
		for (size_t i = p->lo; t && i < p->hi; i++)
			out->idx[i] += (uint32_t)off;
		off += p->r.nv;
		out->evaluated += p->r.evaluated;
		out->memo_keys += p->r.memo_keys;
		out->rules_visited += p->s.rules_visited;
	}
	return 0;
}

static int run_parts(const struct ctg_impact_input *in, const struct ctg_impact_classes *cls,
		     const struct ctg_eval_env *env, const uint32_t *sig, struct ctg_impact *out)
{
	struct part parts[MAX_PARTS] = {0};
	pthread_t tid[MAX_PARTS];
	unsigned np = nthreads(in), started = 0;
	int err = 0;

	for (unsigned t = 0; t < np && !err; t++) {
		parts[t].lo = in->nconns * t / np;
		parts[t].hi = in->nconns * (t + 1) / np;
		err = init_part(&parts[t], in, cls, env, sig, out->idx);
	}
	for (unsigned t = 1; t < np && !err; t++, started++)
		if (pthread_create(&tid[t], NULL, part_thread, &parts[t]))
			break;
	if (!err)
		parts[0].err = run_part(&parts[0]);
	for (unsigned t = 1; t <= started; t++)
		pthread_join(tid[t], NULL);
	for (unsigned t = 0; t < np && !err; t++)
		err = t <= started ? parts[t].err : -EAGAIN;
	if (!err)
		err = merge_parts(parts, np, out);
	for (unsigned t = 0; t < np; t++)
		free_part(&parts[t]);
	return err;
}

int ctg_impact_run(const struct ctg_impact_input *in, struct ctg_impact *out)
{
	const struct ctg_ruleset *heads[4] = {in->cur4, in->cur6, in->cand4, in->cand6};
	const struct ctg_ruleset *rss[16];
	size_t nrss = 0;
	struct ctg_impact_classes *cls = NULL;
	uint32_t *sig = NULL;
	struct sim s = {.in = in};
	int err;

	memset(out, 0, sizeof(*out));
	if (!in->conns && in->nconns)
		return -EINVAL;
	init_env(&s, in);
	out->n = in->nconns;
	out->idx = calloc(out->n + 1, sizeof(*out->idx));
	if (!in->no_memo) {
		for (int i = 0; i < 4; i++) /* every backend's rules draw class boundaries */
			for (const struct ctg_ruleset *r = heads[i]; r && nrss < 16; r = r->next)
				rss[nrss++] = r;
		cls = ctg_impact_classes_new(rss, nrss, in->local, in->nlocal);
		if (in->cts && in->cts->n && !(sig = make_sigs(in->cts)))
			cls = (ctg_impact_classes_free(cls), NULL);
	}
	if (!out->idx || (!in->no_memo && !cls) || (in->nlocal && !s.locals)) {
		err = -ENOMEM;
		goto out;
	}
	err = run_parts(in, cls, &s.env, sig, out);
	if (!err)
		tally(out, in->methods);
out:
	ctg_impact_classes_free(cls);
	free(sig);
	free(s.locals);
	if (err)
		ctg_impact_release(out);
	return err;
}

void ctg_impact_release(struct ctg_impact *r)
{
	free(r->v);
	free(r->idx);
	r->v = NULL;
	r->idx = NULL;
	r->n = r->nv = r->capv = 0;
}
