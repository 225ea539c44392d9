// SPDX-License-Identifier: GPL-2.0-or-later
/* Reload impact: scenario outcomes, classes, memo vs linear (differential), fix. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analysis/fix.h"
#include "analysis/impact.h"
#include "ruleset/ir.h"

static const char replica_rules[] = "*filter\n"
				    ":INPUT DROP [0:0]\n"
				    ":FORWARD DROP [0:0]\n"
				    ":OUTPUT ACCEPT [0:0]\n"
				    "-A INPUT -i lo -j ACCEPT\n"
				    "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
				    "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
				    "COMMIT\n";

static struct ctg_ruleset *parse(const char *text)
{
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs = ctg_ruleset_parse(text, strlen(text), "t.v4", CTG_FAMILY_IPV4, d);

	assert_non_null(rs);
	assert_int_equal(ctg_diags_errors(d), 0);
	ctg_diags_free(d);
	return rs;
}

static void addr4(struct ctg_addr *a, const char *s)
{
	assert_int_equal(ctg_addr_parse(2, s, a), 0);
}

/* An established, assured TCP/UDP entry opened by src. */
static void mk_entry(struct ctg_ct_entry *e, uint8_t proto, const char *src, uint16_t sport,
		     const char *dst, uint16_t dport)
{
	memset(e, 0, sizeof(*e));
	e->family = 2;
	e->l4proto = proto;
	e->tcp_state = proto == 6 ? CTG_TCP_ESTABLISHED : 0;
	e->status = CTG_IPS_CONFIRMED | CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED;
	e->timeout = 431999;
	addr4(&e->orig.src, src);
	addr4(&e->orig.dst, dst);
	e->orig.sport = sport;
	e->orig.dport = dport;
	e->reply.src = e->orig.dst;
	e->reply.dst = e->orig.src;
	e->reply.sport = dport;
	e->reply.dport = sport;
}

/* Connection row for entry e; the local side is the opener when client. */
static void mk_conn(struct ctg_impact_conn *c, const struct ctg_ct_entry *e, uint8_t role)
{
	memset(c, 0, sizeof(*c));
	c->family = 2;
	c->l4proto = e->l4proto;
	c->role = role;
	c->ct = e;
	if (role == CTG_IMPACT_SERVER) {
		c->ct_dir_reply = true;
		c->laddr = e->orig.dst;
		c->lport = e->orig.dport;
		c->paddr = e->orig.src;
		c->pport = e->orig.sport;
	} else {
		c->laddr = e->orig.src;
		c->lport = e->orig.sport;
		c->paddr = e->orig.dst;
		c->pport = e->orig.dport;
	}
}

static void mk_input(struct ctg_impact_input *in, struct ctg_ruleset *cur, struct ctg_ruleset *cand,
		     const struct ctg_impact_conn *c, size_t n)
{
	memset(in, 0, sizeof(*in));
	in->cur4 = cur;
	in->cand4 = cand;
	in->conns = c;
	in->nconns = n;
	in->tcp_loose = -1;
	in->tcp_be_liberal = -1;
	in->port_lo = 32768;
	in->port_hi = 60999;
	in->methods = 7;
}

static void test_replica_at_risk(void **state)
{
	struct ctg_ruleset *rs = parse(replica_rules);
	struct ctg_ct_entry e;
	struct ctg_impact_conn c;
	struct ctg_impact_input in;
	struct ctg_impact r;
	const struct ctg_impact_verdict *v;

	mk_entry(&e, 6, "10.200.61.2", 45678, "10.200.61.1", 3306);
	mk_conn(&c, &e, CTG_IMPACT_CLIENT);
	for (int memo = 0; memo < 2; memo++) {
		mk_input(&in, rs, rs, &c, 1);
		in.no_memo = !memo;
		assert_int_equal(ctg_impact_run(&in, &r), 0);
		assert_int_equal(ctg_impact_get(&r, 0, CTG_IMPACT_ATOMIC)->outcome, CTG_OUT_SAFE);
		v = ctg_impact_get(&r, 0, CTG_IMPACT_RESTART);
		assert_int_equal(v->outcome, CTG_OUT_AT_RISK);
		assert_int_equal(v->fails, CTG_IMPACT_PEER_FIRST);
		assert_true(v->has_stop);
		assert_true(v->stop_from_peer);
		assert_int_equal(v->stop.rule, 0); /* the policy */
		assert_string_equal(v->stop.chain_name, "INPUT");
		assert_true(ctg_impact_is_idle_replica(&c, v));
		assert_int_equal(ctg_impact_get(&r, 0, CTG_IMPACT_FLUSH)->outcome, CTG_OUT_AT_RISK);
		ctg_impact_release(&r);
	}
	ctg_ruleset_free(rs);
}

