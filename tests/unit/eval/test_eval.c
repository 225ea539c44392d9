// SPDX-License-Identifier: GPL-2.0-or-later
/* Evaluator: policies, jump/goto/return, three-valued forks, nat skip, flows, targets. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eval/eval.h"

#define HDR "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"

static struct ctg_ruleset *parse(const char *text)
{
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs =
		ctg_ruleset_parse(text, strlen(text), "t.rules", CTG_FAMILY_IPV4, d);

	assert_non_null(rs);
	assert_int_equal(ctg_diags_errors(d), 0);
	ctg_diags_free(d);
	return rs;
}

static struct ctg_pkt pkt(const char *src, uint16_t sport, const char *dst, uint16_t dport,
			  uint8_t flags)
{
	struct ctg_pkt p;

	memset(&p, 0, sizeof(p));
	p.family = 2;
	p.l4proto = 6;
	p.tcp_flags = flags;
	p.sport = sport;
	p.dport = dport;
	p.iif = "eth0";
	p.ttl = 64;
	p.len = 60;
	assert_int_equal(ctg_addr_parse(2, src, &p.src), 0);
	assert_int_equal(ctg_addr_parse(2, dst, &p.dst), 0);
	return p;
}

static struct ctg_pkt in_pkt(uint8_t ctstate)
{
	struct ctg_pkt p = pkt("10.98.0.2", 3306, "10.98.0.1", 40000, CTG_TH_ACK);

	p.ctstate = ctstate;
	return p;
}

static struct ctg_eval_env env(void)
{
	struct ctg_eval_env e;

	ctg_eval_env_init(&e);
	return e;
}

/* ctg_eval_packet, which must succeed; returns the verdict. */
static enum ctg_verdict eval(const struct ctg_ruleset *rs, enum ctg_eval_path path,
			     const struct ctg_pkt *p, const struct ctg_eval_env *e,
			     struct ctg_trace *t, struct ctg_eval_result *r)
{
	assert_int_equal(ctg_eval_packet(rs, path, p, e, t, r), 0);
	return r->verdict;
}

/* ctg_eval_flow_packet, which must succeed. */
static void flow(const struct ctg_ruleset *rs, struct ctg_ct_view *v, const struct ctg_eval_env *e,
		 enum ctg_eval_path path, const struct ctg_pkt *p, bool commit,
		 struct ctg_flow_result *f)
{
	assert_int_equal(ctg_eval_flow_packet(rs, v, e, path, p, commit, NULL, f), 0);
}

static void test_policy(void **st)
{
	struct ctg_ruleset *rs = parse(HDR "COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_NEW);
	struct ctg_eval_result r;

	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r), CTG_V_DROP);
	assert_true(r.certain);
	assert_true(r.has_stop);
	assert_int_equal(r.stop.rule, 0);
	assert_string_equal(r.stop.chain_name, "INPUT");
	/* The same packet leaving is accepted by the OUTPUT policy. */
	assert_int_equal(eval(rs, CTG_PATH_LOCAL_OUT, &p, &e, NULL, &r), CTG_V_ACCEPT);
	assert_int_equal(r.possible, CTG_VB_ACCEPT);
	ctg_ruleset_free(rs);
}

/* E15: -j A, A: -g B, B: RETURN resumes after the -j A; the rest of A is skipped. */
static void test_jump_goto_return(void **st)
{
	struct ctg_ruleset *rs = parse(HDR ":A - [0:0]\n:B - [0:0]\n"
					   "-A INPUT -p tcp -j A\n"
					   "-A INPUT -p tcp -j ACCEPT\n"
					   "-A A -g B\n"
					   "-A A -j DROP\n"
					   "-A B -j RETURN\n"
					   "COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_NEW);
	struct ctg_trace t;
	struct ctg_eval_result r;
	static const struct {
		const char *chain;
		uint32_t rule;
		enum ctg_verdict v;
	} want[] = {
		{"INPUT", 1, CTG_V_JUMP},
		{"A", 1, CTG_V_GOTO},
		{"B", 1, CTG_V_RETURN},
		{"INPUT", 2, CTG_V_ACCEPT},
	};

	ctg_trace_init(&t);
	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, &t, &r), CTG_V_ACCEPT);
	assert_true(r.certain);
	assert_int_equal(t.n, 4);
	for (size_t i = 0; i < 4; i++) {
		assert_string_equal(t.v[i].chain_name, want[i].chain);
		assert_int_equal(t.v[i].rule, want[i].rule);
		assert_int_equal(t.v[i].action, want[i].v);
		assert_int_equal(t.v[i].table, CTG_TABLE_FILTER);
	}
	assert_int_equal(t.v[3].line, 8);
	ctg_trace_release(&t);
	ctg_ruleset_free(rs);
}

