// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: audit (orphans, at-risk, loose=0, unknown matches, skipped cases). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/ruleset.h>

#include "analysis/audit.h"

#define L "10.0.0.2"
#define P "10.0.0.1"

static const char classic[] = "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n"
			      ":OUTPUT ACCEPT [0:0]\n-A INPUT -i lo -j ACCEPT\n"
			      "%s"
			      "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
			      "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n";

struct fx {
	struct ctg_ruleset *rs;
	struct ctg_ct_table ct;
	struct ctg_sock_table socks;
	struct ctg_sysctls *sys;
	struct ctg_audit_report rep;
};

static struct ctg_ruleset *parse(const char *extra)
{
	char buf[2048];
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs;

	snprintf(buf, sizeof(buf), classic, extra);
	rs = ctg_ruleset_parse(buf, strlen(buf), "test.v4", CTG_FAMILY_IPV4, d);
	assert_non_null(rs);
	assert_int_equal(ctg_diags_errors(d), 0);
	ctg_diags_free(d);
	return rs;
}

static void sock(struct fx *f, const char *l, uint16_t lp, const char *p, uint16_t pp, int st)
{
	struct ctg_sock *s = ctg_sock_table_push(&f->socks);

	s->family = 2;
	s->l4proto = 6;
	s->state = (uint8_t)st;
	ctg_addr_parse(2, l, &s->laddr);
	ctg_addr_parse(2, p, &s->paddr);
	s->lport = lp;
	s->pport = pp;
	s->pid = 42;
	strcpy(s->comm, "mariadbd");
}

/* Entry with ORIGINAL src:sp -> dst:dp. */
static void entry(struct fx *f, const char *src, uint16_t sp, const char *dst, uint16_t dp,
		  uint32_t status, uint32_t timeout)
{
	struct ctg_ct_entry *e = ctg_ct_table_push(&f->ct);

	e->family = 2;
	e->l4proto = 6;
	e->tcp_state = CTG_TCP_ESTABLISHED;
	e->status = status | CTG_IPS_CONFIRMED;
	e->timeout = timeout;
	ctg_addr_parse(2, src, &e->orig.src);
	ctg_addr_parse(2, dst, &e->orig.dst);
	e->orig.sport = sp;
	e->orig.dport = dp;
	e->reply.src = e->orig.dst;
	e->reply.dst = e->orig.src;
	e->reply.sport = dp;
	e->reply.dport = sp;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	ctg_ct_table_init(&f->ct);
	ctg_sock_table_init(&f->socks);
	f->sys = ctg_audit_sysctls_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	ctg_audit_report_release(&f->rep);
	ctg_ruleset_free(f->rs);
	ctg_ct_table_release(&f->ct);
	ctg_sock_table_release(&f->socks);
	ctg_audit_sysctls_free(f->sys);
	free(f);
	return 0;
}

static void run(struct fx *f, const char *extra)
{
	struct ctg_audit_input in;

	if (!f->rs)
		f->rs = parse(extra);
	ctg_audit_input_init(&in);
	in.rs4 = f->rs;
	in.cts = &f->ct;
	in.socks = &f->socks;
	in.sysctls = f->sys;
	ctg_audit_report_release(&f->rep);
	assert_int_equal(ctg_audit_run(&in, &f->rep), 0);
}

static void orphan_without_entry(void **state)
{
	struct fx *f = *state;

	sock(f, L, 40000, P, 3306, CTG_SK_ESTABLISHED);
	run(f, "");
	assert_int_equal(f->rep.orphans, 1);
	assert_int_equal(f->rep.n, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_NO_ENTRY);
	assert_true(f->rep.v[0].certain);
	assert_string_equal(f->rep.v[0].ctstate, "NEW");
	assert_string_equal(f->rep.v[0].table, "filter");
	assert_string_equal(f->rep.v[0].chain, "INPUT");
	assert_int_equal(f->rep.v[0].rule, 0); /* the policy */
	assert_string_equal(f->rep.v[0].conn.service, "mysql");
	assert_ptr_equal(f->rep.v[0].conn.sock, &f->socks.v[0]);
}

