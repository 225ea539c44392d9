// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Group B match modules: hl, ttl, length, pkttype, set, hashlimit, connlimit, time, policy,
 * physdev, rpfilter, rt, string, statistic, tos, dscp, u32. Expected texts were recorded
 * from iptables 1.8.9 (iptables-save after iptables -A in a scratch namespace); NULL means
 * iptables rejects the options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mtest.h"

extern const struct ctg_match_ops ctg_match_hl, ctg_match_ttl, ctg_match_length, ctg_match_pkttype,
	ctg_match_set, ctg_match_hashlimit, ctg_match_connlimit, ctg_match_time, ctg_match_policy,
	ctg_match_physdev, ctg_match_rpfilter, ctg_match_rt, ctg_match_string, ctg_match_statistic,
	ctg_match_tos, ctg_match_dscp, ctg_match_u32, ctg_match_ah, ctg_match_esp, ctg_match_ecn,
	ctg_match_helper, ctg_match_realm, ctg_match_quota, ctg_match_cpu, ctg_match_connbytes,
	ctg_match_tcpmss, ctg_match_socket, ctg_match_dccp, ctg_match_ipvs;

static const struct mt_case ttl_cases[] = {
	V4("--ttl-eq 0", "="),
	V4("! --ttl-eq 255", "="),
	V4("--ttl-gt 0", "="),
	V4("--ttl-lt 5", "="),
	V4("--ttl-eq 256", NULL),
	V4("--ttl-eq -1", NULL),
	V4("", NULL),
	V4("--ttl-eq 5 --ttl-lt 6", NULL),
	V4("--ttl-eq 0x10", "--ttl-eq 16"),
};

static const struct mt_case hl_cases[] = {
	V6("--hl-eq 42", "="), V6("! --hl-eq 42", "="),		  V6("--hl-lt 42", "="),
	V6("--hl-gt 42", "="), V6("--hl-gt 42 --hl-eq 42", NULL), V6("", NULL),
};

static const struct mt_case length_cases[] = {
	V4("--length 1", "="),
	V4("--length :2", "--length 0:2"),
	V4("--length 4:", "--length 4:65535"),
	V4("--length :", "--length 0:65535"),
	V4("! --length 0:65535", "="),
	V4("--length 0:65536", NULL),
	V4("--length -1:65535", NULL),
	V4("--length 4:4", "--length 4"),
	V4("--length 4:3", NULL),
	V4("", NULL),
	V4("! --length 100:200", "="),
};

static const struct mt_case pkttype_cases[] = {
	V4("--pkt-type unicast", "="),
	V4("--pkt-type broadcast", "="),
	V4("--pkt-type multicast", "="),
	V4("! --pkt-type mcast", "! --pkt-type multicast"),
	V4("--pkt-type BCAST", "--pkt-type broadcast"),
	V4("--pkt-type host", "--pkt-type unicast"),
	V4("--pkt-type otherhost", "="),
	V4("--pkt-type outgoing", NULL),
	V4("--pkt-type wrong", NULL),
	V4("", NULL),
};

static const struct mt_case tos_cases[] = {
	V4("--tos Minimize-Delay", "--tos 0x10/0x3f"),
	V4("--tos Normal-Service", "--tos 0x00/0x3f"),
	V4("! --tos minimize-cost", "! --tos 0x02/0x3f"),
	V4("--tos 0xff", "--tos 0xff/0xff"),
	V4("--tos 0x0f/0x0f", "="),
	V4("--tos 8/12", "--tos 0x08/0x0c"),
	V4("--tos 0x100", NULL),
	V4("--tos 1/0x100", NULL),
	V4("--tos wrong", NULL),
	V4("", NULL),
};

static const struct mt_case dscp_cases[] = {
	V4("--dscp 0x00", "="),
	V4("--dscp 0x3f", "="),
	V4("--dscp -1", NULL),
	V4("--dscp 0x40", NULL),
	V4("--dscp 0x3f --dscp-class CS0", NULL),
	V4("--dscp-class BE", "--dscp 0x00"),
	V4("--dscp-class EF", "--dscp 0x2e"),
	V4("! --dscp-class af41", "! --dscp 0x22"),
	V4("--dscp 010", "--dscp 0x08"),
	V4("--dscp-class cs8", NULL),
	V4("", NULL),
};