static void test_explicit_drop_cut(void **state)
{
	struct ctg_ruleset *rs = parse("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n"
				       ":OUTPUT ACCEPT [0:0]\n"
				       "-A INPUT -s 10.200.62.9/32 -j DROP\n"
				       "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
				       "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n");
	struct ctg_ruleset *cur = parse(replica_rules);
	struct ctg_ct_entry e[2];
	struct ctg_impact_conn c[2];
	struct ctg_impact_input in;
	struct ctg_impact r;
	const struct ctg_impact_verdict *v;

	mk_entry(&e[0], 6, "10.200.62.9", 50000, "10.200.62.1", 22);
	mk_entry(&e[1], 6, "10.200.62.8", 50000, "10.200.62.1", 22);
	mk_conn(&c[0], &e[0], CTG_IMPACT_SERVER);
	mk_conn(&c[1], &e[1], CTG_IMPACT_SERVER);
	mk_input(&in, cur, rs, c, 2);
	assert_int_equal(ctg_impact_run(&in, &r), 0);
	v = ctg_impact_get(&r, 0, CTG_IMPACT_ATOMIC);
	assert_int_equal(v->outcome, CTG_OUT_CUT);
	assert_int_equal(v->stop.rule, 1);
	assert_int_equal(v->stop.line, 5);
	assert_int_equal(ctg_impact_get(&r, 0, CTG_IMPACT_FLUSH)->outcome, CTG_OUT_SAFE);
	/* ssh is open to everyone else: the server connection survives even a wipe */
	assert_int_equal(ctg_impact_get(&r, 1, CTG_IMPACT_RESTART)->outcome, CTG_OUT_SAFE);
	assert_int_equal(r.count[CTG_IMPACT_ATOMIC][CTG_OUT_CUT], 1);
	ctg_impact_release(&r);
	ctg_ruleset_free(rs);
	ctg_ruleset_free(cur);
}

static void test_nat_lost(void **state)
{
	struct ctg_ruleset *rs =
		parse("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		      ":OUTPUT ACCEPT [0:0]\n"
		      "-A FORWARD -m state --state ESTABLISHED -j ACCEPT\nCOMMIT\n");
	struct ctg_ct_entry e;
	struct ctg_impact_conn c;
	struct ctg_impact_input in;
	struct ctg_impact r;

	mk_entry(&e, 6, "10.200.63.5", 40000, "10.200.64.9", 443);
	addr4(&e.reply.dst, "10.200.64.1"); /* masqueraded */
	e.status |= CTG_IPS_SRC_NAT | CTG_IPS_SRC_NAT_DONE;
	mk_conn(&c, &e, CTG_IMPACT_FORWARD);
	mk_input(&in, rs, rs, &c, 1);
	assert_int_equal(ctg_impact_run(&in, &r), 0);
	assert_int_equal(ctg_impact_get(&r, 0, CTG_IMPACT_ATOMIC)->outcome, CTG_OUT_SAFE);
	assert_int_equal(ctg_impact_get(&r, 0, CTG_IMPACT_RESTART)->outcome, CTG_OUT_NAT_LOST);
	ctg_impact_release(&r);
	ctg_ruleset_free(rs);
}