static void loose_zero_invalid(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ctg_audit_sysctls_set(f->sys, "nf_conntrack_tcp_loose", "0"), 0);
	sock(f, L, 40000, P, 3306, CTG_SK_ESTABLISHED);
	run(f, "");
	assert_int_equal(f->rep.orphans, 1);
	assert_string_equal(f->rep.v[0].ctstate, "INVALID");
}

static void healthy_with_entry(void **state)
{
	struct fx *f = *state;

	sock(f, L, 40000, P, 3306, CTG_SK_ESTABLISHED);
	entry(f, L, 40000, P, 3306, CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED, 431000);
	run(f, "");
	assert_int_equal(f->rep.n, 0);
	assert_int_equal(f->rep.conns, 1);
}

static void accepted_without_entry(void **state)
{
	struct fx *f = *state;

	sock(f, L, 40000, P, 3306, CTG_SK_ESTABLISHED);
	run(f, "-A INPUT -s 10.0.0.1/32 -p tcp -m tcp --sport 3306 -j ACCEPT\n");
	assert_int_equal(f->rep.n, 0);
}

static void entry_dropped(void **state)
{
	struct fx *f = *state;

	sock(f, L, 40000, P, 3306, CTG_SK_ESTABLISHED);
	entry(f, L, 40000, P, 3306, CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED, 431000);
	run(f, "-A INPUT -s 10.0.0.1/32 -j DROP\n");
	assert_int_equal(f->rep.orphans, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_ENTRY_DROPPED);
	assert_string_equal(f->rep.v[0].ctstate, "ESTABLISHED");
	assert_int_equal(f->rep.v[0].rule, 2);
	assert_int_equal(f->rep.v[0].line, 6);
}

static void server_entry_dropped(void **state)
{
	struct fx *f = *state;

	sock(f, "0.0.0.0", 5432, "0.0.0.0", 0, CTG_SK_LISTEN);
	sock(f, L, 5432, "10.0.0.9", 51000, CTG_SK_ESTABLISHED);
	entry(f, "10.0.0.9", 51000, L, 5432, CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED, 431000);
	run(f, "-A INPUT -s 10.0.0.9/32 -j REJECT --reject-with icmp-port-unreachable\n");
	assert_int_equal(f->rep.orphans, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_ENTRY_DROPPED);
	assert_int_equal(f->rep.v[0].conn.role, CTG_AUDIT_ROLE_SERVER);
	assert_string_equal(f->rep.v[0].verdict, "REJECT");
}

static void at_risk(void **state)
{
	struct fx *f = *state;

	sock(f, L, 40000, P, 6379, CTG_SK_ESTABLISHED);
	entry(f, L, 40000, P, 6379, CTG_IPS_SEEN_REPLY, 250);
	run(f, "");
	assert_int_equal(f->rep.orphans, 0);
	assert_int_equal(f->rep.at_risk, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_AT_RISK);
	assert_false(ctg_audit_is_orphan(&f->rep.v[0]));
}

static void skipped_cases(void **state)
{
	struct fx *f = *state;

	sock(f, "127.0.0.1", 40000, "127.0.0.1", 3306, CTG_SK_ESTABLISHED); /* local peer */
	sock(f, L, 40001, P, 3306, CTG_SK_TIME_WAIT);			    /* not ESTAB */
	sock(f, "0.0.0.0", 22, "0.0.0.0", 0, CTG_SK_LISTEN);
	run(f, "");
	assert_int_equal(f->rep.n, 0);
	/* No IPv4 ruleset: nothing audited. */
	ctg_audit_report_release(&f->rep);
}

static void unknown_match_is_possible(void **state)
{
	struct fx *f = *state;

	sock(f, L, 40000, P, 3306, CTG_SK_ESTABLISHED);
	run(f, "-A INPUT -p tcp -m tcp --sport 3306 -m limit --limit 5/min -j ACCEPT\n");
	assert_int_equal(f->rep.orphans, 0);
	assert_int_equal(f->rep.possible, 1);
	assert_false(f->rep.v[0].certain);
}

/* ---- NAT mappings lost with the entry, connected UDP ---- */

#define NAT_HEAD                                                                                   \
	"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"              \
	":POSTROUTING ACCEPT [0:0]\n"