static const struct mt_case statistic_cases[] = {
	V4("", NULL),
	V4("--mode random ! --probability 0.50000000000", "="),
	V4("--mode random --probability 0.3", "--mode random --probability 0.29999999981"),
	V4("--mode random --probability 1", "--mode random --probability 1.00000000000"),
	V4("--mode random ! --probability 1.1", NULL),
	V4("--probability 1", NULL),
	V4("--mode nth ! --every 5 --packet 2", "="),
	V4("--mode nth --every 10 --packet 0", "="),
	V4("--mode nth ! --every 5", NULL),
	V4("--mode nth ! --every 5 --packet 5", NULL),
	V4("--mode nth --every 0 --packet 0", NULL),
	V4("--mode random --probability 0.5 --every 3", NULL),
	V4("--mode bogus --probability 0.5", NULL),
};

static const struct mt_case connlimit_cases[] = {
	V4("--connlimit-upto 0", "--connlimit-upto 0 --connlimit-mask 32 --connlimit-saddr"),
	V4("--connlimit-above 4294967295 --connlimit-mask 32 --connlimit-saddr", "="),
	V4("--connlimit-above 4294967296", NULL),
	V4("--connlimit-above 10 --connlimit-daddr",
	   "--connlimit-above 10 --connlimit-mask 32 --connlimit-daddr"),
	V4("! --connlimit-upto 3", "--connlimit-above 3 --connlimit-mask 32 --connlimit-saddr"),
	V4("--connlimit-above 1 --connlimit-mask 1000",
	   "--connlimit-above 1 --connlimit-mask 32 --connlimit-saddr"),
	V6("--connlimit-upto 0", "--connlimit-upto 0 --connlimit-mask 128 --connlimit-saddr"),
	V6("--connlimit-above 1 --connlimit-mask 129", NULL),
	V4("--connlimit-above 10 --connlimit-saddr --connlimit-daddr", NULL),
	V4("--connlimit-above 1 --connlimit-upto 2", NULL),
	V4("--connlimit-upto -1", NULL),
	V4("", NULL),
};

static const struct mt_case hashlimit_cases[] = {
	V4("--hashlimit-above 1/sec --hashlimit-burst 5 --hashlimit-name mini1", "="),
	V4("--hashlimit-upto 1/day --hashlimit-burst 1 --hashlimit-name mini1", "="),
	V4("--hashlimit-upto 1/sec --hashlimit-name mini1",
	   "--hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name mini1"),
	V4("--hashlimit-upto 4kb/s --hashlimit-burst 400kb --hashlimit-name mini5", "="),
	V4("--hashlimit-upto 10mb/s --hashlimit-name mini6", "="),
	V4("--hashlimit-upto 123456b/s --hashlimit-burst 1mb --hashlimit-name mini7", "="),
	V4("--hashlimit-upto 5/min --hashlimit-name a --hashlimit-mode srcip,dstport "
	   "--hashlimit-srcmask 24",
	   "--hashlimit-upto 5/min --hashlimit-burst 5 --hashlimit-mode srcip,dstport "
	   "--hashlimit-name a --hashlimit-srcmask 24"),
	V4("--hashlimit-above 7/hour --hashlimit-burst 9 --hashlimit-name b --hashlimit-mode "
	   "dstport,srcport,dstip,srcip --hashlimit-dstmask 16 --hashlimit-htable-size 100",
	   "--hashlimit-above 7/hour --hashlimit-burst 9 --hashlimit-mode "
	   "srcip,srcport,dstip,dstport --hashlimit-name b --hashlimit-htable-size 100 "
	   "--hashlimit-dstmask 16"),
	V4("--hashlimit 3/s --hashlimit-name c",
	   "--hashlimit-upto 3/sec --hashlimit-burst 5 --hashlimit-name c"),
	V4("--hashlimit-upto 3/minute --hashlimit-name c --hashlimit-rate-match",
	   "--hashlimit-upto 3/sec --hashlimit-burst 5 --hashlimit-name c "
	   "--hashlimit-htable-expire 60000 --hashlimit-rate-match --hashlimit-rate-interval 60"),
	V4("--hashlimit-upto 100kb/s --hashlimit-name d", "="),
	V4("--hashlimit-upto 1mb/s --hashlimit-burst 5mb --hashlimit-name d", "="),
	V4("--hashlimit-upto 3000/sec --hashlimit-name e",
	   "--hashlimit-upto 3003/sec --hashlimit-burst 5 --hashlimit-name e"), /* sic */
	V4("--hashlimit-upto 7/day --hashlimit-name e --hashlimit-htable-expire 1000 "
	   "--hashlimit-htable-gcinterval 50",
	   "--hashlimit-upto 7/day --hashlimit-burst 5 --hashlimit-name e "
	   "--hashlimit-htable-gcinterval 50 --hashlimit-htable-expire 1000"),
	V4("! --hashlimit-above 7/sec --hashlimit-name e",
	   "--hashlimit-upto 7/sec --hashlimit-burst 5 --hashlimit-name e"),
	V4("--hashlimit-upto 40mb/s --hashlimit-mode srcip --hashlimit-name rate4 "
	   "--hashlimit-rate-match --hashlimit-rate-interval 10",
	   "="),
	V6("--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-srcmask 64",
	   "--hashlimit-upto 1/sec --hashlimit-burst 5 --hashlimit-name x --hashlimit-srcmask 64"),
	V4("--hashlimit-name mini1", NULL),
	V4("--hashlimit-upto 1/sec", NULL),
	V4("", NULL),
	V4("--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-mode none", NULL),
	V4("--hashlimit-upto 1/sec --hashlimit-name x --hashlimit-burst 1000001", NULL),
	V4("--hashlimit-upto 1/fortnight --hashlimit-name x", NULL),
	V4("--hashlimit-upto 1/sec --hashlimit-above 1/sec --hashlimit-name x", NULL),
};

