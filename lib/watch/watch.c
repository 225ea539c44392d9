// SPDX-License-Identifier: GPL-2.0-or-later
/* The watch loop: events and polls in, coalesced rounds of audit (+ heal) out (watch.h). */
#include "watch.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ctguard/conns.h>

/* Destroyed entries decoded per burst to look for victims; beyond that it is a wipe. */
#define KEEP_ENTRIES 256

struct loop {
	struct ctg_watch_opts o;
	const struct ctg_watch_hooks *h;
	void *ctx;
	struct ctg_watch_events *ev;
	struct ctg_watch_polled polled;
	struct ctg_watch_batch batch;
	bool pending;			/* a burst is being collected */
	double burst_start, last_event; /* monotonic seconds */
	double next_tick, next_poll, next_full;
	struct ctg_inputs rules; /* the inputs of the last round that read the rules */
	bool have_rules;
	uint32_t *old_ids; /* sorted ids of the entries that existed at the start */
	size_t nold;
	struct ctg_sock_table silent; /* one socket per live connection with such an entry */
};

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void defaults(struct ctg_watch_opts *o)
{
	if (!o->poll_ms)
		o->poll_ms = 1000;
	if (!o->quiet_ms)
		o->quiet_ms = 5;
	if (!o->burst_max_ms)
		o->burst_max_ms = 50;
}

/*
 * Destroyed entries that belonged to a live local ESTABLISHED socket: the rows of the
 * library's sockets x conntrack join that have both (the same key audit joins on).
 */
