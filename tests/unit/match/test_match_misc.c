// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * icmp, icmp6, multiport, comment, mark, connmark, limit, iprange, mac, addrtype, owner,
 * recent: the .t cases (extensions/lib*_<name>.t), validation and eval.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mtest.h"

extern const struct ctg_match_ops ctg_match_icmp, ctg_match_icmp6, ctg_match_multiport,
	ctg_match_comment, ctg_match_mark, ctg_match_connmark, ctg_match_limit, ctg_match_iprange,
	ctg_match_mac, ctg_match_addrtype, ctg_match_owner, ctg_match_recent;

#define X(p, in, out)                                                                              \
	{                                                                                          \
		2, p, in, out                                                                      \
	}

static const struct mt_case icmp_cases[] = {
	X(1, "--icmp-type any", "="),
	X(1, "--icmp-type echo-reply", "--icmp-type 0"),
	X(1, "--icmp-type destination-unreachable", "--icmp-type 3"),
	X(1, "--icmp-type network-unreachable", "--icmp-type 3/0"),
	X(1, "! --icmp-type echo-request", "! --icmp-type 8"),
	X(1, "--icmp-type Echo-Request", "--icmp-type 8"),
	X(1, "--icmp-type echo", NULL),
	X(1, "--icmp-type 255/255", "="),
	X(1, "--icmp-type 255/0:255", "--icmp-type any"),
	X(1, "--icmp-type 3/1:3", "--icmp-type 3/1"),
	X(1, "--icmp-type 8/0", "="),
	X(1, "--icmp-type 256", NULL),
	X(1, "--icmp-type 8 --icmp-type 0", NULL),
	X(1, "", NULL),
	X(0, "--icmp-type 8", NULL),
};

static const struct mt_case icmp6_cases[] = {
	{10, 58, "--icmpv6-type 1/0", "="},
	{10, 58, "--icmpv6-type 2", "="},
	{10, 58, "--icmpv6-type no-route --icmpv6-type packet-too-big", NULL},
	{10, 58, "--icmpv6-type mld-listener-query", "--icmpv6-type 130"},
	{10, 58, "--icmpv6-type mld-listener-report", "--icmpv6-type 131"},
	{10, 58, "--icmpv6-type mld-listener-done", "--icmpv6-type 132"},
	{10, 58, "--icmpv6-type mld-listener-reduction", "--icmpv6-type 132"},
	{10, 58, "--icmpv6-type echo-request", "--icmpv6-type 128"},
	{10, 58, "--icmpv6-type no-route", "--icmpv6-type 1/0"},
	{10, 58, "--icmpv6-type 255/0:255", "--icmpv6-type 255"},
	{10, 58, "--icmpv6-type any", NULL},
	{10, 58, "", NULL},
	{10, 0, "--icmpv6-type 2", NULL},
};

static const struct mt_case multiport_cases[] = {
	X(6, "--sports 53,1024:65535", "="),
	X(6, "--dports 53,1024:65535", "="),
	X(17, "--ports 53,1024:65535", "="),
	X(132, "--sports 53,1024:65535", "="),
	X(33, "--dports 53,1024:65535", "="),
	X(136, "--dports 53,1024:65535", "="),
	X(6, "--sports 1024:65536", NULL),
	X(17, "--ports 1024:65536", NULL),
	X(6, "--ports 1,2,3,4,6,7,8,9,10,11,12,13,14,15", "="),
	X(6, "--ports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16", NULL),
	X(6, "--dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14:15", "="),
	X(6, "--dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15:16", NULL),
	X(6, "! --ports ssh,1024:2048", "! --ports 22,1024:2048"),
	X(6, "--destination-ports 22", "--dports 22"),
	X(6, "--dports 1024:", NULL),
	X(6, "--dports 5:4", NULL),
	X(6, "--dports 80:80", NULL),
	X(6, "--dports 1,1", "="),
	X(6, "--dports 1 --sports 2", NULL),
	X(6, "", NULL),
	X(0, "--dports 1", NULL),
	X(1, "--dports 1", NULL),
};

static const struct mt_case comment_cases[] = {
	V4("", NULL),
	V4("--comment", NULL),
	V4("--comment foo", "="),
	V4("--comment \"a b\"", "--comment \"a b\""),
	V4("--comment \"a \\\"b\"", "--comment \"a \\\"b\""),
	V4("--comment a'b", "--comment \"a\\'b\""),
	V4("--comment a#b", "--comment \"a#b\""),
	V4("--comment a\\b", "--comment \"a\\\\b\""),
	V4("--comment x --comment y", NULL),
};