static const struct mt_case time_cases[] = {
	V4("--timestart 01:02:03 --timestop 04:05:06 --monthdays 1,2,3,4,5 --weekdays Mon,Fri,Sun "
	   "--datestart 2001-02-03T04:05:06 --datestop 2012-09-08T09:06:05 --kerneltz",
	   "="),
	V4("--timestart 01:00", "--timestart 01:00:00 --timestop 23:59:59 --datestop "
				"2038-01-19T03:14:07"),
	V4("--weekdays Sa,Su ! --monthdays 1,15,31 --contiguous --timestart 23:00 --timestop "
	   "01:00:30",
	   "--timestart 23:00:00 --timestop 01:00:30 --monthdays "
	   "2,3,4,5,6,7,8,9,10,11,12,13,14,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30 "
	   "--weekdays Sat,Sun --datestop 2038-01-19T03:14:07 --contiguous"),
	V4("--datestart 2021 --datestop 2021-06-30T12",
	   "--datestart 2021-01-01T00:00:00 --datestop 2021-06-30T12:00:00"),
	V4("--kerneltz --datestop 2038-12-31", "--datestop 2038-12-31T00:00:00 --kerneltz"),
	V4("--localtz", "--datestop 2038-01-19T03:14:07 --kerneltz"),
	V4("--weekdays 1,7 --monthdays 31",
	   "--monthdays 31 --weekdays Mon,Sun --datestop 2038-01-19T03:14:07"),
	V4("--timestart 01:00 --timestop 02:00 --contiguous", NULL),
	V4("--timestart 24:00", NULL),
	V4("--datestart 1969", NULL),
	V4("--weekdays Xy", NULL),
	V4("--monthdays 32", NULL),
	V4("--utc --kerneltz", NULL),
	V4("--days Mon", NULL),
};