static void test_goto_from_base_returns_to_policy(void **st)
{
	struct ctg_ruleset *rs = parse(HDR ":B - [0:0]\n"
					   "-A INPUT -g B\n"
					   "-A INPUT -j ACCEPT\n"
					   "-A B -p udp -j ACCEPT\n"
					   "COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_NEW);
	struct ctg_eval_result r;
	struct ctg_trace t;

	ctg_trace_init(&t);
	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, &t, &r), CTG_V_DROP);
	assert_int_equal(r.stop.rule, 0);
	assert_int_equal(t.v[t.n - 1].kind, CTG_STEP_POLICY);
	assert_int_equal(t.v[t.n - 2].kind, CTG_STEP_RETURN);
	p.l4proto = 17;
	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r), CTG_V_ACCEPT);
	ctg_trace_release(&t);
	ctg_ruleset_free(rs);
}

static void test_implicit_return_and_state(void **st)
{
	struct ctg_ruleset *rs =
		parse(HDR ":A - [0:0]\n"
			  "-A INPUT -j A\n"
			  "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
			  "-A A -p udp -j DROP\n"
			  "COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_ESTABLISHED);
	struct ctg_eval_result r;

	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r), CTG_V_ACCEPT);
	p.ctstate = CTG_CTS_NEW;
	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r), CTG_V_DROP);
	assert_int_equal(r.rules_visited, 3);
	ctg_ruleset_free(rs);
}

static void test_unknown_forks(void **st)
{
	struct ctg_ruleset *rs = parse(HDR "-A INPUT -m nosuch --foo 1 -j ACCEPT\nCOMMIT\n");
	struct ctg_ruleset *rs2 = parse("*filter\n:INPUT ACCEPT [0:0]\n"
					"-A INPUT -m nosuch --foo 1 -j ACCEPT\nCOMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_NEW);
	struct ctg_eval_result r;
	struct ctg_trace t;

	ctg_trace_init(&t);
	eval(rs, CTG_PATH_LOCAL_IN, &p, &e, &t, &r);
	assert_int_equal(r.possible, CTG_VB_ACCEPT | CTG_VB_DROP);
	assert_false(r.certain);
	assert_int_equal(r.verdict, CTG_V_ACCEPT); /* branch 0 takes the rule */
	assert_int_equal(r.branches, 2);
	assert_true(r.has_stop);
	assert_int_equal(r.stop.rule, 0);
	assert_int_equal(t.v[0].match, CTG_UNKNOWN);
	/* Both branches accept: certain. */
	eval(rs2, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r);
	assert_int_equal(r.possible, CTG_VB_ACCEPT);
	assert_true(r.certain);
	/* Branch cap. */
	e.max_branches = 1;
	eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r);
	assert_true(r.truncated);
	assert_false(r.certain);
	ctg_trace_release(&t);
	ctg_ruleset_free(rs);
	ctg_ruleset_free(rs2);
}

/* Raw runs before conntrack: the state match there sees no entry (INVALID). */
static void test_raw_sees_invalid(void **st)
{
	struct ctg_ruleset *rs =
		parse("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		      "-A PREROUTING -m state --state ESTABLISHED -j DROP\n"
		      "COMMIT\n" HDR "-A INPUT -m state --state ESTABLISHED -j ACCEPT\n"
		      "COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_ESTABLISHED);
	struct ctg_eval_result r;

	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r), CTG_V_ACCEPT);
	assert_true(r.certain);
	ctg_ruleset_free(rs);
}

static void test_nat_only_new(void **st)
{
	struct ctg_ruleset *rs = parse("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
				       ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
				       "-A PREROUTING -p tcp -j DROP\nCOMMIT\n"
				       "*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_ESTABLISHED);
	struct ctg_eval_result r;
	struct ctg_trace t;

	ctg_trace_init(&t);
	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, &t, &r), CTG_V_ACCEPT);
	assert_int_equal(t.v[0].kind, CTG_STEP_NAT_SKIP);
	p.ctstate = CTG_CTS_NEW;
	assert_int_equal(eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r), CTG_V_DROP);
	assert_int_equal(r.stop.table, CTG_TABLE_NAT);
	ctg_trace_release(&t);
	ctg_ruleset_free(rs);
}

