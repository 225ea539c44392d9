// SPDX-License-Identifier: GPL-2.0-or-later
/* Conntrack text readers: conntrack -L (plain, extended, id), /proc/net/nf_conntrack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ctguard/source.h>

static size_t parse(const char *text, struct ctg_ct_table *t, struct ctg_diags *d)
{
	ctg_ct_table_init(t);
	assert_int_equal(ctg_ct_read_text(t, text, strlen(text), "ct.txt", d), 0);
	return t->n;
}

static void addr_is(int fam, const struct ctg_addr *a, const char *s)
{
	struct ctg_addr want;

	assert_int_equal(ctg_addr_parse(fam, s, &want), 0);
	assert_true(ctg_addr_eq(a, &want));
}

static void test_plain_tcp(void **state)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();
	const struct ctg_ct_entry *e;

	assert_int_equal(parse("tcp      6 299 ESTABLISHED src=10.98.0.1 dst=10.98.0.2 sport=41001 "
			       "dport=3306 src=10.98.0.2 dst=10.98.0.1 sport=3306 dport=41001 "
			       "[ASSURED] mark=7 use=1\n",
			       &t, d),
			 1);
	assert_int_equal(ctg_diags_count(d), 0);
	e = &t.v[0];
	assert_int_equal(e->family, 2);
	assert_int_equal(e->l4proto, 6);
	assert_int_equal(e->timeout, 299);
	assert_int_equal(e->tcp_state, CTG_TCP_ESTABLISHED);
	assert_int_equal(e->orig.sport, 41001);
	assert_int_equal(e->orig.dport, 3306);
	assert_int_equal(e->reply.sport, 3306);
	assert_int_equal(e->mark, 7);
	addr_is(2, &e->orig.src, "10.98.0.1");
	addr_is(2, &e->reply.src, "10.98.0.2");
	assert_true(e->status & CTG_IPS_SEEN_REPLY);
	assert_true(e->status & CTG_IPS_ASSURED);
	assert_false(e->status & (CTG_IPS_SRC_NAT | CTG_IPS_DST_NAT));
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
}

static void test_icmp_unreplied(void **state)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();
	const struct ctg_ct_entry *e;

	assert_int_equal(parse("icmp     1 29 src=10.98.0.1 dst=10.98.0.2 type=8 code=0 id=77 "
			       "[UNREPLIED] src=10.98.0.2 dst=10.98.0.1 type=0 code=0 id=77 "
			       "mark=0 use=1 id=123456\n",
			       &t, d),
			 1);
	e = &t.v[0];
	assert_int_equal(e->l4proto, 1);
	assert_int_equal(e->orig.sport, 77);
	assert_int_equal(e->orig.dport, 8 << 8);
	assert_int_equal(e->reply.dport, 0);
	assert_int_equal(e->id, 123456);
	assert_false(e->status & CTG_IPS_SEEN_REPLY);
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
}

static void test_proc_v6_and_extended(void **state)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();

	assert_int_equal(
		parse("ipv6     10 udp      17 25 src=fd00:0200:0000:0000:0000:0000:0000:0001 "
		      "dst=fd00:0200:0000:0000:0000:0000:0000:0002 sport=5000 dport=53 packets=1 "
		      "bytes=60 src=fd00:0200:0000:0000:0000:0000:0000:0002 "
		      "dst=fd00:0200:0000:0000:0000:0000:0000:0001 sport=53 dport=5000 packets=1 "
		      "bytes=80 mark=0 zone=3 delta-time=4 use=2\n"
		      "ipv4     2 tcp      6 431999 ESTABLISHED src=10.98.0.1 dst=10.98.0.2 "
		      "sport=43401 dport=3306 src=10.98.0.2 dst=10.98.0.1 sport=3306 dport=43401 "
		      "[ASSURED] mark=0 zone=0 use=2\n",
		      &t, d),
		2);
	assert_int_equal(ctg_diags_count(d), 0);
	assert_int_equal(t.v[0].family, 10);
	assert_int_equal(t.v[0].zone, 3);
	addr_is(10, &t.v[0].orig.src, "fd00:200::1");
	assert_int_equal(t.v[1].family, 2);
	assert_int_equal(t.v[1].timeout, 431999);
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
}

static void test_nat_inferred(void **state)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();

	/* DNAT 10.0.0.1:80 -> 10.9.0.5:8080 */
	parse("tcp 6 100 ESTABLISHED src=192.0.2.7 dst=10.0.0.1 sport=5555 dport=80 "
	      "src=10.9.0.5 dst=192.0.2.7 sport=8080 dport=5555 mark=0 use=1\n",
	      &t, d);
	assert_int_equal(t.n, 1);
	assert_true(t.v[0].status & CTG_IPS_DST_NAT);
	assert_false(t.v[0].status & CTG_IPS_SRC_NAT);
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
}

static void test_bad_lines(void **state)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();
	const struct ctg_diag *dg;

	parse("# comment\n"
	      "\n"
	      "tcp 6 299 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 "
	      "dst=10.0.0.1 sport=2 dport=1 mark=0 use=1\n"
	      "tcp 6 299 ESTABLISHED src=10.0.0.300 dst=10.0.0.2 sport=1 dport=2\n"
	      "tcp 6 299 BOGUS src=10.0.0.1\n"
	      "udp 17 abc src=10.0.0.1\n"
	      "tcp 6 299 ESTABLISHED src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2\n"
	      "conntrack v1.4.7 (conntrack-tools): 1 flow entries have been shown.\n",
	      &t, d);
	assert_int_equal(t.n, 1);
	assert_int_equal(ctg_diags_errors(d), 4);
	dg = ctg_diags_get(d, 0);
	assert_string_equal(dg->loc.src, "ct.txt");
	assert_int_equal(dg->loc.line, 4);
	assert_int_equal(dg->loc.col, 23);
	assert_string_equal(dg->msg, "bad address");
	assert_int_equal(ctg_diags_get(d, 1)->loc.line, 5);
	assert_string_equal(ctg_diags_get(d, 1)->msg, "unknown TCP state");
	assert_int_equal(ctg_diags_get(d, 2)->loc.line, 6);
	assert_int_equal(ctg_diags_get(d, 3)->loc.line, 7);
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
}

static void test_sort(void **state)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();

	parse("udp 17 20 src=10.0.0.9 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.9 "
	      "sport=2 dport=1 mark=0 use=1\n"
	      "udp 17 20 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 src=10.0.0.2 dst=10.0.0.1 "
	      "sport=2 dport=1 mark=0 use=1\n",
	      &t, d);
	ctg_ct_table_sort(&t);
	addr_is(2, &t.v[0].orig.src, "10.0.0.1");
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_tcp),
		cmocka_unit_test(test_icmp_unreplied),
		cmocka_unit_test(test_proc_v6_and_extended),
		cmocka_unit_test(test_nat_inferred),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
