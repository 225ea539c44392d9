// SPDX-License-Identifier: GPL-2.0-or-later
/* state and conntrack matches: libxt_state.t, lib*_conntrack.t cases, eval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mtest.h"

extern const struct ctg_match_ops ctg_match_state, ctg_match_conntrack;

#define C4(in, out)                                                                                \
	{                                                                                          \
		2, 0, in, out                                                                      \
	}
#define C6(in, out)                                                                                \
	{                                                                                          \
		10, 0, in, out                                                                     \
	}

static const struct mt_case state_cases[] = {
	C4("--state INVALID", "="),
	C4("--state NEW,RELATED", "="),
	C4("--state UNTRACKED", "="),
	C4("--state ESTABLISHED,NEW,INVALID,UNTRACKED,RELATED",
	   "--state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED"),
	C4("--state new,Est", "--state NEW,ESTABLISHED"),
	C4("! --state NEW", "="),
	C4("--state wrong", NULL),
	C4("--state SNAT", NULL),
	C4("--state NEW,", NULL),
	C4("--state NEW --state INVALID", NULL),
	C4("", NULL),
};

static const struct mt_case ct_cases[] = {
	C4("--ctstate NEW", "="),
	C4("--ctstate NEW,ESTABLISHED", "="),
	C4("--ctstate NEW,RELATED,ESTABLISHED", "="),
	C4("--ctstate ESTABLISHED,RELATED", "--ctstate RELATED,ESTABLISHED"),
	C4("--ctstate INVALID", "="),
	C4("--ctstate UNTRACKED", "="),
	C4("--ctstate SNAT,DNAT", "="),
	C4("--ctstate wrong", NULL),
	C4("--ctproto tcp", "--ctproto 6"),
	C4("--ctexpire 0", "="),
	C4("--ctexpire 4294967295", "="),
	C4("--ctexpire 0:4294967295", "="),
	C4("--ctexpire 42949672956", NULL),
	C4("--ctexpire -1", NULL),
	C4("--ctexpire 3:3", "--ctexpire 3"),
	C4("--ctexpire 4:3", NULL),
	C4("--ctexpire 5-6", NULL),
	C4("--ctdir ORIGINAL", "="),
	C4("--ctdir REPLY", "="),
	C4("--ctdir original", "--ctdir ORIGINAL"),
	C4("--ctdir sideways", NULL),
	C4("--ctstatus NONE", "="),
	C4("--ctstatus CONFIRMED", "="),
	C4("--ctstatus ASSURED", "="),
	C4("--ctstatus EXPECTED", "="),
	C4("--ctstatus SEEN_REPLY", "="),
	C4("--ctstatus confirmed,expected,seen_reply,assured,none",
	   "--ctstatus EXPECTED,SEEN_REPLY,ASSURED,CONFIRMED"),
	C4("--ctstatus bogus", NULL),
	C4("", NULL),
	C4("--ctproto 0", NULL),
	C4("! --ctproto 0", NULL),
	C4("--ctproto 300", NULL),
	C4("--ctorigsrcport :", "--ctorigsrcport 0:65535"),
	C4("--ctorigsrcport :4", "--ctorigsrcport 0:4"),
	C4("--ctorigsrcport 4:", "--ctorigsrcport 4:65535"),
	C4("--ctorigsrcport 3:4", "="),
	C4("--ctorigsrcport 4:4", "--ctorigsrcport 4"),
	C4("--ctorigsrcport 4:3", NULL),
	C4("--ctreplsrcport 3:4", "="),
	C4("--ctorigdstport 4:", "--ctorigdstport 4:65535"),
	C4("--ctrepldstport 4:3", NULL),
	C4("--ctorigsrcport ssh", "--ctorigsrcport 22"),
	C4("--ctorigsrc 1.1.1.1", "="),
	C4("--ctorigdst 1.1.1.1", "="),
	C4("--ctreplsrc 1.1.1.1", "="),
	C4("--ctrepldst 1.1.1.1", "="),
	C4("--ctorigsrc 1.2.3.4/8", "="),
	C4("--ctorigsrc 1.2.3.4/255.255.0.0", "--ctorigsrc 1.2.3.4/16"),
	C4("--ctorigsrc 1.2.3.400", NULL),
	C4("--ctstate NEW --ctstate INVALID", NULL),
	C4("--ctdir REPLY --ctexpire 5:6 --ctstatus ASSURED,CONFIRMED --ctrepldstport 4 "
	   "--ctreplsrcport 3 --ctorigdstport 2 --ctorigsrcport 1 --ctrepldst 3.3.3.3 "
	   "--ctreplsrc 2.2.2.2 --ctorigdst 1.1.1.1 --ctorigsrc 1.2.3.4/8 --ctproto tcp "
	   "! --ctstate NEW",
	   "! --ctstate NEW --ctproto 6 --ctorigsrc 1.2.3.4/8 --ctorigdst 1.1.1.1 "
	   "--ctreplsrc 2.2.2.2 --ctrepldst 3.3.3.3 --ctorigsrcport 1 --ctorigdstport 2 "
	   "--ctreplsrcport 3 --ctrepldstport 4 --ctstatus ASSURED,CONFIRMED --ctexpire 5:6 "
	   "--ctdir REPLY"),
	C6("--ctorigsrc 2001:db8::1", "="),
	C6("--ctorigdst 2001:db8::1", "="),
	C6("--ctreplsrc 2001:db8::1", "="),
	C6("--ctrepldst 2001:db8::1", "="),
	C6("--ctorigsrc 2001:DB8::1/64", "--ctorigsrc 2001:db8::1/64"),
	C6("--ctorigsrc 2001:db8::1/128", "--ctorigsrc 2001:db8::1"),
	C6("--ctorigsrc 1.1.1.1", NULL),
};

static void test_state_cases(void **state)
{
	MT_CASES(ctg_match_state, state_cases);
}

static void test_conntrack_cases(void **state)
{
	MT_CASES(ctg_match_conntrack, ct_cases);
}

static enum ctg_tri ev(const struct ctg_match_ops *ops, const char *opts, const struct ctg_pkt *p)
{
	return mt_eval(ops, 2, 0, "INPUT", opts, p);
}

static void test_state_eval(void **state)
{
	struct ctg_pkt p = {.family = 2, .ctstate = CTG_CTS_ESTABLISHED};

	assert_int_equal(ev(&ctg_match_state, "--state ESTABLISHED,RELATED", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_state, "--state NEW", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_state, "! --state NEW", &p), CTG_TRUE);
	p.ctstate = CTG_CTS_INVALID;
	assert_int_equal(ev(&ctg_match_state, "--state ESTABLISHED,RELATED", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_state, "--state INVALID", &p), CTG_TRUE);
	p.ctstate = 0;
	assert_int_equal(ev(&ctg_match_state, "--state INVALID", &p), CTG_UNKNOWN);
}

static void test_conntrack_eval(void **state)
{
	struct ctg_ct_entry e = {.family = 2,
				 .l4proto = 6,
				 .status = CTG_IPS_ASSURED | CTG_IPS_SEEN_REPLY,
				 .timeout = 300};
	struct ctg_pkt p = {.family = 2, .ctstate = CTG_CTS_ESTABLISHED, .ct = &e};

	ctg_addr_parse(2, "10.200.1.1", &e.orig.src);
	ctg_addr_parse(2, "10.200.1.2", &e.orig.dst);
	e.orig.sport = 40000;
	e.orig.dport = 3306;
	e.reply.src = e.orig.dst;
	e.reply.dst = e.orig.src;
	e.reply.sport = 3306;
	e.reply.dport = 40000;
	p.ct_reply_dir = true;
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstate RELATED,ESTABLISHED", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstate NEW", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctproto tcp --ctorigdstport 3306", &p),
			 CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctproto udp", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "! --ctproto udp", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctorigsrc 10.200.1.0/24", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctreplsrc 10.200.1.1", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctrepldst 10.200.1.1", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctreplsrcport 3306", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstatus ASSURED", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstatus EXPECTED", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstatus NONE", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctexpire 100:400", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "! --ctexpire 100:400", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctdir REPLY", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctdir ORIGINAL", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstate SNAT", &p), CTG_FALSE);
	e.status |= CTG_IPS_SRC_NAT;
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstate SNAT", &p), CTG_TRUE);
	/* No entry: only the state test can be true. */
	p.ct = NULL;
	p.ctstate = CTG_CTS_INVALID;
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstate INVALID", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "! --ctstate ESTABLISHED", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstate INVALID --ctproto tcp", &p), CTG_TRUE);
	assert_int_equal(ev(&ctg_match_conntrack, "! --ctproto tcp", &p), CTG_FALSE);
	assert_int_equal(ev(&ctg_match_conntrack, "--ctstatus NONE", &p), CTG_FALSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_cases),
		cmocka_unit_test(test_conntrack_cases),
		cmocka_unit_test(test_state_eval),
		cmocka_unit_test(test_conntrack_eval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