/* The replica story: wipe, peer first (dropped, no entry), local first, peer again. */
static void test_flow_replica(void **st)
{
	struct ctg_ruleset *rs =
		parse(HDR "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
			  "COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct ctg_pkt peer = pkt("10.98.0.2", 3306, "10.98.0.1", 40000, CTG_TH_PSH | CTG_TH_ACK);
	struct ctg_pkt local = pkt("10.98.0.1", 40000, "10.98.0.2", 3306, CTG_TH_PSH | CTG_TH_ACK);
	struct ctg_flow_result f;

	local.iif = NULL;
	local.oif = "eth0";
	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &peer, true, &f);
	assert_int_equal(f.ct.ctstate, CTG_CTS_NEW);
	assert_int_equal(f.eval.verdict, CTG_V_DROP);
	assert_true(f.eval.certain);
	assert_false(f.confirmed);
	assert_int_equal(ctg_ct_view_count(v), 0);
	flow(rs, v, &e, CTG_PATH_LOCAL_OUT, &local, true, &f);
	assert_int_equal(f.ct.ctstate, CTG_CTS_NEW);
	assert_int_equal(f.eval.verdict, CTG_V_ACCEPT);
	assert_true(f.confirmed);
	assert_int_equal(ctg_ct_view_count(v), 1);
	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &peer, true, &f);
	assert_int_equal(f.ct.ctstate, CTG_CTS_ESTABLISHED);
	assert_int_equal(f.eval.verdict, CTG_V_ACCEPT);
	/* tcp_loose=0: the local segment is INVALID, creates nothing. */
	ctg_ct_view_flush(v);
	e.sysctls.tcp_loose = false;
	flow(rs, v, &e, CTG_PATH_LOCAL_OUT, &local, true, &f);
	assert_int_equal(f.ct.ctstate, CTG_CTS_INVALID);
	assert_int_equal(f.eval.verdict, CTG_V_ACCEPT);
	assert_int_equal(ctg_ct_view_count(v), 0);
	ctg_ct_view_free(v);
	ctg_ruleset_free(rs);
}

/* Fake targets: NOTRACK (raw) and MARK --set-mark 5. */
static enum ctg_verdict mark_apply(const void *data, struct ctg_pkt *p)
{
	p->mark = 5;
	p->mark_known = true;
	return CTG_V_CONTINUE;
}

static const struct ctg_target_ops fake_notrack = {
	.name = "NOTRACK", .notrack = true, .verdict = CTG_V_CONTINUE};
static const struct ctg_target_ops fake_mark = {.name = "MARK", .apply = mark_apply};

static void set_target(struct ctg_ruleset *rs, int table, const struct ctg_target_ops *ops)
{
	struct ctg_rule *r = &rs->tables[table].chains[0].rules[0];

	r->target.ops = ops;
	r->target.verdict = ops->verdict;
	r->has_unknown = false;
}

static void test_notrack_and_mark(void **st)
{
	struct ctg_ruleset *rs =
		parse("*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		      "-A PREROUTING -p udp -j ACCEPT\nCOMMIT\n"
		      "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		      ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		      ":POSTROUTING ACCEPT [0:0]\n-A PREROUTING -j ACCEPT\nCOMMIT\n" HDR
		      "-A INPUT -m state --state UNTRACKED -j ACCEPT\nCOMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct ctg_pkt p = pkt("10.98.0.2", 53, "10.98.0.1", 5353, 0);
	struct ctg_flow_result f;

	set_target(rs, CTG_TABLE_RAW, &fake_notrack);
	set_target(rs, CTG_TABLE_MANGLE, &fake_mark);
	p.l4proto = 17;
	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &p, true, &f);
	assert_int_equal(f.ct.ctstate, CTG_CTS_UNTRACKED);
	assert_int_equal(f.eval.verdict, CTG_V_ACCEPT);
	assert_int_equal(f.eval.mark, 5);
	assert_int_equal(ctg_ct_view_count(v), 0);
	/* TCP is tracked: NEW, dropped by the policy, no entry. */
	p.l4proto = 6;
	p.tcp_flags = CTG_TH_SYN;
	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &p, true, &f);
	assert_int_equal(f.ct.ctstate, CTG_CTS_NEW);
	assert_int_equal(f.eval.verdict, CTG_V_DROP);
	assert_int_equal(ctg_ct_view_count(v), 0);
	ctg_ct_view_free(v);
	ctg_ruleset_free(rs);
}

