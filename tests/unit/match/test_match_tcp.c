// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp and udp matches: libxt_tcp.t / libxt_udp.t cases, validation, eval. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mtest.h"

extern const struct ctg_match_ops ctg_match_tcp, ctg_match_udp, ctg_match_sctp;

#define TCP(in, out)                                                                               \
	{                                                                                          \
		2, 6, in, out                                                                      \
	}
#define UDP(in, out)                                                                               \
	{                                                                                          \
		2, 17, in, out                                                                     \
	}

static const struct mt_case tcp_cases[] = {
	TCP("--sport 1", "="),
	TCP("--sport 65535", "="),
	TCP("--dport 1", "="),
	TCP("--sport 1:1023", "="),
	TCP("--sport 1024:", "--sport 1024:65535"),
	TCP("--sport :", ""),
	TCP("! --sport :", "! --sport 0:65535"),
	TCP("--sport :4", "--sport 0:4"),
	TCP("--sport 4:4", "--sport 4"),
	TCP("--sport 4:3", NULL),
	TCP("--dport 4:3", NULL),
	TCP("! --dport :", "! --dport 0:65535"),
	TCP("! --sport 1 --dport 65535", "="),
	TCP("--dport 65535 --sport 1", "--sport 1 --dport 65535"),
	TCP("--sport 65536", NULL),
	TCP("--sport -1", NULL),
	TCP("--dport -1", NULL),
	TCP("--syn", "--tcp-flags FIN,SYN,RST,ACK SYN"),
	TCP("! --syn", "! --tcp-flags FIN,SYN,RST,ACK SYN"),
	TCP("--tcp-flags FIN,SYN,RST,ACK SYN", "="),
	TCP("! --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN", "="),
	TCP("--tcp-flags ALL NONE", "--tcp-flags FIN,SYN,RST,PSH,ACK,URG NONE"),
	TCP("--tcp-flags syn,ack,fin ack", "--tcp-flags FIN,SYN,ACK ACK"),
	TCP("--tcp-flags SYN,ECE SYN", NULL),
	TCP("--syn --tcp-flags ALL SYN", NULL),
	TCP("--dport ssh", "--dport 22"),
	TCP("--dport 0x16", "--dport 22"),
	TCP("--dport http:https", "--dport 80:443"),
	TCP("--dport nosuchservice", NULL),
	TCP("--dport 1 --dport 2", NULL),
	TCP("--tcp-option 0", NULL),
	TCP("--tcp-option 256", NULL),
	TCP("! --tcp-option 5 --syn --dport 1 --sport 2",
	    "--sport 2 --dport 1 ! --tcp-option 5 --tcp-flags FIN,SYN,RST,ACK SYN"),
	TCP("", ""),
	{2, 0, "--dport 1", NULL},
	{2, 17, "--dport 1", NULL},
	{10, 6, "--dport 1", "="},
};

static const struct mt_case udp_cases[] = {
	UDP("--sport 1", "="),
	UDP("--sport 1024:", "--sport 1024:65535"),
	UDP("--sport :", ""),
	UDP("! --sport :", "! --sport 0:65535"),
	UDP("--dport :4", "--dport 0:4"),
	UDP("--dport 4:4", "--dport 4"),
	UDP("--dport 4:3", NULL),
	UDP("! --sport 65535 --dport 1", "="),
	UDP("--sport -1", NULL),
	UDP("--sport 65536", NULL),
	UDP("--dport domain", "--dport 53"),
	UDP("--dport ntp", "--dport 123"),
	UDP("--dport ssh", NULL), /* tcp-only service */
	UDP("", ""),
	{2, 0, "--dport 1", NULL},
	{2, 6, "--dport 1", NULL},
};

#define SCTP(in, out)                                                                              \
	{                                                                                          \
		2, 132, in, out                                                                    \
	}
