// SPDX-License-Identifier: GPL-2.0-or-later
/* Conntrack model: TCP state table, pickup, UDP/ICMP, view overlay. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ct/model.h"

#define LOCAL "10.98.0.1"
#define PEER  "10.98.0.2"

static struct ctg_pkt tcp_pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			      uint8_t flags)
{
	struct ctg_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 2;
	p.l4proto = 6;
	p.tcp_flags = flags;
	p.sport = sport;
	p.dport = dport;
	assert_int_equal(ctg_addr_parse(2, src, &p.src), 0);
	assert_int_equal(ctg_addr_parse(2, dst, &p.dst), 0);
	return p;
}

static struct ctg_sysctls defaults(void)
{
	struct ctg_sysctls s;

	ctg_sysctls_default(&s);
	return s;
}

/* Classifies and commits as if accepted; returns the ctstate. */
static uint8_t step(struct ctg_ct_view *v, const struct ctg_pkt *p, const struct ctg_sysctls *s,
		    struct ctg_ct_result *r)
{
	assert_int_equal(ctg_ct_classify(v, p, s, r), 0);
	assert_int_equal(ctg_ct_commit(v, r, true), 0);
	return r->ctstate;
}

/* Pushes a confirmed, assured IPv4 TCP entry in tcp_state whose ORIGINAL is p's direction. */
static struct ctg_ct_entry *push_tcp(struct ctg_ct_table *t, const struct ctg_pkt *p,
				     uint8_t tcp_state)
{
	struct ctg_ct_entry *e = ctg_ct_table_push(t);

	e->family = 2;
	e->l4proto = 6;
	e->tcp_state = tcp_state;
	e->status = CTG_IPS_CONFIRMED | CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED;
	ctg_ct_pkt_tuple(p, &e->orig);
	ctg_ct_invert_tuple(6, &e->orig, &e->reply);
	return e;
}

static void test_flag_classes(void **st)
{
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_SYN), 0);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_SYN | CTG_TH_URG), 0);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_SYN | CTG_TH_ACK), 1);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_FIN | CTG_TH_ACK), 2);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_ACK | CTG_TH_PSH), 3);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_RST), 4);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_RST | CTG_TH_ACK), 4);
	/* tcp_error: FIN alone, no flags, SYN+FIN, FIN+PSH+URG are invalid. */
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_FIN), -1);
	assert_int_equal(ctg_ct_tcp_flag_class(0), -1);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_SYN | CTG_TH_FIN), -1);
	assert_int_equal(ctg_ct_tcp_flag_class(CTG_TH_FIN | CTG_TH_PSH | CTG_TH_URG), -1);
}

static void test_state_table(void **st)
{
	/* A few cells of tcp_conntracks, orig then reply. */
	assert_int_equal(ctg_ct_tcp_next(false, 0, CTG_TCP_NONE), CTG_TCP_SYN_SENT);
	assert_int_equal(ctg_ct_tcp_next(false, 0, CTG_TCP_ESTABLISHED), CTG_CT_TCP_IG);
	assert_int_equal(ctg_ct_tcp_next(false, 0, CTG_TCP_TIME_WAIT), CTG_TCP_SYN_SENT);
	assert_int_equal(ctg_ct_tcp_next(false, 1, CTG_TCP_NONE), CTG_CT_TCP_IV);
	assert_int_equal(ctg_ct_tcp_next(false, 2, CTG_TCP_ESTABLISHED), CTG_TCP_FIN_WAIT);
	assert_int_equal(ctg_ct_tcp_next(false, 3, CTG_TCP_NONE), CTG_TCP_ESTABLISHED);
	assert_int_equal(ctg_ct_tcp_next(false, 3, CTG_TCP_SYN_SENT), CTG_CT_TCP_IV);
	assert_int_equal(ctg_ct_tcp_next(false, 3, CTG_TCP_LAST_ACK), CTG_TCP_TIME_WAIT);
	assert_int_equal(ctg_ct_tcp_next(false, 4, CTG_TCP_NONE), CTG_CT_TCP_IV);
	assert_int_equal(ctg_ct_tcp_next(true, 0, CTG_TCP_SYN_SENT), CTG_TCP_SYN_SENT2);
	assert_int_equal(ctg_ct_tcp_next(true, 1, CTG_TCP_SYN_SENT), CTG_TCP_SYN_RECV);
	assert_int_equal(ctg_ct_tcp_next(true, 1, CTG_TCP_ESTABLISHED), CTG_CT_TCP_IG);
	assert_int_equal(ctg_ct_tcp_next(true, 3, CTG_TCP_SYN_SENT), CTG_CT_TCP_IG);
	assert_int_equal(ctg_ct_tcp_next(true, 3, CTG_TCP_SYN_RECV), CTG_TCP_SYN_RECV);
	assert_int_equal(ctg_ct_tcp_next(true, 3, CTG_TCP_CLOSE_WAIT), CTG_TCP_CLOSE_WAIT);
	assert_int_equal(ctg_ct_tcp_next(true, 4, CTG_TCP_TIME_WAIT), CTG_TCP_CLOSE);
	assert_int_equal(ctg_ct_tcp_next(true, 5, CTG_TCP_ESTABLISHED), CTG_CT_TCP_IV);
}