static void test_names(void **st)
{
	char buf[64];

	assert_string_equal(ctg_verdict_bits_format(CTG_VB_ACCEPT | CTG_VB_DROP, buf, sizeof(buf)),
			    "ACCEPT|DROP");
	assert_string_equal(ctg_ctstate_format(CTG_CTS_NEW | CTG_CTS_DNAT, buf, sizeof(buf)),
			    "NEW,DNAT");
	assert_int_equal(ctg_ctstate_parse("established"), CTG_CTS_ESTABLISHED);
	assert_int_equal(ctg_ctstate_parse("bogus"), -1);
	assert_int_equal(ctg_eval_path_parse("forward"), CTG_PATH_FORWARD);
}

#define NAT_HDR                                                                                    \
	"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"              \
	":POSTROUTING ACCEPT [0:0]\n"

/* DNAT/REDIRECT in nat PREROUTING/OUTPUT: filter sees the translated destination. */
static void test_dnat_rewrites_for_filter(void **st)
{
	struct ctg_ruleset *rs = parse(
		NAT_HDR "-A PREROUTING -d 10.98.0.1/32 -p tcp -j DNAT --to-destination "
			"10.98.0.9:443\n"
			"-A OUTPUT -d 10.98.7.7/32 -p tcp -j REDIRECT --to-ports 22\n"
			"COMMIT\n" HDR "-A INPUT -d 10.98.0.9/32 -p tcp --dport 443 -j ACCEPT\n"
			"-A OUTPUT -d 127.0.0.1/32 -p tcp --dport 22 -j DROP\n"
			"COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = pkt("10.98.0.2", 40000, "10.98.0.1", 80, CTG_TH_SYN);
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);
	struct ctg_flow_result f;
	bool reply;

	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &p, true, &f);
	assert_int_equal(f.eval.verdict, CTG_V_ACCEPT);
	assert_true(f.eval.certain);
	assert_true(f.eval.nat);
	assert_int_equal(f.eval.nat_pkt.dport, 443);
	/* The committed entry carries the binding: the reply comes from 10.98.0.9:443. */
	{
		struct ctg_pkt r =
			pkt("10.98.0.9", 443, "10.98.0.2", 40000, CTG_TH_SYN | CTG_TH_ACK);
		struct ctg_tuple t;
		const struct ctg_ct_entry *ce;

		ctg_ct_pkt_tuple(&r, &t);
		ce = ctg_ct_view_lookup(v, 2, 6, &t, &reply);
		assert_non_null(ce);
		assert_true(reply);
		assert_true(ce->status & CTG_IPS_DST_NAT);
	}
	/* Port not covered by the DNAT rule: not translated, INPUT policy drops. */
	p.dport = 81;
	p.dst.b[3] = 3;
	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &p, false, &f);
	assert_int_equal(f.eval.verdict, CTG_V_DROP);
	assert_false(f.eval.nat);
	/* REDIRECT in OUTPUT goes to 127.0.0.1. */
	p = pkt("10.98.0.1", 40001, "10.98.7.7", 80, CTG_TH_SYN);
	p.iif = NULL;
	p.oif = "eth0";
	flow(rs, v, &e, CTG_PATH_LOCAL_OUT, &p, false, &f);
	assert_int_equal(f.eval.verdict, CTG_V_DROP);
	assert_int_equal(f.eval.nat_pkt.dport, 22);
	ctg_ct_view_free(v);
	ctg_ruleset_free(rs);
}