static const struct mt_case policy_cases[] = {
	V4("--dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --mode tunnel "
	   "--tunnel-dst 10.0.0.0/8 --tunnel-src 10.0.0.0/8 --next --reqid 2",
	   "="),
	V4("--dir in --pol ipsec --strict --reqid 1 --spi 0x1 --proto esp --tunnel-dst 10.0.0.0/8",
	   NULL),
	V4("--dir in --pol ipsec", "="),
	V4("--dir in --pol ipsec --proto ipcomp", "="),
	V4("--dir in --pol ipsec --strict", NULL),
	V4("--dir in --pol ipsec --reqid 5 ! --spi 16 --proto ah ! --mode transport --tunnel-src "
	   "1.2.3.4 --tunnel-dst 10.0.0.1/255.0.255.0",
	   "--dir in --pol ipsec --reqid 5 ! --spi 0x10 --proto ah ! --mode transport "
	   "--tunnel-dst 10.0.0.1 --tunnel-src 1.2.3.4"),
	V4("--dir in --pol ipsec --proto 108", "--dir in --pol ipsec --proto ipcomp"),
	V4("--dir in --pol ipsec --reqid 1 --reqid 2", NULL),
	V4("--dir in --pol ipsec --reqid 1 --next --reqid 2", NULL),
	V4("--dir in --pol none --strict", NULL),
	V4("--dir sideways --pol none", NULL),
	V4("--pol none", NULL),
	V4("--dir in --pol ipsec --proto tcp", NULL),
	V6("--dir in --pol ipsec --mode tunnel --tunnel-dst 2001:db8::1/ffff::ff",
	   "--dir in --pol ipsec --mode tunnel --tunnel-dst 2001:db8::1"),
};

static const struct mt_case rt_cases[] = {
	V6("--rt-type 0 --rt-segsleft 1:23 --rt-len 42 --rt-0-res", "="),
	V6("! --rt-type 1 ! --rt-segsleft 12:23 ! --rt-len 42", "="),
	V6("--rt-segsleft :", ""),
	V6("! --rt-segsleft :", "! --rt-segsleft 0:4294967295"),
	V6("--rt-segsleft 3:", "--rt-segsleft 3:4294967295"),
	V6("--rt-segsleft 3:3", "--rt-segsleft 3"),
	V6("--rt-segsleft 4:3", NULL),
	V6("--rt-type 0 --rt-0-res --rt-0-addrs 2001:db8::1,::2 --rt-0-not-strict", "="),
	V6("--rt-0-res", NULL),
	V6("--rt-type 0 --rt-0-not-strict", NULL),
};

static const struct mt_case string_cases[] = {
	V4("--algo bm --string test", "--string \"test\" --algo bm"),
	V4("! --string test --algo kmp", "! --string \"test\" --algo kmp"),
	V4("--string \"a\\\"b\\\\c\" --algo kmp --from 10 --to 100 --icase",
	   "--string \"a\\\"b\\\\c\" --algo kmp --from 10 --to 100 --icase"),
	V4("--hex-string |0a0a0a0a| --algo bm", "--hex-string \"|0a0a0a0a|\" --algo bm"),
	V4("--hex-string \"|00 01|abc|ff|\" --algo bm",
	   "--hex-string \"|0001616263ff|\" --algo bm"),
	V4("--algo bm --from 0 --to 65535 --string test", "--string \"test\" --algo bm"),
	V4("--string x --algo bm --from 10 --to 5", NULL),
	V4("--algo wrong --string x", NULL),
	V4("--algo bm", NULL),
	V4("--string x", NULL),
	V4("--hex-string |0a --algo bm", NULL),
	V4("--hex-string |0g| --algo bm", NULL),
	V4("--string x --hex-string |00| --algo bm", NULL),
	V4("", NULL),
};

static const struct mt_case u32_cases[] = {
	V4("--u32 0x0=0x0&&0x0=0x1", "--u32 \"0x0=0x0&&0x0=0x1\""),
	V4("--u32 \"0>>22&0x3C@12>>26&0x3C@0=5,7:9&&4=10\"",
	   "--u32 \"0x0>>0x16&0x3c@0xc>>0x1a&0x3c@0x0=0x5,0x7:0x9&&0x4=0xa\""),
	V4("! --u32 \"6 & 0xFF = 1 && 4 & 0x3FFF = 0\"",
	   "! --u32 \"0x6&0xff=0x1&&0x4&0x3fff=0x0\""),
	V4("--u32 0=1&&", NULL),
	V4("--u32 0x100000000=1", NULL),
	V4("--u32 1&2&3&4&5&6&7&8&9&10&11=1", NULL),
	V4("--u32 1=1,2,3,4,5,6,7,8,9,10,11", NULL),
	V4("--u32 1=1&&1=1&&1=1&&1=1&&1=1&&1=1&&1=1&&1=1&&1=1&&1=1&&1=1", NULL),
	V4("", NULL),
};