static const struct mt_case sctp_cases[] = {
	SCTP("--sport 1", "="),
	SCTP("--sport 65535", "="),
	SCTP("--sport 1:65535", "="),
	SCTP("--sport -1", NULL),
	SCTP("--sport 65536", NULL),
	SCTP("--dport 1", "="),
	SCTP("--dport 1:65535", "="),
	SCTP("--dport 0:65535", "="),
	SCTP("--dport -1", NULL),
	SCTP("--dport 65536", NULL),
	SCTP("--sport 5:", "--sport 5:65535"),
	SCTP("--chunk-types all DATA", "="),
	SCTP("--chunk-types all INIT", "="),
	SCTP("--chunk-types all INIT_ACK", "="),
	SCTP("--chunk-types all SACK", "="),
	SCTP("--chunk-types all HEARTBEAT", "="),
	SCTP("--chunk-types all HEARTBEAT_ACK", "="),
	SCTP("--chunk-types all ABORT", "="),
	SCTP("--chunk-types all SHUTDOWN", "="),
	SCTP("--chunk-types all SHUTDOWN_ACK", "="),
	SCTP("--chunk-types all ERROR", "="),
	SCTP("--chunk-types all COOKIE_ECHO", "="),
	SCTP("--chunk-types all COOKIE_ACK", "="),
	SCTP("--chunk-types all ECN_ECNE", "="),
	SCTP("--chunk-types all ECN_CWR", "="),
	SCTP("--chunk-types all ASCONF", "="),
	SCTP("--chunk-types all ASCONF_ACK", "="),
	SCTP("--chunk-types all FORWARD_TSN", "="),
	SCTP("--chunk-types all SHUTDOWN_COMPLETE", "="),
	SCTP("--chunk-types all I_DATA", "="),
	SCTP("--chunk-types all RE_CONFIG", "="),
	SCTP("--chunk-types all PAD", "="),
	SCTP("--chunk-types all I_FORWARD_TSN", "="),
	SCTP("--chunk-types any INIT,DATA,ABORT", "--chunk-types any DATA,INIT,ABORT"),
	SCTP("! --chunk-types only data:Be,sack", "! --chunk-types only DATA:Be,SACK"),
	SCTP("--chunk-types any ASCONF,I_DATA,PAD", "--chunk-types any I_DATA,PAD,ASCONF"),
	SCTP("--chunk-types any abort:T", "--chunk-types any ABORT:T"),
	SCTP("--chunk-types ALL init", "--chunk-types all INIT"),
	SCTP("--chunk-types all FOO", NULL),
	SCTP("--chunk-types some INIT", NULL),
	SCTP("--chunk-types any INIT:T", NULL),
	{2, 6, "--dport 1", NULL},
};

static void test_sctp_cases(void **state)
{
	MT_CASES(ctg_match_sctp, sctp_cases);
}

static void test_tcp_cases(void **state)
{
	MT_CASES(ctg_match_tcp, tcp_cases);
}

static void test_udp_cases(void **state)
{
	MT_CASES(ctg_match_udp, udp_cases);
}

/* iptables 1.8.9's iptables-restore loads a udp range with min > max; it matches no port. */
static void test_udp_reversed_range_lenient(void **state)
{
	struct ctg_pkt p = {.family = 2, .l4proto = 17, .sport = 40000, .dport = 3};
	struct mt m;
	char *s;

	mt_strict = false;
	s = mt_run_in(&m, &ctg_match_udp, 2, 17, "INPUT", "--dport 4:3");
	mt_strict = true;
	assert_non_null(s);
	assert_string_equal(s, " --dport 4:3");
	assert_int_equal(ctg_diags_errors(m.diags), 0);
	assert_int_equal(ctg_diags_warnings(m.diags), 1);
	assert_int_equal(ctg_match_udp.eval(m.data, &p, NULL), CTG_FALSE);
	p.dport = 4;
	assert_int_equal(ctg_match_udp.eval(m.data, &p, NULL), CTG_FALSE);
	free(s);
	mt_free(&m);
	/* tcp refuses it even in iptables 1.8.9 */
	mt_strict = false;
	assert_null(mt_run_in(&m, &ctg_match_tcp, 2, 6, "INPUT", "--dport 4:3"));
	mt_strict = true;
	mt_free(&m);
}