/* REDIRECT in PREROUTING: the incoming interface's address when known, else -d forks. */
static void test_redirect_prerouting(void **st)
{
	struct ctg_ruleset *rs = parse(
		NAT_HDR "-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080\n"
			"COMMIT\n" HDR "-A INPUT -d 10.98.0.5/32 -p tcp --dport 8080 -j ACCEPT\n"
			"COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_iface_addr ia = {.ifname = "eth0", .family = 2};
	struct ctg_pkt p = pkt("10.98.0.2", 40000, "10.98.9.9", 80, CTG_TH_SYN);
	struct ctg_flow_result f;

	flow(rs, NULL, &e, CTG_PATH_LOCAL_IN, &p, false, &f);
	assert_false(f.eval.certain);
	assert_int_equal(f.eval.possible, CTG_VB_ACCEPT | CTG_VB_DROP);
	assert_int_equal(ctg_addr_parse(2, "10.98.0.5", &ia.addr), 0);
	e.ifaddr = &ia;
	e.nifaddr = 1;
	flow(rs, NULL, &e, CTG_PATH_LOCAL_IN, &p, false, &f);
	assert_true(f.eval.certain);
	assert_int_equal(f.eval.verdict, CTG_V_ACCEPT);
	ctg_ruleset_free(rs);
}

/* An entry with a DNAT binding: its packets are translated without the nat chains. */
static void test_binding_of_existing_entry(void **st)
{
	struct ctg_ruleset *rs = parse(HDR "-A INPUT -d 10.98.0.9/32 -p tcp --dport 443 -j ACCEPT\n"
					   "-A OUTPUT -s 10.98.0.1/32 -p tcp --sport 80 -j DROP\n"
					   "COMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_ct_table t;
	struct ctg_ct_entry *ce;
	struct ctg_ct_view *v;
	struct ctg_pkt p = pkt("10.98.0.2", 40000, "10.98.0.1", 80, CTG_TH_ACK);
	struct ctg_pkt back = pkt("10.98.0.9", 443, "10.98.0.2", 40000, CTG_TH_ACK);
	struct ctg_flow_result f;

	e.ct_active = 1;
	ctg_ct_table_init(&t);
	ce = ctg_ct_table_push(&t);
	ce->family = 2;
	ce->l4proto = 6;
	ce->tcp_state = CTG_TCP_ESTABLISHED;
	ce->status = CTG_IPS_CONFIRMED | CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED | CTG_IPS_DST_NAT;
	ctg_ct_pkt_tuple(&p, &ce->orig);
	ctg_ct_pkt_tuple(&back, &ce->reply);
	v = ctg_ct_view_new(&t);
	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &p, false, &f);
	assert_int_equal(f.ct.ctstate & CTG_CTS_ESTABLISHED, CTG_CTS_ESTABLISHED);
	assert_true(f.eval.nat);
	assert_int_equal(f.eval.verdict, CTG_V_ACCEPT);
	/* Without the binding the same packet meets the DROP policy. */
	ce->status &= ~(uint32_t)CTG_IPS_DST_NAT;
	ctg_ct_view_reset(v);
	flow(rs, v, &e, CTG_PATH_LOCAL_IN, &p, false, &f);
	assert_int_equal(f.eval.verdict, CTG_V_DROP);
	ctg_ct_view_free(v);
	ctg_ct_table_release(&t);
	ctg_ruleset_free(rs);
}

/* ip_forward decrements the TTL before FORWARD; TTL 1 never reaches it. */
static void test_forward_ttl(void **st)
{
	struct ctg_ruleset *rs =
		parse("*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		      ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"
		      "-A PREROUTING -m ttl --ttl-eq 64 -j MARK --set-mark 1\n"
		      "-A POSTROUTING -m ttl --ttl-eq 63 -j MARK --set-mark 2\nCOMMIT\n"
		      "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		      "-A FORWARD -m mark --mark 1 -m ttl --ttl-eq 63 -j ACCEPT\nCOMMIT\n");
	struct ctg_eval_env e = env();
	struct ctg_pkt p = in_pkt(CTG_CTS_NEW);
	struct ctg_eval_result r;

	p.oif = "eth1";
	p.mark_known = true;
	assert_int_equal(eval(rs, CTG_PATH_FORWARD, &p, &e, NULL, &r), CTG_V_ACCEPT);
	assert_int_equal(r.mark, 2);
	p.ttl = 1;
	assert_int_equal(eval(rs, CTG_PATH_FORWARD, &p, &e, NULL, &r), CTG_V_DROP);
	assert_true(r.certain);
	assert_false(r.has_stop);
	/* Local input: no decrement. */
	p.ttl = 64;
	eval(rs, CTG_PATH_LOCAL_IN, &p, &e, NULL, &r);
	assert_int_equal(r.mark, 1);
	ctg_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_jump_goto_return),
		cmocka_unit_test(test_goto_from_base_returns_to_policy),
		cmocka_unit_test(test_implicit_return_and_state),
		cmocka_unit_test(test_unknown_forks),
		cmocka_unit_test(test_raw_sees_invalid),
		cmocka_unit_test(test_nat_only_new),
		cmocka_unit_test(test_flow_replica),
		cmocka_unit_test(test_notrack_and_mark),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_dnat_rewrites_for_filter),
		cmocka_unit_test(test_redirect_prerouting),
		cmocka_unit_test(test_binding_of_existing_entry),
		cmocka_unit_test(test_forward_ttl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