static size_t count_victims(const struct ctg_ct_table *gone)
{
	struct ctg_sock_table socks;
	struct ctg_conn_table rows;
	size_t n = 0;

	if (!gone->n)
		return 0;
	ctg_sock_table_init(&socks);
	ctg_conn_table_init(&rows);
	if (ctg_sock_read_diag(&socks, CTG_SOCK_TCP | CTG_SOCK_UDP) < 0 ||
	    ctg_conns_join(&socks, gone, NULL, 0, 0, &rows) < 0)
		n = 1; /* cannot tell: audit */
	for (size_t i = 0; i < rows.n; i++)
		if (rows.v[i].sock && rows.v[i].ct && rows.v[i].sock->state == CTG_SK_ESTABLISHED)
			n++;
	ctg_conn_table_release(&rows);
	ctg_sock_table_release(&socks);
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Entries that existed before watch listened carry no event extension (the default
 * nf_conntrack_events=2 adds it only to entries created while someone listens): their
 * destruction sends no event. The first round notes their ids; every round then keeps
 * one socket per live local connection that still has such an entry, and each poll
 * looks those entries up. Entries watch re-inserts are new: the set only shrinks.
 */
static void note_old_entries(struct loop *l, const struct ctg_ct_table *ct)
{
	l->old_ids = malloc((ct->n ? ct->n : 1) * sizeof(*l->old_ids));
	if (!l->old_ids)
		return;
	for (size_t i = 0; i < ct->n; i++)
		l->old_ids[i] = ct->v[i].id;
	l->nold = ct->n;
	qsort(l->old_ids, l->nold, sizeof(*l->old_ids), cmp_u32);
}

static bool is_old(const struct loop *l, uint32_t id)
{
	return l->old_ids && bsearch(&id, l->old_ids, l->nold, sizeof(id), cmp_u32);
}

static void track_silent(struct loop *l, const struct ctg_inputs *in)
{
	struct ctg_conn_table rows;
	uint32_t seen[64];
	size_t nseen = 0;

	l->silent.n = 0;
	if (!l->nold)
		return;
	ctg_conn_table_init(&rows);
	if (ctg_conns_join(&in->socks, &in->ct, NULL, 0, 0, &rows) == 0)
		for (size_t i = 0; i < rows.n; i++) {
			const struct ctg_conn *c = &rows.v[i];
			struct ctg_sock *s;
			bool dup = false;

			if (!c->sock || !c->ct || c->sock->state != CTG_SK_ESTABLISHED ||
			    !is_old(l, c->ct->id))
				continue;
			/* both ends of a local connection: one lookup finds the entry */
			for (size_t k = 0; k < nseen && !dup; k++)
				dup = seen[k] == c->ct->id;
			if (dup || !(s = ctg_sock_table_push(&l->silent)))
				continue;
			*s = *c->sock;
			if (nseen < 64)
				seen[nseen++] = c->ct->id;
		}
	ctg_conn_table_release(&rows);
}

/* Entries of the tracked connections that are gone (no event told). */
static size_t silent_gone(const struct loop *l)
{
	struct ctg_ct_table found;
	size_t gone;

	if (!l->silent.n)
		return 0;
	ctg_ct_table_init(&found);
	if (ctg_ct_read_nl_socks(&found, &l->silent) < 0)
		found.n = l->silent.n; /* cannot tell now; the next poll tries again */
	gone = found.n < l->silent.n ? l->silent.n - found.n : 0;
	ctg_ct_table_release(&found);
	return gone;
}

/*
 * What makes the rules be read again (iptables-save). A round caused only by destroyed
 * entries audits with the rules of the previous round: they have not changed, or a
 * generation event or the poll says so, and those rounds read them again.
 */
#define RULES_CHANGED                                                                              \
	(CTG_WATCH_START | CTG_WATCH_NFT_GEN | CTG_WATCH_LEGACY | CTG_WATCH_MODULE |               \
	 CTG_WATCH_PERIODIC)

/*
 * The audit of a round caused only by destroyed entries: which local connections lost
 * their entry. The entries of the local sockets are looked up one by one instead of
 * dumped: a flush of 200,000 entries leaves few to look at, a dump of the table while
 * the flush runs would read all that is left. The rules are the cached ones.
 */
static int audit_sockets(const struct loop *l, struct ctg_inputs *in, struct ctg_audit_report *rep)
{
	struct ctg_audit_input ai;
	int ret = ctg_inputs_load(in,
				  CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS | CTG_IN_NO_PROCS);

	if (ret)
		return ret;
	ret = ctg_ct_read_nl_socks(&in->ct, &in->socks);
	if (ret) {
		in->failed = "conntrack lookups over netlink";
		return ret;
	}
	ctg_audit_input_fill(in, l->rules.rules4, l->rules.rules6, &ai);
	return ctg_audit_run(&ai, rep);
}

/* A round that reads the rules: the audit of `ctguard audit`, the processes named later. */
static int audit_full(struct ctg_inputs *in, struct ctg_audit_report *rep)
{
	struct ctg_audit_input ai;
	int ret =
		ctg_inputs_load(in, CTG_IN_AUDIT | CTG_IN_RULES4 | CTG_IN_RULES6 | CTG_IN_NO_PROCS);

	if (ret)
		return ret;
	ctg_audit_input_fill(in, NULL, NULL, &ai);
	return ctg_audit_run(&ai, rep);
}

/* One audit (and heal) handed to the hook. */
static void run_round(struct loop *l, struct ctg_watch_round *r)
{
	bool fresh = (r->why & RULES_CHANGED) || !l->have_rules;
	struct ctg_inputs in;
	struct ctg_heal_opts ho = {0};

	ctg_inputs_init(&in);
	r->t_audit = now_mono();
	r->err = fresh ? audit_full(&in, &r->report) : audit_sockets(l, &in, &r->report);
	if (r->err)
		r->failed = in.failed;
	else if (l->o.heal && (r->err = ctg_heal_run(&r->report, &in.sysctls, &ho, &r->heal)))
		r->failed = "sockets (sock_diag)";
	r->t_done = now_mono();
	r->in = &in;
	/* after the heal: the processes of the connections the log line names (a scan of
	 * /proc, tens of milliseconds on a busy host, would otherwise delay every heal) */
	if (!r->err && (r->report.n || r->heal.n))
		ctg_sock_fill_procs(&in.socks, NULL);
	if (!r->err) {
		if (r->why & CTG_WATCH_START)
			note_old_entries(l, &in.ct);
		track_silent(l, &in);
	}
	if (l->h->round)
		l->h->round(r, l->ctx);
	ctg_heal_report_release(&r->heal);
	ctg_audit_report_release(&r->report);
	if (fresh && !r->err && (in.rules4 || in.rules6)) {
		/* keep these rules for the rounds that follow */
		if (l->have_rules)
			ctg_inputs_release(&l->rules);
		l->rules = in;
		l->have_rules = true;
		/* only the rules are kept: not a copy of a table of 200,000 entries */
		ctg_ct_table_release(&l->rules.ct);
		ctg_sock_table_release(&l->rules.socks);
	} else {
		ctg_inputs_release(&in);
	}
}

static void reset_batch(struct ctg_watch_batch *b)
{
	struct ctg_ct_table ent = b->ent;

	ent.n = 0;
	memset(b, 0, sizeof(*b));
	b->ent = ent;
}

/* The burst is over: audit when it can have orphaned something. */
static void end_burst(struct loop *l)
{
	struct ctg_watch_batch *b = &l->batch;
	struct ctg_watch_round r = {0};

	l->pending = false;
	r.destroyed = b->destroyed;
	if (b->destroyed && !b->lost && b->destroyed < CTG_WATCH_WIPE_MIN)
		r.destroyed_live = count_victims(&b->ent);
	if (b->destroyed)
		r.why |= CTG_WATCH_CT_DESTROY;
	if (b->lost)
		r.why |= CTG_WATCH_CT_LOST;
	r.wipe = b->lost || b->destroyed >= CTG_WATCH_WIPE_MIN || r.destroyed_live;
	if (b->nft_gens) {
		r.why |= CTG_WATCH_NFT_GEN;
		r.nft_gens = b->nft_gens;
		r.nft_gen = b->nft_gen;
		r.nft_pid = b->nft_pid;
		memcpy(r.nft_comm, b->nft_comm, sizeof(r.nft_comm));
	}
	r.t_event = l->burst_start;
	reset_batch(b);
	/* ordinary closes of connections nobody holds any more: nothing to audit */
	if (!r.wipe && !(r.why & CTG_WATCH_NFT_GEN))
		return;
	run_round(l, &r);
}

static int read_events(struct loop *l)
{
	long n = ctg_watch_events_read(l->ev, &l->batch, KEEP_ENTRIES);
	double t = now_mono();

	if (n < 0)
		return (int)n;
	if (n > 0) {
		if (!l->pending) {
			l->pending = true;
			l->burst_start = t;
		}
		l->last_event = t;
	}
	return 0;
}

static void poll_changes(struct loop *l, double t)
{
	struct ctg_watch_polled now;
	struct ctg_watch_round r = {0};

	ctg_watch_polled_read(&now);
	r.why = ctg_watch_polled_diff(&l->polled, &now, r.legacy, sizeof(r.legacy), &r.module);
	l->polled = now;
	if ((r.destroyed = silent_gone(l))) {
		r.why |= CTG_WATCH_CT_SILENT;
		r.destroyed_live = r.destroyed;
		r.wipe = true;
	}
	if (!r.why)
		return;
	r.t_event = t;
	run_round(l, &r);
}

/* Milliseconds until the next deadline (at least 0). */
static int timeout_ms(const struct loop *l, double t)
{
	double next = l->next_poll;

	if (l->o.tick_ms && l->next_tick < next)
		next = l->next_tick;
	if (l->o.interval_s && l->next_full < next)
		next = l->next_full;
	if (l->pending) {
		double q = l->last_event + l->o.quiet_ms / 1e3;
		double m = l->burst_start + l->o.burst_max_ms / 1e3;

		next = q < next ? q : next;
		next = m < next ? m : next;
	}
	return next <= t ? 0 : (int)((next - t) * 1e3) + 1;
}

static void deadlines(struct loop *l, double t)
{
	if (l->pending && (t >= l->last_event + l->o.quiet_ms / 1e3 ||
			   t >= l->burst_start + l->o.burst_max_ms / 1e3))
		end_burst(l);
	if (l->o.tick_ms && t >= l->next_tick) {
		if (l->h->tick)
			l->h->tick(l->ctx);
		l->next_tick = t + l->o.tick_ms / 1e3;
	}
	if (t >= l->next_poll) {
		poll_changes(l, t);
		l->next_poll = now_mono() + l->o.poll_ms / 1e3;
	}
	if (l->o.interval_s && t >= l->next_full) {
		struct ctg_watch_round r = {.why = CTG_WATCH_PERIODIC, .t_event = t};

		run_round(l, &r);
		l->next_full = now_mono() + l->o.interval_s;
	}
}

static int loop_run(struct loop *l)
{
	struct pollfd pfd[3];
	int fds[2], ret;

	ctg_watch_events_fds(l->ev, fds);
	pfd[0] = (struct pollfd){.fd = l->o.stop_fd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = fds[0], .events = POLLIN};
	pfd[2] = (struct pollfd){.fd = fds[1], .events = POLLIN};
	for (;;) {
		double t = now_mono();
		int n = poll(pfd, 3, timeout_ms(l, t));

		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && (pfd[0].revents & (POLLIN | POLLHUP)))
			return 0;
		if (n > 0 && ((pfd[1].revents | pfd[2].revents) & (POLLIN | POLLERR)) &&
		    (ret = read_events(l)) < 0)
			return ret;
		deadlines(l, now_mono());
	}
}

int ctg_watch_run(const struct ctg_watch_opts *o, const struct ctg_watch_hooks *h, void *ctx)
{
	struct loop l = {.o = *o, .h = h, .ctx = ctx};
	struct ctg_watch_round first = {.why = CTG_WATCH_START};
	int ret;

	defaults(&l.o);
	/* subscribe first: nothing that happens during the first audit is missed */
	l.ev = ctg_watch_events_open(l.o.rcvbuf);
	if (!l.ev)
		return -errno;
	ctg_ct_table_init(&l.batch.ent);
	ctg_sock_table_init(&l.silent);
	ctg_watch_polled_read(&l.polled);
	first.t_event = now_mono();
	run_round(&l, &first);
	l.next_tick = now_mono() + l.o.tick_ms / 1e3;
	l.next_poll = now_mono() + l.o.poll_ms / 1e3;
	l.next_full = now_mono() + l.o.interval_s;
	ret = loop_run(&l);
	ctg_ct_table_release(&l.batch.ent);
	ctg_watch_events_close(l.ev);
	if (l.have_rules)
		ctg_inputs_release(&l.rules);
	free(l.old_ids);
	ctg_sock_table_release(&l.silent);
	return ret;
}