static const struct mt_case set_cases[] = {
	V4("--match-set foo src,dst", "="),
	V4("! --match-set s1 src,dst,src --return-nomatch ! --update-counters "
	   "! --update-subcounters --packets-gt 5 ! --bytes-eq 10",
	   "="),
	V4("--set foo dst", "--match-set foo dst"),
	V4("--match-set foo src --bytes-lt 3 --packets-eq 4",
	   "--match-set foo src --packets-eq 4 --bytes-lt 3"),
	V4("--match-set foo src,dst,src,dst,src,dst,src", NULL),
	V4("--match-set foo sideways", NULL),
	V4("--match-set 0123456789012345678901234567890123 src", NULL),
	V4("--match-set foo src --match-set bar dst", NULL),
	V4("--match-set foo src ! --packets-gt 3", NULL),
	V4("--match-set foo src ! --return-nomatch", NULL),
	V4("--match-set foo src --bytes-eq 1 --bytes-gt 2", NULL),
	V4("", NULL),
};

static const struct mt_case physdev_cases[] = {
	V4("--physdev-in lo", "="),
	V4("--physdev-is-in --physdev-in lo", "="),
	V4("! --physdev-in eth+ ! --physdev-is-bridged", "="),
	V4("--physdev-out br0 --physdev-is-bridged --physdev-is-out",
	   "--physdev-is-out --physdev-out br0 --physdev-is-bridged"),
	V4("--physdev-in 0123456789abcdef", NULL),
	V4("", NULL),
};

static void test_emit(void **state)
{
	MT_CASES(ctg_match_ttl, ttl_cases);
	MT_CASES(ctg_match_hl, hl_cases);
	MT_CASES(ctg_match_length, length_cases);
	MT_CASES(ctg_match_pkttype, pkttype_cases);
	MT_CASES(ctg_match_tos, tos_cases);
	MT_CASES(ctg_match_dscp, dscp_cases);
	MT_CASES(ctg_match_statistic, statistic_cases);
	MT_CASES(ctg_match_connlimit, connlimit_cases);
	MT_CASES(ctg_match_hashlimit, hashlimit_cases);
	MT_CASES(ctg_match_time, time_cases);
	MT_CASES(ctg_match_policy, policy_cases);
	MT_CASES(ctg_match_rt, rt_cases);
	MT_CASES(ctg_match_string, string_cases);
	MT_CASES(ctg_match_u32, u32_cases);
	MT_CASES(ctg_match_set, set_cases);
	MT_CASES(ctg_match_physdev, physdev_cases);
}

/* Context checks that depend on the table or chain. */
static char *run_ctx(const struct ctg_match_ops *ops, enum ctg_table_id table, const char *chain,
		     const char *opts)
{
	struct mt m;
	char *s;

	memset(&m, 0, sizeof(m));
	m.ops = ops;
	m.arena = ctg_arena_new(4096);
	m.diags = ctg_diags_new();
	m.c.arena = m.arena;
	m.c.diags = m.diags;
	m.c.family = CTG_FAMILY_IPV4;
	m.c.table = table;
	m.c.chain = chain;
	m.data = ctg_arena_zalloc(m.arena, ops->size);
	char buf[512], *w[32];
	snprintf(buf, sizeof(buf), "%s", opts);
	int n = mt_split(buf, w, 32);
	s = NULL;
	if (!mt_dispatch(&m, w, n)) {
		struct ctg_strbuf sb;

		ctg_sb_init(&sb);
		ops->emit(m.data, CTG_FAMILY_IPV4, &sb);
		s = strdup(ctg_sb_str(&sb));
		ctg_sb_release(&sb);
	}
	mt_free(&m);
	return s;
}