#define FILTER_ACCEPT "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"

static void parse_text(struct fx *f, const char *text)
{
	struct ctg_diags *d = ctg_diags_new();

	f->rs = ctg_ruleset_parse(text, strlen(text), "nat.v4", CTG_FAMILY_IPV4, d);
	assert_non_null(f->rs);
	assert_int_equal(ctg_diags_errors(d), 0);
	ctg_diags_free(d);
}

static const char snat_rules[] = NAT_HEAD
	"-A POSTROUTING -d 10.0.0.1/32 -p tcp -m tcp --dport 5000 -j SNAT --to-source 10.0.0.3\n"
	"COMMIT\n" FILTER_ACCEPT "COMMIT\n";

static void snat_lost(void **state)
{
	struct fx *f = *state;
	struct ctg_addr a;

	sock(f, L, 40000, P, 5000, CTG_SK_ESTABLISHED);
	sock(f, L, 40001, P, 6000, CTG_SK_ESTABLISHED); /* no NAT rule applies */
	parse_text(f, snat_rules);
	run(f, NULL);
	assert_int_equal(f->rep.n, 1);
	assert_int_equal(f->rep.orphans, 1);
	assert_int_equal(f->rep.nat_lost, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_NAT_LOST);
	assert_string_equal(ctg_audit_kind_name(f->rep.v[0].kind), "nat-lost");
	assert_true(f->rep.v[0].certain);
	assert_false(f->rep.v[0].nat_dst);
	assert_string_equal(f->rep.v[0].verdict, "SNAT");
	assert_string_equal(f->rep.v[0].table, "nat");
	assert_string_equal(f->rep.v[0].chain, "POSTROUTING");
	assert_int_equal(f->rep.v[0].rule, 1);
	assert_int_equal(f->rep.v[0].line, 6);
	ctg_addr_parse(2, "10.0.0.3", &a);
	assert_true(ctg_addr_eq(&f->rep.v[0].nat_addr, &a));
	assert_int_equal(f->rep.v[0].nat_port, 40000);
	assert_int_equal(f->rep.v[0].conn.lport, 40000);
}

static void snat_lost_loose0(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ctg_audit_sysctls_set(f->sys, "nf_conntrack_tcp_loose", "0"), 0);
	sock(f, L, 40000, P, 5000, CTG_SK_ESTABLISHED);
	parse_text(f, snat_rules);
	run(f, NULL);
	assert_int_equal(f->rep.nat_lost, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_NAT_LOST);
}

static void snat_kept_by_entry(void **state)
{
	struct fx *f = *state;

	sock(f, L, 40000, P, 5000, CTG_SK_ESTABLISHED);
	entry(f, L, 40000, P, 5000, CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED | CTG_IPS_SRC_NAT, 431000);
	ctg_addr_parse(2, "10.0.0.3", &f->ct.v[0].reply.dst);
	parse_text(f, snat_rules);
	run(f, NULL);
	assert_int_equal(f->rep.n, 0);
	assert_int_equal(f->rep.conns, 1);
}