static enum ctg_tri eval_tcp(const char *opts, const struct ctg_pkt *p)
{
	struct mt m;
	char *s = mt_run_in(&m, &ctg_match_tcp, 2, 6, "INPUT", opts);
	enum ctg_tri r;

	assert_non_null(s);
	free(s);
	r = ctg_match_tcp.eval(m.data, p, NULL);
	mt_free(&m);
	return r;
}

static void test_tcp_eval(void **state)
{
	struct ctg_pkt p = {.family = 2, .l4proto = 6, .sport = 40000, .dport = 22};

	p.tcp_flags = CTG_TH_SYN;
	assert_int_equal(eval_tcp("--dport 22", &p), CTG_TRUE);
	assert_int_equal(eval_tcp("--dport 23", &p), CTG_FALSE);
	assert_int_equal(eval_tcp("! --dport 23", &p), CTG_TRUE);
	assert_int_equal(eval_tcp("--dport 20:30", &p), CTG_TRUE);
	assert_int_equal(eval_tcp("--sport 1024: --dport 22", &p), CTG_TRUE);
	assert_int_equal(eval_tcp("--sport :1023", &p), CTG_FALSE);
	assert_int_equal(eval_tcp("--syn", &p), CTG_TRUE);
	assert_int_equal(eval_tcp("! --syn", &p), CTG_FALSE);
	p.tcp_flags = CTG_TH_SYN | CTG_TH_ACK;
	assert_int_equal(eval_tcp("--syn", &p), CTG_FALSE);
	assert_int_equal(eval_tcp("--tcp-flags ACK ACK", &p), CTG_TRUE);
	assert_int_equal(eval_tcp("--tcp-flags ALL NONE", &p), CTG_FALSE);
	assert_int_equal(eval_tcp("--tcp-option 2", &p), CTG_UNKNOWN);
	assert_int_equal(eval_tcp("", &p), CTG_TRUE);
	p.fragment = true;
	assert_int_equal(eval_tcp("", &p), CTG_FALSE);
	assert_int_equal(eval_tcp("! --dport 23", &p), CTG_FALSE);
}

static void test_udp_eval(void **state)
{
	struct ctg_pkt p = {.family = 2, .l4proto = 17, .sport = 5353, .dport = 53};
	struct mt m;
	char *s = mt_run_in(&m, &ctg_match_udp, 2, 17, "INPUT", "--dport 53 ! --sport 1:1023");

	assert_non_null(s);
	free(s);
	assert_int_equal(ctg_match_udp.eval(m.data, &p, NULL), CTG_TRUE);
	p.sport = 53;
	assert_int_equal(ctg_match_udp.eval(m.data, &p, NULL), CTG_FALSE);
	p.sport = 5353;
	p.l4proto = 6;
	assert_int_equal(ctg_match_udp.eval(m.data, &p, NULL), CTG_FALSE);
	mt_free(&m);
}

static void test_tcp_error_message(void **state)
{
	struct mt m;
	char *s = mt_run_in(&m, &ctg_match_tcp, 2, 6, "INPUT", "--sport 4:3");
	const struct ctg_diag *dg;

	assert_null(s);
	assert_int_equal(ctg_diags_errors(m.diags), 1);
	dg = ctg_diags_get(m.diags, 0);
	assert_non_null(strstr(dg->msg, "min > max"));
	mt_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_cases),	  cmocka_unit_test(test_udp_cases),
		cmocka_unit_test(test_udp_reversed_range_lenient),
		cmocka_unit_test(test_tcp_eval),	  cmocka_unit_test(test_udp_eval),
		cmocka_unit_test(test_tcp_error_message), cmocka_unit_test(test_sctp_cases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