static void test_classes(void **state)
{
	struct ctg_ruleset *rs = parse("*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n"
				       ":OUTPUT ACCEPT [0:0]\n"
				       "-A INPUT -s 10.1.2.0/24 -p tcp -m tcp --dport 1000:2000 "
				       "-j ACCEPT\n"
				       "-A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT\n"
				       "COMMIT\n");
	const struct ctg_ruleset *v[1] = {rs};
	struct ctg_impact_classes *c = ctg_impact_classes_new(v, 1, NULL, 0);
	struct ctg_addr a, b, ca, cb;

	assert_non_null(c);
	addr4(&a, "10.1.2.3");
	addr4(&b, "10.1.2.250");
	ctg_impact_class_addr(c, 2, &a, &ca);
	ctg_impact_class_addr(c, 2, &b, &cb);
	assert_memory_equal(&ca, &cb, sizeof(ca));
	addr4(&b, "10.1.3.0");
	ctg_impact_class_addr(c, 2, &b, &cb);
	assert_memory_not_equal(&ca, &cb, sizeof(ca));
	assert_int_equal(ctg_impact_class_port(c, 1001), ctg_impact_class_port(c, 1500));
	assert_int_not_equal(ctg_impact_class_port(c, 999), ctg_impact_class_port(c, 1000));
	assert_int_not_equal(ctg_impact_class_port(c, 2000), ctg_impact_class_port(c, 2001));
	assert_int_not_equal(ctg_impact_class_port(c, 80), ctg_impact_class_port(c, 81));
	assert_int_equal(ctg_impact_class_port(c, 40000), ctg_impact_class_port(c, 50000));
	ctg_impact_classes_free(c);
	ctg_ruleset_free(rs);
}

static const char diff_rules[] =
	"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
	":NETS - [0:0]\n:SVC - [0:0]\n"
	"-A INPUT -i lo -j ACCEPT\n"
	"-A INPUT -s 10.9.0.0/16 -j NETS\n"
	"-A INPUT -m conntrack --ctstate ESTABLISHED -p tcp -m tcp --sport 3306 -j ACCEPT\n"
	"-A INPUT -j SVC\n"
	"-A NETS -s 10.9.1.0/24 -p tcp -m tcp --dport 22 -j ACCEPT\n"
	"-A NETS -s 10.9.2.0/25 -j DROP\n"
	"-A NETS -m iprange --src-range 10.9.3.10-10.9.3.20 -j REJECT\n"
	"-A NETS -p udp -m udp --sport 53 -j RETURN\n"
	"-A SVC -p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT\n"
	"-A SVC -m state --state ESTABLISHED -p udp -j ACCEPT\n"
	"-A OUTPUT -p tcp -m tcp --sport 1024:65535 -j ACCEPT\n"
	"-A OUTPUT -m state --state ESTABLISHED -j ACCEPT\n"
	"-A OUTPUT -d 10.9.2.0/24 -p udp -j ACCEPT\n"
	"COMMIT\n";