static void test_context(void **state)
{
	char *s;

	assert_null(run_ctx(&ctg_match_rpfilter, CTG_TABLE_FILTER, "INPUT", ""));
	assert_non_null(s = run_ctx(&ctg_match_rpfilter, CTG_TABLE_MANGLE, "PREROUTING", ""));
	free(s);
	s = run_ctx(&ctg_match_rpfilter, CTG_TABLE_RAW, "PREROUTING",
		    "--invert --accept-local --validmark --loose");
	assert_string_equal(s, " --loose --validmark --accept-local --invert");
	free(s);
	assert_int_equal(ctg_match_rpfilter.hooks, 1u << CTG_HOOK_PREROUTING);
	assert_null(run_ctx(&ctg_match_policy, CTG_TABLE_FILTER, "INPUT", "--dir out --pol none"));
	assert_null(run_ctx(&ctg_match_policy, CTG_TABLE_FILTER, "OUTPUT", "--dir in --pol none"));
	assert_non_null(s = run_ctx(&ctg_match_policy, CTG_TABLE_FILTER, "FORWARD",
				    "--dir out --pol none"));
	free(s);
	assert_null(run_ctx(&ctg_match_physdev, CTG_TABLE_FILTER, "OUTPUT", "--physdev-out eth0"));
	assert_non_null(s = run_ctx(&ctg_match_physdev, CTG_TABLE_MANGLE, "POSTROUTING",
				    "--physdev-out eth0 --physdev-is-bridged"));
	free(s);
	assert_true(ctg_match_connlimit.needs_ct);
	assert_int_equal(ctg_match_hl.family_mask, 2);
	assert_int_equal(ctg_match_ttl.family_mask, 1);
	assert_int_equal(ctg_match_rt.family_mask, 2);
}

static enum ctg_tri ev(const struct ctg_match_ops *ops, int family, const char *opts,
		       const struct ctg_pkt *p)
{
	return mt_eval(ops, family, 0, "INPUT", opts, p);
}

static void test_eval_header(void **state)
{
	struct ctg_pkt p = {
		.family = 2, .hook = CTG_HOOK_INPUT, .ttl = 64, .tos = 0xb8, .len = 1500};

	assert_int_equal(ev(&ctg_match_ttl, 2, "--ttl-eq 64", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_ttl, 2, "! --ttl-eq 64", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_ttl, 2, "--ttl-lt 64", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_ttl, 2, "--ttl-gt 63", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_length, 2, "--length 1000:1500", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_length, 2, "! --length 1000:1500", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_length, 2, "--length 1501:", &p), CTG_FALSE);
	/* 0xb8 = DSCP EF (0x2e) */
	assert_int_equal(ev(&ctg_match_dscp, 2, "--dscp-class EF", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_dscp, 2, "! --dscp 0x2e", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_dscp, 2, "--dscp 0", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_tos, 2, "--tos 0xb8", &p), CTG_TRUE);
	/* names use the mask 0x3f: 0xb8 & 0x3f = 0x38 */
	assert_int_equal(ev(&ctg_match_tos, 2, "--tos Minimize-Delay", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_tos, 2, "--tos 0x38/0x3f", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_tos, 2, "--tos 0x08/0x0c", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_tos, 2, "--tos 0x04/0x0c", &p), CTG_FALSE);
	p.family = 10;
	assert_int_equal(ev(&ctg_match_hl, 10, "--hl-eq 64", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_hl, 10, "--hl-lt 10", &p), CTG_FALSE);
}

static void test_eval_unknown(void **state)
{
	struct ctg_pkt p = {.family = 2, .hook = CTG_HOOK_INPUT};

	assert_int_equal(ev(&ctg_match_set, 2, "--match-set x src", &p), CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_hashlimit, 2, "--hashlimit-upto 1/s --hashlimit-name a", &p),
			 CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_connlimit, 2, "--connlimit-above 3", &p), CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_time, 2, "--timestart 01:00", &p), CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_policy, 2, "--dir in --pol none", &p), CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_string, 2, "--string x --algo bm", &p), CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_u32, 2, "--u32 0=1", &p), CTG_UNKNOWN);
	assert_int_equal(ctg_match_rpfilter.eval(&(uint8_t){0}, &p, NULL), CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_statistic, 2, "--mode random --probability 0.5", &p),
			 CTG_UNKNOWN);
	assert_int_equal(ev(&ctg_match_statistic, 2, "--mode random --probability 0", &p),
			 CTG_FALSE);
	assert_int_equal(ev(&ctg_match_statistic, 2, "--mode random ! --probability 0", &p),
			 CTG_TRUE);
	assert_int_equal(ev(&ctg_match_statistic, 2, "--mode random --probability 1", &p),
			 CTG_TRUE);
	assert_int_equal(ev(&ctg_match_statistic, 2, "--mode nth --every 1 --packet 0", &p),
			 CTG_TRUE);
	assert_int_equal(ev(&ctg_match_statistic, 2, "--mode nth --every 2 --packet 0", &p),
			 CTG_UNKNOWN);
}