static const struct mt_case mark_cases[] = {
	V4("--mark 0xfeedcafe/0xfeedcafe", "="),
	V4("--mark 0x0", "="),
	V4("--mark 4294967295", "--mark 0xffffffff"),
	V4("--mark 4294967296", NULL),
	V4("--mark -1", NULL),
	V4("", NULL),
	V4("--mark 0x0/0xff0", "="),
	V4("! --mark 5/0xffffffff", "! --mark 0x5"),
};

static const struct mt_case connmark_cases[] = {
	V4("--mark 0xffffffff", "="),
	V4("--mark 0xffffffff/0xffffffff", "--mark 0xffffffff"),
	V4("--mark 0xffffffff/0x0", "="),
	V4("--mark 0/0xffffffff", "--mark 0x0"),
	V4("--mark -1", NULL),
	V4("--mark 0xfffffffff", NULL),
	V4("", NULL),
};

static const struct mt_case limit_cases[] = {
	V4("--limit 1/sec", "="),
	V4("--limit 1/min", "="),
	V4("--limit 1000/hour", "="),
	V4("--limit 1000/day", "="),
	V4("--limit 1/sec --limit-burst 1", "="),
	V4("--limit 7/minute", "--limit 7/min"),
	V4("--limit 3/s", "--limit 3/sec"),
	V4("--limit 5", "--limit 5/sec"),
	V4("", "--limit 3/hour"),
	V4("--limit-burst 5", "--limit 3/hour"),
	V4("--limit 100000/sec", NULL),
	V4("--limit 0/sec", NULL),
	V4("--limit 1/week", NULL),
	V4("--limit-burst 10001", NULL),
};

static const struct mt_case iprange_cases[] = {
	V4("", NULL),
	V4("--src-range 1.1.1.1-1.1.1.10", "="),
	V4("! --src-range 1.1.1.1-1.1.1.10", "="),
	V4("--dst-range 1.1.1.1-1.1.1.10", "="),
	V4("! --dst-range 1.1.1.1-1.1.1.10", "="),
	V4("--src-range 1.1.1.1", "--src-range 1.1.1.1-1.1.1.1"),
	V4("--dst-range 1.1.1.5-1.1.1.1 --src-range 2.2.2.2-2.2.2.3",
	   "--src-range 2.2.2.2-2.2.2.3 --dst-range 1.1.1.5-1.1.1.1"),
	V4("--src-range 1.1.1.1-foo", NULL),
	V6("--src-range 2001:db8::1-2001:db8::10", "="),
	V6("! --dst-range 2001:db8::1-2001:db8::10", "="),
	V6("--src-range 2001:DB8::1-2001:db8::0010", "--src-range 2001:db8::1-2001:db8::10"),
};

static const struct mt_case mac_cases[] = {
	V4("--mac-source 42:01:02:03:04:05", "="),
	V4("--mac-source 42:01:02:03:04", NULL),
	V4("--mac-source 42:01:02:03:04:05:06", NULL),
	V4("--mac-source 42:01:02:03:04:AB", "--mac-source 42:01:02:03:04:ab"),
	V4("! --mac-source 42:01:02:03:04:05", "="),
	V4("", NULL),
};

static const struct mt_case addrtype_cases[] = {
	V4("", NULL),
	V4("--src-type wrong", NULL),
	V4("--src-type UNSPEC", "="),
	V4("--dst-type UNSPEC", "="),
	V4("--src-type LOCAL --dst-type LOCAL", "="),
	V4("--limit-iface-in", NULL),
	V4("--limit-iface-out", NULL),
	V4("--limit-iface-in --limit-iface-out", NULL),
	V4("--src-type LOCAL --limit-iface-in --limit-iface-out", NULL),
	V4("--src-type LOCAL --limit-iface-in", "="),
	V4("--src-type local,unicast ! --dst-type BLACKHOLE",
	   "--src-type UNICAST,LOCAL ! --dst-type BLACKHOLE"),
};