static void dnat_lost(void **state)
{
	static const char possible[] =
		NAT_HEAD "-A PREROUTING -d 10.0.0.3/32 -p tcp -m tcp --dport 80 -j DNAT "
			 "--to-destination 10.0.0.2:8080\nCOMMIT\n" FILTER_ACCEPT "COMMIT\n";
	static const char certain[] = NAT_HEAD
		"-A PREROUTING -d 10.0.0.3/32 -p tcp -m tcp --dport 80 -j DNAT "
		"--to-destination 10.0.0.2:8080\nCOMMIT\n" FILTER_ACCEPT
		"-A INPUT -p tcp -m tcp --dport 8080 -m conntrack --ctstate DNAT -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 8080 -j DROP\nCOMMIT\n";
	struct fx *f = *state;
	struct ctg_addr a;

	sock(f, "0.0.0.0", 8080, "0.0.0.0", 0, CTG_SK_LISTEN);
	sock(f, L, 8080, P, 51000, CTG_SK_ESTABLISHED);
	sock(f, L, 8081, P, 51001, CTG_SK_ESTABLISHED); /* no rule maps to 8081 */
	parse_text(f, possible);
	run(f, NULL);
	/* A direct connection to 10.0.0.2:8080 is possible: the mapping only may have been. */
	assert_int_equal(f->rep.n, 1);
	assert_int_equal(f->rep.orphans, 0);
	assert_int_equal(f->rep.possible, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_NAT_LOST);
	assert_false(f->rep.v[0].certain);
	ctg_ruleset_free(f->rs);
	f->rs = NULL;
	parse_text(f, certain);
	run(f, NULL);
	assert_int_equal(f->rep.n, 1);
	assert_int_equal(f->rep.nat_lost, 1);
	assert_true(f->rep.v[0].certain);
	assert_true(f->rep.v[0].nat_dst);
	assert_true(f->rep.v[0].nat_addr_known);
	assert_string_equal(f->rep.v[0].verdict, "DNAT");
	assert_string_equal(f->rep.v[0].chain, "PREROUTING");
	ctg_addr_parse(2, "10.0.0.3", &a);
	assert_true(ctg_addr_eq(&f->rep.v[0].nat_addr, &a));
	assert_int_equal(f->rep.v[0].nat_port, 80);
}

static void redirect_lost(void **state)
{
	static const char rules[] =
		NAT_HEAD "-A PREROUTING -p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22\n"
			 "COMMIT\n" FILTER_ACCEPT "COMMIT\n";
	struct fx *f = *state;

	sock(f, L, 22, P, 51000, CTG_SK_ESTABLISHED);
	parse_text(f, rules);
	run(f, NULL);
	assert_int_equal(f->rep.n, 1);
	assert_string_equal(f->rep.v[0].verdict, "REDIRECT");
	assert_false(f->rep.v[0].nat_addr_known);
	assert_int_equal(f->rep.v[0].nat_port, 2222);
	assert_false(f->rep.v[0].certain);
}

static void udp_connected(void **state)
{
	struct fx *f = *state;

	sock(f, L, 45000, P, 53, CTG_SK_ESTABLISHED);	      /* connected */
	sock(f, "0.0.0.0", 5353, "0.0.0.0", 0, CTG_SK_CLOSE); /* unconnected: not a conn */
	f->socks.v[0].l4proto = f->socks.v[1].l4proto = 17;
	run(f, "");
	/* a DNS client's entry timed out: informational, the client speaks first */
	assert_int_equal(f->rep.n, 1);
	assert_int_equal(f->rep.orphans, 0);
	assert_int_equal(f->rep.expired, 1);
	assert_false(f->rep.wipe_observed);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_EXPIRED);
	assert_false(ctg_audit_is_orphan(&f->rep.v[0]));
	assert_int_equal(f->rep.v[0].conn.l4proto, 17);
	assert_string_equal(f->rep.v[0].ctstate, "NEW");
	assert_string_equal(f->rep.v[0].conn.service, "dns");
	assert_non_null(strstr(f->rep.v[0].ct_reason, "udp-timeout"));
}

/* The peer pushes (mosh's server port): a missing entry is an orphan, wipe or not. */
static void udp_push_orphan(void **state)
{
	struct fx *f = *state;

	sock(f, L, 45000, P, 60001, CTG_SK_ESTABLISHED);
	f->socks.v[0].l4proto = 17;
	run(f, "");
	assert_int_equal(f->rep.n, 1);
	assert_int_equal(f->rep.orphans, 1);
	assert_int_equal(f->rep.v[0].kind, CTG_AUDIT_NO_ENTRY);
}

/* Unknown UDP protocol: timeout without a wipe, orphan when a wipe shows. */
static void udp_unknown_wipe(void **state)
{
	struct fx *f = *state;

	sock(f, L, 45000, P, 7777, CTG_SK_ESTABLISHED);
	f->socks.v[0].l4proto = 17;
	run(f, "");
	assert_int_equal(f->rep.orphans, 0);
	assert_int_equal(f->rep.expired, 1);
	ctg_audit_report_release(&f->rep);
	/* an idle TCP client without entry: TCP entries do not time out in minutes */
	sock(f, L, 45001, P, 3306, CTG_SK_ESTABLISHED);
	run(f, "");
	assert_true(f->rep.wipe_observed);
	assert_int_equal(f->rep.wipe_no_entry, 1);
	assert_int_equal(f->rep.expired, 0);
	assert_int_equal(f->rep.orphans, 2);
}