static void test_eval_pkttype_physdev(void **state)
{
	struct ctg_pkt p = {.family = 2, .hook = CTG_HOOK_INPUT};

	p.dst.b[0] = 224;
	p.dst.b[3] = 1;
	assert_int_equal(ev(&ctg_match_pkttype, 2, "--pkt-type multicast", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_pkttype, 2, "--pkt-type unicast", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_pkttype, 2, "! --pkt-type broadcast", &p), CTG_TRUE);
	p.dst.w[0] = 0xffffffffu;
	assert_int_equal(ev(&ctg_match_pkttype, 2, "--pkt-type broadcast", &p), CTG_TRUE);
	p.dst.b[0] = 10;
	assert_int_equal(ev(&ctg_match_pkttype, 2, "--pkt-type unicast", &p), CTG_UNKNOWN);
	p.hook = CTG_HOOK_OUTPUT;
	p.dst.b[0] = 224;
	assert_int_equal(ev(&ctg_match_pkttype, 2, "--pkt-type multicast", &p), CTG_UNKNOWN);

	assert_int_equal(ev(&ctg_match_physdev, 2, "--physdev-in eth0", &p), CTG_UNKNOWN);
	p.physdev_known = true; /* known not bridged */
	assert_int_equal(ev(&ctg_match_physdev, 2, "--physdev-in eth0", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_physdev, 2, "! --physdev-is-bridged", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_physdev, 2, "! --physdev-in eth0 --physdev-is-in", &p),
			 CTG_FALSE);
}

/* The cheap extras (libipt_ah.t, libxt_esp.t, ... and iptables 1.8.9 output). */
static const struct mt_case extra_ah[] = {
	{2, 51, "--ahspi 0:4294967295", ""},
	{2, 51, "! --ahspi :", "! --ahspi 0:4294967295"},
	{2, 51, "--ahspi 3:3", "--ahspi 3"},
	{2, 51, "--ahspi 4:3", NULL},
	{2, 0, "--ahspi 0", NULL},
	{2, 51, "--ahlen 3", NULL},
	{10, 0, "--ahspi 7:9 ! --ahlen 3 --ahres", "="},
};
static const struct mt_case extra_esp[] = {
	{2, 50, "! --espspi 5", "="},
	{2, 50, "--espspi :32", "--espspi 0:32"},
	{2, 50, "--espspi -1", NULL},
	{2, 0, "", NULL},
};
static const struct mt_case extra_ecn[] = {
	{2, 6, "--ecn-ip-ect 3 ! --ecn-tcp-cwr", "! --ecn-tcp-cwr --ecn-ip-ect 3"},
	{2, 0, "--ecn-tcp-cwr", NULL},
	{2, 0, "--ecn-ip-ect 4", NULL},
	{2, 0, "", NULL},
};
static const struct mt_case extra_misc_helper[] = {
	V4("! --helper \"a b\"", "! --helper \"a b\""),
	V4("--helper ftp", "="),
	V4("", NULL),
};
static const struct mt_case extra_realm[] = {
	V4("! --realm 5/0xff", "! --realm 0x5/0xff"),
	V4("--realm 0x2a", "="),
	V4("", NULL),
};
static const struct mt_case extra_quota[] = {
	V4("--quota 0x10", "--quota 16"),
	V4("! --quota 18446744073709551615", "="),
	V4("--quota 18446744073709551616", NULL),
};
static const struct mt_case extra_cpu[] = {
	V4("! --cpu 3", "="),
	V4("--cpu 4294967296", NULL),
	V4("", NULL),
};
static const struct mt_case extra_connbytes[] = {
	V4("! --connbytes 10:20 --connbytes-mode bytes --connbytes-dir reply", "="),
	V4("--connbytes : --connbytes-mode packets --connbytes-dir original",
	   "--connbytes 0 --connbytes-mode packets --connbytes-dir original"),
	V4("--connbytes 1000:0 --connbytes-mode packets --connbytes-dir original", NULL),
	V4("--connbytes 0:1000 --connbytes-mode packets", NULL),
	V4("--connbytes 0:1000 --connbytes-mode wrong --connbytes-dir both", NULL),
};
static const struct mt_case extra_tcpmss[] = {
	{2, 6, "! --mss 100:200", "="},
	{2, 6, "--mss 42:", "--mss 42:65535"},
	{2, 6, "--mss 65535:1000", NULL},
	{2, 0, "--mss 42", NULL},
};
static const struct mt_case extra_socket[] = {
	V4("--nowildcard --transparent", "--transparent --nowildcard"),
	V4("", ""),
};