/* Random connections: memoised and plain linear evaluation agree on every verdict. */
static void test_memo_equals_linear(void **state)
{
	enum { N = 3000 };
	struct ctg_ruleset *rs = parse(diff_rules), *cur = parse(replica_rules);
	struct ctg_ct_entry *e = calloc(N, sizeof(*e));
	struct ctg_impact_conn *c = calloc(N, sizeof(*c));
	static const uint16_t ports[] = {22, 53, 80, 443, 3306, 8000, 8050, 8100, 8101, 9999};
	struct ctg_impact_input in;
	struct ctg_impact rm, rl;
	char peer[32];

	srand(42);
	for (int i = 0; i < N; i++) {
		uint8_t role = rand() % 3 ? (rand() % 2 ? CTG_IMPACT_SERVER : CTG_IMPACT_CLIENT)
					  : CTG_IMPACT_CLIENT;
		uint8_t proto = rand() % 4 ? 6 : 17;
		uint16_t svc = ports[rand() % 10], eph = 32768 + rand() % 28000;

		snprintf(peer, sizeof(peer), "10.9.%d.%d", rand() % 5, rand() % 256);
		if (role == CTG_IMPACT_SERVER)
			mk_entry(&e[i], proto, peer, eph, "10.9.200.1", svc);
		else
			mk_entry(&e[i], proto, "10.9.200.1", eph, peer, svc);
		if (rand() % 7 == 0)
			e[i].status &= ~(CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED);
		if (rand() % 11 == 0 && role != CTG_IMPACT_SERVER) { /* DNAT to another host */
			e[i].reply.src.b[2] = 4;
			e[i].status |= CTG_IPS_DST_NAT | CTG_IPS_DST_NAT_DONE;
		}
		mk_conn(&c[i], &e[i], role);
	}
	mk_input(&in, cur, rs, c, N);
	assert_int_equal(ctg_impact_run(&in, &rm), 0);
	in.no_memo = true;
	assert_int_equal(ctg_impact_run(&in, &rl), 0);
	assert_true(rm.evaluated < N / 2); /* the memo did share results */
	assert_int_equal(rl.evaluated, N);
	for (int i = 0; i < N; i++)
		for (int m = 0; m < CTG_IMPACT_NMETHODS; m++) {
			const struct ctg_impact_verdict *a = ctg_impact_get(&rm, i, m);
			const struct ctg_impact_verdict *b = ctg_impact_get(&rl, i, m);

			assert_int_equal(a->outcome, b->outcome);
			assert_int_equal(a->fails, b->fails);
			assert_int_equal(a->stop.rule, b->stop.rule);
			assert_int_equal(a->stop.chain, b->stop.chain);
		}
	/* and the ruleset does cut or endanger some of them */
	assert_true(rm.count[CTG_IMPACT_RESTART][CTG_OUT_SAFE] < N);
	assert_true(rm.count[CTG_IMPACT_RESTART][CTG_OUT_SAFE] > 0);
	ctg_impact_release(&rm);
	ctg_impact_release(&rl);
	free(e);
	free(c);
	ctg_ruleset_free(rs);
	ctg_ruleset_free(cur);
}

static void test_fix_replica(void **state)
{
	struct ctg_ruleset *rs = parse(replica_rules);
	struct ctg_ct_entry e[3];
	struct ctg_impact_conn c[3];
	struct ctg_impact_input in;
	struct ctg_impact r, after;
	struct ctg_fix fx;
	char *text;

	mk_entry(&e[0], 6, "10.200.61.2", 45678, "10.200.61.1", 3306);
	mk_entry(&e[1], 6, "10.200.61.2", 45679, "10.200.61.1", 3306);
	mk_entry(&e[2], 6, "10.200.61.9", 50000, "10.200.61.2", 22);
	for (int i = 0; i < 3; i++)
		mk_conn(&c[i], &e[i], i < 2 ? CTG_IMPACT_CLIENT : CTG_IMPACT_SERVER);
	mk_input(&in, rs, rs, c, 3);
	in.methods = 1u << CTG_IMPACT_RESTART;
	assert_int_equal(ctg_impact_run(&in, &r), 0);
	assert_int_equal(r.count[CTG_IMPACT_RESTART][CTG_OUT_AT_RISK], 2);
	assert_int_equal(ctg_fix_build(&in, &r, &fx), 0);
	assert_int_equal(fx.n, 1); /* both replica connections share one rule */
	assert_int_equal(fx.v[0].nconns, 2);
	assert_int_equal(ctg_fix_verify(&in, &r, &fx, &after), 0);
	assert_true(fx.verified);
	assert_int_equal(after.count[CTG_IMPACT_RESTART][CTG_OUT_SAFE], 3);
	text = ctg_fix_restore_text(&fx, 2);
	assert_non_null(text);
	assert_non_null(strstr(text, "-A INPUT -s 10.200.61.1/32 -d 10.200.61.2/32 -p tcp -m tcp "
				     "--sport 3306 --dport 32768:60999 ! --tcp-flags "
				     "FIN,SYN,RST,ACK SYN -j ACCEPT"));
	free(text);
	ctg_fix_release(&fx);
	ctg_impact_release(&after);
	ctg_impact_release(&r);
	ctg_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replica_at_risk),	   cmocka_unit_test(test_explicit_drop_cut),
		cmocka_unit_test(test_nat_lost),	   cmocka_unit_test(test_classes),
		cmocka_unit_test(test_memo_equals_linear), cmocka_unit_test(test_fix_replica),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