/* A TCP entry picked up mid-stream (BE_LIBERAL both ways) shows a wipe too. */
static void udp_unknown_pickup(void **state)
{
	struct fx *f = *state;

	sock(f, L, 45000, P, 7777, CTG_SK_ESTABLISHED);
	f->socks.v[0].l4proto = 17;
	sock(f, L, 45001, P, 3306, CTG_SK_ESTABLISHED);
	entry(f, L, 45001, P, 3306, CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED, 431000);
	f->ct.v[0].tcp_flags[0] = f->ct.v[0].tcp_flags[1] =
		CTG_TCPF_BE_LIBERAL | CTG_TCPF_SACK_PERM;
	run(f, "");
	assert_true(f->rep.wipe_observed);
	assert_int_equal(f->rep.wipe_pickup, 1);
	assert_int_equal(f->rep.orphans, 1);
	assert_int_equal(f->rep.v[0].conn.pport, 7777);
	ctg_audit_report_release(&f->rep);
	/* a handshake-made entry (window scaling seen) is not evidence */
	f->ct.v[0].tcp_flags[0] = f->ct.v[0].tcp_flags[1] =
		CTG_TCPF_WINDOW_SCALE | CTG_TCPF_SACK_PERM;
	run(f, "");
	assert_false(f->rep.wipe_observed);
	assert_int_equal(f->rep.orphans, 0);
	assert_int_equal(f->rep.expired, 1);
}

/* UDP at-risk: only when the peer speaks first and the entry is not yet a stream. */
static void udp_at_risk(void **state)
{
	struct fx *f = *state;

	sock(f, L, 45000, P, 60001, CTG_SK_ESTABLISHED);
	sock(f, L, 45002, P, 53, CTG_SK_ESTABLISHED);
	f->socks.v[0].l4proto = f->socks.v[1].l4proto = 17;
	entry(f, L, 45000, P, 60001, CTG_IPS_SEEN_REPLY, 25);
	entry(f, L, 45002, P, 53, CTG_IPS_SEEN_REPLY, 25);
	f->ct.v[0].l4proto = f->ct.v[1].l4proto = 17;
	f->ct.v[0].tcp_state = f->ct.v[1].tcp_state = 0;
	run(f, "");
	assert_int_equal(f->rep.n, 1);
	assert_int_equal(f->rep.at_risk, 1);
	assert_int_equal(f->rep.v[0].conn.pport, 60001);
	ctg_audit_report_release(&f->rep);
	f->ct.v[0].status |= CTG_IPS_ASSURED;
	run(f, "");
	assert_int_equal(f->rep.n, 0);
}

static void udp_accepted(void **state)
{
	struct fx *f = *state;

	sock(f, L, 45000, P, 53, CTG_SK_ESTABLISHED);
	f->socks.v[0].l4proto = 17;
	run(f, "-A INPUT -p udp -m udp --sport 53 -j ACCEPT\n");
	assert_int_equal(f->rep.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(orphan_without_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(loose_zero_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(healthy_with_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(accepted_without_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(entry_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(server_entry_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(at_risk, setup, teardown),
		cmocka_unit_test_setup_teardown(skipped_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_match_is_possible, setup, teardown),
		cmocka_unit_test_setup_teardown(snat_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(snat_lost_loose0, setup, teardown),
		cmocka_unit_test_setup_teardown(snat_kept_by_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(dnat_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(redirect_lost, setup, teardown),
		cmocka_unit_test_setup_teardown(udp_connected, setup, teardown),
		cmocka_unit_test_setup_teardown(udp_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(udp_push_orphan, setup, teardown),
		cmocka_unit_test_setup_teardown(udp_unknown_wipe, setup, teardown),
		cmocka_unit_test_setup_teardown(udp_unknown_pickup, setup, teardown),
		cmocka_unit_test_setup_teardown(udp_at_risk, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