static void test_handshake(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct ctg_pkt syn = tcp_pkt(LOCAL, 40000, PEER, 3306, CTG_TH_SYN);
	struct ctg_pkt synack = tcp_pkt(PEER, 3306, LOCAL, 40000, CTG_TH_SYN | CTG_TH_ACK);
	struct ctg_pkt ack = tcp_pkt(LOCAL, 40000, PEER, 3306, CTG_TH_ACK);
	struct ctg_ct_result r;

	assert_non_null(v);
	assert_int_equal(step(v, &syn, &s, &r), CTG_CTS_NEW);
	assert_int_equal(r.entry.tcp_state, CTG_TCP_SYN_SENT);
	assert_int_equal(r.entry.timeout, 120);
	assert_int_equal(ctg_ct_view_count(v), 1);
	assert_int_equal(step(v, &synack, &s, &r), CTG_CTS_ESTABLISHED);
	assert_true(r.reply_dir);
	assert_int_equal(r.entry.tcp_state, CTG_TCP_SYN_RECV);
	assert_true(r.entry.status & CTG_IPS_SEEN_REPLY);
	assert_false(r.entry.status & CTG_IPS_ASSURED);
	assert_int_equal(step(v, &ack, &s, &r), CTG_CTS_ESTABLISHED);
	assert_int_equal(r.entry.tcp_state, CTG_TCP_ESTABLISHED);
	assert_true(r.entry.status & CTG_IPS_ASSURED);
	assert_int_equal(r.entry.timeout, 432000);
	/* A SYN on the ESTABLISHED entry is ignored: ESTABLISHED, state unchanged [E11]. */
	assert_int_equal(step(v, &syn, &s, &r), CTG_CTS_ESTABLISHED);
	assert_int_equal(r.entry.tcp_state, CTG_TCP_ESTABLISHED);
	assert_int_equal(r.action, CTG_CT_ACT_NONE);
	ctg_ct_view_free(v);
}