static const struct mt_case owner_cases[] = {
	V4("--uid-owner root", "--uid-owner 0"),
	V4("--uid-owner 0-10", "="),
	V4("--gid-owner root", "--gid-owner 0"),
	V4("--uid-owner root --gid-owner root", "--uid-owner 0 --gid-owner 0"),
	V4("--uid-owner 0-10 --gid-owner 0-10", "="),
	V4("! --uid-owner root", "! --uid-owner 0"),
	V4("--socket-exists", "="),
	V4("--gid-owner 0-10 --suppl-groups", "="),
	V4("--suppl-groups --gid-owner 0-10", NULL),
	V4("--gid-owner 0-10 ! --suppl-groups", NULL),
	V4("--suppl-groups", NULL),
	V4("! --uid-owner 5 --gid-owner 1-3 --suppl-groups ! --socket-exists",
	   "! --socket-exists ! --uid-owner 5 --gid-owner 1-3 --suppl-groups"),
	V4("--uid-owner 4294967295", NULL),
	V4("--uid-owner nosuchuser", NULL),
	V4("--uid-owner 10-5", NULL),
	V4("", NULL),
};

#define M4 "--mask 255.255.255.255 --rsource"
#define M6 "--mask ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff --rsource"
static const struct mt_case recent_cases[] = {
	V4("--set --rttl", NULL),
	V4("--set", "--set --name DEFAULT " M4),
	V4("--rcheck --hitcount 8 --name foo " M4, "="),
	V4("--rcheck --hitcount 12 --name foo " M4, "="),
	V4("--update --rttl", "--update --rttl --name DEFAULT " M4),
	V4("--rcheck --hitcount 65536 --name foo " M4, NULL),
	V4("--rcheck --seconds 60 --reap --hitcount 3 --rttl --name X --rdest --mask 255.255.0.0",
	   "--rcheck --seconds 60 --reap --hitcount 3 --rttl --name X --mask 255.255.0.0 --rdest"),
	V4("! --update", "! --update --name DEFAULT " M4),
	V4("--set --rcheck", NULL),
	V4("--seconds 5", NULL),
	V4("--rcheck --reap", NULL),
	V4("--set --rsource --rdest", NULL),
	V6("--set", "--set --name DEFAULT " M6),
	V6("--rcheck --hitcount 8 --name foo " M6, "="),
	V6("--update --rttl", "--update --rttl --name DEFAULT " M6),
};

static void test_cases(void **state)
{
	MT_CASES(ctg_match_icmp, icmp_cases);
	MT_CASES(ctg_match_icmp6, icmp6_cases);
	MT_CASES(ctg_match_multiport, multiport_cases);
	MT_CASES(ctg_match_comment, comment_cases);
	MT_CASES(ctg_match_mark, mark_cases);
	MT_CASES(ctg_match_connmark, connmark_cases);
	MT_CASES(ctg_match_limit, limit_cases);
	MT_CASES(ctg_match_iprange, iprange_cases);
	MT_CASES(ctg_match_mac, mac_cases);
	MT_CASES(ctg_match_addrtype, addrtype_cases);
	MT_CASES(ctg_match_owner, owner_cases);
	MT_CASES(ctg_match_recent, recent_cases);
}

static void test_comment_length(void **state)
{
	char in[300], *got;

	strcpy(in, "--comment ");
	memset(in + 10, 'x', 255);
	in[265] = 0;
	got = mt_emit(&ctg_match_comment, 2, 0, in);
	assert_non_null(got);
	assert_string_equal(got, in);
	free(got);
	in[265] = 'x';
	in[266] = 0;
	assert_null(mt_emit(&ctg_match_comment, 2, 0, in));
}

static void test_chain_checks(void **state)
{
	struct mt m;
	char *s;

	s = mt_run_in(&m, &ctg_match_addrtype, 2, 0, "OUTPUT", "--src-type LOCAL --limit-iface-in");
	assert_null(s);
	mt_free(&m);
	s = mt_run_in(&m, &ctg_match_addrtype, 2, 0, "INPUT", "--dst-type LOCAL --limit-iface-out");
	assert_null(s);
	mt_free(&m);
	s = mt_run_in(&m, &ctg_match_addrtype, 2, 0, "OUTPUT",
		      "--dst-type LOCAL --limit-iface-out");
	assert_non_null(s);
	free(s);
	mt_free(&m);
	assert_int_equal(ctg_match_owner.hooks,
			 (1u << CTG_HOOK_OUTPUT) | (1u << CTG_HOOK_POSTROUTING));
	assert_true(ctg_match_mac.hooks & (1u << CTG_HOOK_INPUT));
	assert_false(ctg_match_mac.hooks & (1u << CTG_HOOK_OUTPUT));
}

static enum ctg_tri ev(const struct ctg_match_ops *ops, int fam, uint8_t proto, const char *o,
		       const struct ctg_pkt *p)
{
	return mt_eval(ops, fam, proto, "FORWARD", o, p);
}