static const struct mt_case extra_dccp[] = {
	{2, 33, "! --dccp-types sync,request --dccp-option 7",
	 "! --dccp-types REQUEST,SYNC --dccp-option 7"},
	{2, 33, "--sport 4: ! --dport 1", "--sport 4:65535 ! --dport 1"},
	{2, 33, "--dccp-option 0", NULL},
	{2, 33, "--sport 4:3", NULL},
	{2, 33, "--dccp-types BOGUS", NULL},
	{2, 6, "--sport 1", NULL},
	{2, 33, "", ""},
};
static const struct mt_case extra_ipvs[] = {
	V4("--ipvs", "="),
	V4("--ipvs --vport 22", "--vport 22"),
	V4("--vproto TCP", "--vproto 6"),
	V4("! --vport ssh", "! --vport 22"),
	V4("--vdir reply --vmethod gate --vproto all", "--vproto 0 --vdir REPLY --vmethod GATE"),
	V4("! --vaddr 1.2.3.4/255.255.255.0", "! --vaddr 1.2.3.4/24"),
	V6("! --vaddr 2001:db8::/64", "="),
	V4("--vmethod BOGUS", NULL),
	V4("", NULL),
};

static void test_extras(void **state)
{
	struct ctg_pkt p = {.family = 2, .l4proto = 6, .tos = 0x03, .tcp_flags = CTG_TH_CWR};

	MT_CASES(ctg_match_ah, extra_ah);
	MT_CASES(ctg_match_esp, extra_esp);
	MT_CASES(ctg_match_ecn, extra_ecn);
	MT_CASES(ctg_match_helper, extra_misc_helper);
	MT_CASES(ctg_match_realm, extra_realm);
	MT_CASES(ctg_match_quota, extra_quota);
	MT_CASES(ctg_match_cpu, extra_cpu);
	MT_CASES(ctg_match_connbytes, extra_connbytes);
	MT_CASES(ctg_match_tcpmss, extra_tcpmss);
	MT_CASES(ctg_match_socket, extra_socket);
	MT_CASES(ctg_match_dccp, extra_dccp);
	MT_CASES(ctg_match_ipvs, extra_ipvs);
	assert_int_equal(ctg_match_socket.hooks,
			 (1u << CTG_HOOK_PREROUTING) | (1u << CTG_HOOK_INPUT));
	assert_int_equal(ctg_match_realm.family_mask, 1);

	struct mt m;
	char *s = mt_run_in(&m, &ctg_match_ecn, 2, 6, "INPUT", "--ecn-ip-ect 3 --ecn-tcp-cwr");
	assert_non_null(s);
	free(s);
	assert_int_equal(ctg_match_ecn.eval(m.data, &p, NULL), CTG_TRUE);
	p.tos = 0x02;
	assert_int_equal(ctg_match_ecn.eval(m.data, &p, NULL), CTG_FALSE);
	p.tos = 0x03;
	p.tcp_flags = CTG_TH_ACK;
	assert_int_equal(ctg_match_ecn.eval(m.data, &p, NULL), CTG_FALSE);
	mt_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emit),
		cmocka_unit_test(test_context),
		cmocka_unit_test(test_eval_header),
		cmocka_unit_test(test_eval_unknown),
		cmocka_unit_test(test_eval_pkttype_physdev),
		cmocka_unit_test(test_extras),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