static void test_pickup_loose(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_pkt pa = tcp_pkt(PEER, 3306, LOCAL, 40000, CTG_TH_PSH | CTG_TH_ACK);
	struct ctg_pkt local = tcp_pkt(LOCAL, 40000, PEER, 3306, CTG_TH_PSH | CTG_TH_ACK);
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct ctg_ct_result r;

	/* E5: loose=1 data segment without entry: NEW, pending ESTABLISHED, liberal. */
	assert_int_equal(ctg_ct_classify(v, &pa, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_NEW);
	assert_int_equal(r.action, CTG_CT_ACT_CREATE);
	assert_int_equal(r.entry.tcp_state, CTG_TCP_ESTABLISHED);
	assert_int_equal(r.entry.timeout, 300);
	assert_true(r.entry.tcp_flags[0] & CTG_TCPF_BE_LIBERAL);
	/* Dropped before confirm: no entry [E2]. */
	assert_int_equal(ctg_ct_commit(v, &r, false), 0);
	assert_int_equal(ctg_ct_view_count(v), 0);
	/* E3: local sends, accepted: entry local->peer, UNREPLIED; peer then ESTABLISHED. */
	assert_int_equal(step(v, &local, &s, &r), CTG_CTS_NEW);
	assert_int_equal(step(v, &pa, &s, &r), CTG_CTS_ESTABLISHED);
	assert_true(r.entry.status & CTG_IPS_SEEN_REPLY);
	assert_false(r.entry.status & CTG_IPS_ASSURED);
	assert_int_equal(r.entry.timeout, 300);
	assert_int_equal(step(v, &pa, &s, &r), CTG_CTS_ESTABLISHED);
	assert_true(r.entry.status & CTG_IPS_ASSURED);
	assert_int_equal(r.entry.timeout, 432000);
	ctg_ct_view_free(v);
}

static void test_pickup_strict(void **st)
{
	struct ctg_sysctls s = defaults();
	static const uint8_t invalid[] = {
		CTG_TH_SYN | CTG_TH_ACK,
		CTG_TH_FIN | CTG_TH_ACK,
		CTG_TH_FIN,
		CTG_TH_RST,
		CTG_TH_RST | CTG_TH_ACK,
		0,
		CTG_TH_SYN | CTG_TH_FIN,
	};
	struct ctg_ct_result r;

	for (size_t i = 0; i < sizeof(invalid); i++) {
		struct ctg_pkt p = tcp_pkt(PEER, 3306, LOCAL, 40000, invalid[i]);

		assert_int_equal(ctg_ct_classify(NULL, &p, &s, &r), 0);
		assert_int_equal(r.ctstate, CTG_CTS_INVALID);
	}
	s.tcp_loose = false;
	for (uint8_t f = 0; f < 64; f++) {
		struct ctg_pkt p = tcp_pkt(PEER, 3306, LOCAL, 40000, f);

		assert_int_equal(ctg_ct_classify(NULL, &p, &s, &r), 0);
		if ((f & ~(CTG_TH_PSH | CTG_TH_URG)) == CTG_TH_SYN)
			assert_int_equal(r.ctstate, CTG_CTS_NEW);
		else
			assert_int_equal(r.ctstate, CTG_CTS_INVALID);
	}
}

static void test_reopen_time_wait(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_ct_table t;
	struct ctg_ct_entry *e;
	struct ctg_ct_view *v;
	struct ctg_pkt syn = tcp_pkt(LOCAL, 40000, PEER, 3306, CTG_TH_SYN);
	struct ctg_ct_result r;

	ctg_ct_table_init(&t);
	e = push_tcp(&t, &syn, CTG_TCP_TIME_WAIT);
	e->tcp_flags[1] = CTG_TCPF_CLOSE_INIT; /* the peer closed first */
	v = ctg_ct_view_new(&t);
	assert_int_equal(step(v, &syn, &s, &r), CTG_CTS_NEW);
	assert_int_equal(r.action, CTG_CT_ACT_REPLACE);
	assert_int_equal(ctg_ct_view_lookup(v, 2, 6, &e->orig, NULL)->tcp_state, CTG_TCP_SYN_SENT);
	assert_int_equal(ctg_ct_view_count(v), 1);
	/* Reset restores the base table untouched. */
	ctg_ct_view_reset(v);
	assert_int_equal(ctg_ct_view_lookup(v, 2, 6, &e->orig, NULL)->tcp_state, CTG_TCP_TIME_WAIT);
	/* Local side closed first: the SYN is ignored, entry kept. */
	e->tcp_flags[1] = 0;
	e->tcp_flags[0] = CTG_TCPF_CLOSE_INIT;
	assert_int_equal(step(v, &syn, &s, &r), CTG_CTS_ESTABLISHED);
	assert_int_equal(r.action, CTG_CT_ACT_NONE);
	ctg_ct_view_free(v);
	ctg_ct_table_release(&t);
}

/* SYN from the old entry's reply side: the new entry's ORIGINAL is the SYN's direction. */
static void test_reopen_reply_side(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_ct_table t;
	struct ctg_ct_entry *e;
	struct ctg_ct_view *v;
	struct ctg_pkt old = tcp_pkt(PEER, 8080, LOCAL, 1023, CTG_TH_ACK);
	struct ctg_pkt syn = tcp_pkt(LOCAL, 1023, PEER, 8080, CTG_TH_SYN);
	struct ctg_tuple tsyn;
	struct ctg_ct_result r;
	const struct ctg_ct_entry *n;
	bool reply = true;

	ctg_ct_table_init(&t);
	e = push_tcp(&t, &old, CTG_TCP_TIME_WAIT);
	e->tcp_flags[0] = CTG_TCPF_CLOSE_INIT; /* the old originator closed first */
	v = ctg_ct_view_new(&t);
	assert_int_equal(ctg_ct_classify(v, &syn, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_NEW);
	assert_int_equal(r.action, CTG_CT_ACT_REPLACE);
	assert_false(r.reply_dir);
	assert_false(r.entry.status & CTG_IPS_ASSURED);
	ctg_ct_pkt_tuple(&syn, &tsyn);
	assert_true(ctg_addr_eq(&r.entry.orig.src, &tsyn.src));
	assert_int_equal(ctg_ct_commit(v, &r, true), 0);
	n = ctg_ct_view_lookup(v, 2, 6, &tsyn, &reply);
	assert_non_null(n);
	assert_false(reply);
	assert_int_equal(n->tcp_state, CTG_TCP_SYN_SENT);
	ctg_ct_view_free(v);
	ctg_ct_table_release(&t);
}

static void test_rst_unreplied_deletes(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct ctg_pkt syn = tcp_pkt(LOCAL, 40000, PEER, 3306, CTG_TH_SYN);
	struct ctg_pkt rst = tcp_pkt(PEER, 3306, LOCAL, 40000, CTG_TH_RST | CTG_TH_ACK);
	struct ctg_ct_result r;

	step(v, &syn, &s, &r);
	assert_int_equal(step(v, &rst, &s, &r), CTG_CTS_ESTABLISHED);
	assert_int_equal(r.action, CTG_CT_ACT_DELETE);
	assert_int_equal(ctg_ct_view_count(v), 0);
	ctg_ct_view_free(v);
}

static void test_udp_icmp(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct ctg_pkt q = tcp_pkt(LOCAL, 5353, PEER, 53, 0), a, err, echo, reply;
	struct ctg_ct_result r;

	q.l4proto = 17;
	a = tcp_pkt(PEER, 53, LOCAL, 5353, 0);
	a.l4proto = 17;
	/* Unsolicited "reply" is NEW [E14]. */
	assert_int_equal(ctg_ct_classify(v, &a, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_NEW);
	/* Port unreachable quoting q: INVALID without entry, RELATED with it. */
	err = tcp_pkt(PEER, 0, LOCAL, 0, 0);
	err.l4proto = 1;
	err.icmp_type = 3;
	err.icmp_code = 3;
	err.has_inner = true;
	err.inner_l4proto = 17;
	ctg_ct_pkt_tuple(&q, &err.inner);
	assert_int_equal(ctg_ct_classify(v, &err, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_INVALID);
	assert_int_equal(step(v, &q, &s, &r), CTG_CTS_NEW);
	assert_int_equal(r.entry.timeout, 30);
	assert_int_equal(ctg_ct_classify(v, &err, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_RELATED);
	assert_int_equal(step(v, &a, &s, &r), CTG_CTS_ESTABLISHED);
	assert_true(r.entry.status & CTG_IPS_SEEN_REPLY);
	/* ICMP echo: reply without entry INVALID, request NEW, then reply ESTABLISHED. */
	echo = tcp_pkt(LOCAL, 77, PEER, 0, 0);
	echo.l4proto = 1;
	echo.icmp_type = 8;
	reply = tcp_pkt(PEER, 77, LOCAL, 0, 0);
	reply.l4proto = 1;
	assert_int_equal(ctg_ct_classify(v, &reply, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_INVALID);
	assert_int_equal(step(v, &echo, &s, &r), CTG_CTS_NEW);
	assert_int_equal(step(v, &reply, &s, &r), CTG_CTS_ESTABLISHED);
	ctg_ct_view_free(v);
}

static void test_icmpv6_nd_untracked(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_ct_result r;
	struct ctg_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 10;
	p.l4proto = 58;
	assert_int_equal(ctg_addr_parse(10, "fd00:200::1", &p.src), 0);
	assert_int_equal(ctg_addr_parse(10, "fd00:200::2", &p.dst), 0);
	p.icmp_type = 135; /* neighbour solicitation */
	assert_int_equal(ctg_ct_classify(NULL, &p, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_UNTRACKED);
	p.icmp_type = 128; /* echo request */
	assert_int_equal(ctg_ct_classify(NULL, &p, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_NEW);
	p.icmp_type = 129; /* echo reply without entry */
	assert_int_equal(ctg_ct_classify(NULL, &p, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_INVALID);
}

static void test_view_flush(void **st)
{
	struct ctg_sysctls s = defaults();
	struct ctg_ct_table t;
	struct ctg_ct_view *v;
	struct ctg_pkt p = tcp_pkt(PEER, 3306, LOCAL, 40000, CTG_TH_ACK);
	struct ctg_ct_result r;

	ctg_ct_table_init(&t);
	for (int i = 0; i < 1000; i++) {
		struct ctg_pkt q = tcp_pkt(LOCAL, (uint16_t)(30000 + i), PEER, 3306, CTG_TH_ACK);

		push_tcp(&t, &q, CTG_TCP_ESTABLISHED);
	}
	p.dport = 30000 + 999;
	v = ctg_ct_view_new(&t);
	assert_int_equal(ctg_ct_view_count(v), 1000);
	assert_int_equal(step(v, &p, &s, &r), CTG_CTS_ESTABLISHED);
	assert_true(r.reply_dir);
	ctg_ct_view_flush(v);
	assert_int_equal(ctg_ct_view_count(v), 0);
	assert_int_equal(ctg_ct_classify(v, &p, &s, &r), 0);
	assert_int_equal(r.ctstate, CTG_CTS_NEW);
	ctg_ct_view_reset(v);
	assert_int_equal(ctg_ct_view_count(v), 1000);
	assert_int_equal(ctg_ct_view_delete(v, &t.v[5]), 0);
	assert_int_equal(ctg_ct_view_count(v), 999);
	assert_null(ctg_ct_view_lookup(v, 2, 6, &t.v[5].reply, NULL));
	ctg_ct_view_free(v);
	ctg_ct_table_release(&t);
}

static void test_sysctls(void **st)
{
	struct ctg_sysctls s = defaults();

	assert_true(s.tcp_loose);
	assert_int_equal(ctg_sysctls_set(&s, "nf_conntrack_tcp_loose", "0"), 0);
	assert_false(s.tcp_loose);
	assert_int_equal(ctg_sysctls_set(&s, "net.netfilter.nf_conntrack_tcp_be_liberal", "1"), 0);
	assert_true(s.tcp_be_liberal);
	assert_int_equal(ctg_sysctls_set(&s, "nf_conntrack_tcp_timeout_established", "7200"), 0);
	assert_int_equal(s.tcp_timeout[CTG_TCP_ESTABLISHED], 7200);
	assert_int_equal(ctg_sysctls_set(&s, "net.ipv4.ip_local_port_range", "1024 65000"), 0);
	assert_int_equal(s.port_lo, 1024);
	assert_int_equal(ctg_sysctls_set(&s, "nf_conntrack_nope", "1"), -ENOENT);
	assert_int_equal(ctg_sysctls_set(&s, "nf_conntrack_tcp_loose", "x"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_classes),
		cmocka_unit_test(test_state_table),
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_pickup_loose),
		cmocka_unit_test(test_pickup_strict),
		cmocka_unit_test(test_reopen_time_wait),
		cmocka_unit_test(test_reopen_reply_side),
		cmocka_unit_test(test_rst_unreplied_deletes),
		cmocka_unit_test(test_udp_icmp),
		cmocka_unit_test(test_view_flush),
		cmocka_unit_test(test_icmpv6_nd_untracked),
		cmocka_unit_test(test_sysctls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