static void test_eval(void **state)
{
	struct ctg_pkt p = {.family = 2, .l4proto = 1, .icmp_type = 3, .icmp_code = 3};
	struct ctg_ct_entry e = {.family = 2};

	assert_int_equal(ev(&ctg_match_icmp, 2, 1, "--icmp-type any", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_icmp, 2, 1, "--icmp-type port-unreachable", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_icmp, 2, 1, "--icmp-type host-unreachable", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_icmp, 2, 1, "! --icmp-type 8", &p), CTG_TRUE);
	p.family = 10;
	p.l4proto = 58;
	p.icmp_type = 128;
	p.icmp_code = 0;
	assert_int_equal(ev(&ctg_match_icmp6, 10, 58, "--icmpv6-type ping", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_icmp6, 10, 58, "--icmpv6-type 129", &p), CTG_FALSE);

	p = (struct ctg_pkt){.family = 2, .l4proto = 6, .sport = 40000, .dport = 443};
	assert_int_equal(ev(&ctg_match_multiport, 2, 6, "--dports 22,80,443", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_multiport, 2, 6, "--dports 22,400:500", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_multiport, 2, 6, "! --dports 22,400:500", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_multiport, 2, 6, "--sports 22,80,443", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_multiport, 2, 6, "--ports 22,80,443", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_multiport, 2, 6, "--ports 1,39000:41000", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_comment, 2, 0, "--comment x", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_limit, 2, 0, "--limit 1/sec", &p), CTG_UNKNOWN);

	assert_int_equal(ev(&ctg_match_mark, 2, 0, "--mark 0x1/0x1", &p), CTG_UNKNOWN);
	p.mark_known = true;
	p.mark = 0x13;
	assert_int_equal(ev(&ctg_match_mark, 2, 0, "--mark 0x1/0x1", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_mark, 2, 0, "--mark 0x1", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_mark, 2, 0, "! --mark 0x1", &p), CTG_TRUE);

	p.ctstate = CTG_CTS_INVALID;
	assert_int_equal(ev(&ctg_match_connmark, 2, 0, "! --mark 0x1", &p), CTG_FALSE);
	p.ct = &e;
	p.ctstate = CTG_CTS_ESTABLISHED;
	p.ctmark = 7;
	assert_int_equal(ev(&ctg_match_connmark, 2, 0, "--mark 0x7", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_connmark, 2, 0, "--mark 0x2/0x2", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_connmark, 2, 0, "--mark 0x8/0x8", &p), CTG_FALSE);

	ctg_addr_parse(2, "10.200.7.5", &p.src);
	ctg_addr_parse(2, "10.200.8.1", &p.dst);
	assert_int_equal(ev(&ctg_match_iprange, 2, 0, "--src-range 10.200.7.1-10.200.7.9", &p),
			 CTG_TRUE);
	assert_int_equal(ev(&ctg_match_iprange, 2, 0, "--src-range 10.200.7.6-10.200.7.9", &p),
			 CTG_FALSE);
	assert_int_equal(ev(&ctg_match_iprange, 2, 0, "! --dst-range 10.200.8.0-10.200.8.255", &p),
			 CTG_FALSE);
	assert_int_equal(ev(&ctg_match_mac, 2, 0, "--mac-source 00:11:22:33:44:55", &p),
			 CTG_UNKNOWN);

	assert_int_equal(ev(&ctg_match_addrtype, 2, 0, "--dst-type LOCAL", &p), CTG_UNKNOWN);
	p.dst_type = CTG_RTN_LOCAL;
	p.src_type = CTG_RTN_UNICAST;
	assert_int_equal(ev(&ctg_match_addrtype, 2, 0, "--dst-type LOCAL", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_addrtype, 2, 0, "! --dst-type LOCAL", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_addrtype, 2, 0, "--src-type LOCAL", &p), CTG_FALSE);

	assert_int_equal(ev(&ctg_match_owner, 2, 0, "--uid-owner 1000", &p), CTG_UNKNOWN);
	p.uid_known = true;
	p.uid = 1000;
	p.gid = 100;
	assert_int_equal(ev(&ctg_match_owner, 2, 0, "--uid-owner 1000", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_owner, 2, 0, "! --uid-owner 1000", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_owner, 2, 0, "--uid-owner 0-999", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_owner, 2, 0, "--gid-owner 100 --socket-exists", &p),
			 CTG_TRUE);

	assert_int_equal(ev(&ctg_match_recent, 2, 0, "--set", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_recent, 2, 0, "! --set", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_recent, 2, 0, "--rcheck --seconds 60", &p), CTG_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_comment_length),
		cmocka_unit_test(test_chain_checks),
		cmocka_unit_test(test_eval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
