// SPDX-License-Identifier: GPL-2.0-or-later
/* The parser and emitter: negation, addresses, -I positions, counters, error recovery. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

#include "ruleset/ir.h"

static struct ctg_diags *d;

static struct ctg_ruleset *parse(enum ctg_family f, const char *text)
{
	ctg_diags_free(d);
	d = ctg_diags_new();
	return ctg_ruleset_parse(text, strlen(text), "t", f, d);
}

#define HDR "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"

/* Emits the single rule of INPUT in filter, without "-A INPUT" and the newline. */
static char *one_rule(enum ctg_family f, const char *rule)
{
	char text[1024], *out, *line;
	struct ctg_ruleset *rs;

	snprintf(text, sizeof(text), HDR "-A INPUT %s\nCOMMIT\n", rule);
	rs = parse(f, text);
	assert_non_null(rs);
	if (ctg_diags_errors(d)) {
		ctg_ruleset_free(rs);
		return NULL;
	}
	out = ctg_ruleset_emit(rs, 0);
	line = strstr(out, "-A INPUT");
	assert_non_null(line);
	line = strdup(line + 9);
	*strchr(line, '\n') = '\0';
	free(out);
	ctg_ruleset_free(rs);
	return line;
}

#define EXPECT(f, in, want)                                                                        \
	do {                                                                                       \
		char *got = one_rule(f, in);                                                       \
		assert_non_null(got);                                                              \
		assert_string_equal(got, want);                                                    \
		free(got);                                                                         \
	} while (0)

#define EXPECT_ERR(f, in)                                                                          \
	do {                                                                                       \
		char *got = one_rule(f, in);                                                       \
		assert_null(got);                                                                  \
	} while (0)

static void test_negation(void **state)
{
	EXPECT(2, "! -s 1.2.3.4 -j DROP", "! -s 1.2.3.4/32 -j DROP");
	EXPECT(2, "-s ! 1.2.3.4 -j DROP", "! -s 1.2.3.4/32 -j DROP");
	EXPECT(2, "-i ! eth+ -j DROP", "! -i eth+ -j DROP");
	EXPECT(2, "! -p tcp -j DROP", "! -p tcp -j DROP");
	EXPECT(2, "! -f", "! -f");
	EXPECT(2, "-p tcp --dport ! 22", "-p tcp -m tcp ! --dport 22");
	EXPECT(2, "-p tcp ! --dport 22", "-p tcp -m tcp ! --dport 22");
	EXPECT_ERR(2, "! ! -s 1.2.3.4");
	EXPECT_ERR(2, "! -s ! 1.2.3.4");
	EXPECT_ERR(2, "! -j ACCEPT");
	EXPECT_ERR(2, "-j ACCEPT !");
	EXPECT_ERR(10, "-f");
}

static void test_addresses(void **state)
{
	EXPECT(2, "-s 10.1.2.3/8", "-s 10.0.0.0/8");
	EXPECT(2, "-d 10.1.2.3/255.255.0.0", "-d 10.1.0.0/16");
	EXPECT(2, "-d 10.1.2.3/255.0.255.0", "-d 10.0.2.0/255.0.255.0");
	EXPECT(2, "-s 0.0.0.0/0 -p all -j ACCEPT", "-j ACCEPT");
	EXPECT(2, "-s 10/8", "-s 10.0.0.0/8");
	EXPECT(2, "-p 6", "-p tcp");
	EXPECT(2, "-p 200", "-p 200");
	EXPECT(10, "-s FD00:0200:0:0::1 -d fd00::/8", "-s fd00:200::1/128 -d fd00::/8");
	EXPECT(10, "-p icmpv6", "-p ipv6-icmp");
	EXPECT_ERR(2, "-s example.org");
	EXPECT_ERR(2, "-s 1.2.3.4/33");
	EXPECT_ERR(2, "-s 1.2.3.256");
	EXPECT_ERR(2, "-s 1.2.3.4 -s 1.2.3.5");
	EXPECT_ERR(2, "-p nosuch");
	EXPECT_ERR(2, "-i abcdefghijklmnop");
}

static void test_address_lists(void **state)
{
	struct ctg_ruleset *rs =
		parse(2, HDR "-A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4,5.5.5.5 "
			     "-j ACCEPT\nCOMMIT\n");
	const struct ctg_chain *c;

	assert_int_equal(ctg_diags_errors(d), 0);
	c = &rs->tables[CTG_TABLE_FILTER]
		     .chains[rs->tables[CTG_TABLE_FILTER].hook_chain[CTG_HOOK_INPUT]];
	assert_int_equal(c->nrules, 6);
	assert_int_equal(c->rules[0].src.b[0], 1);
	assert_int_equal(c->rules[0].dst.b[0], 3);
	assert_int_equal(c->rules[5].src.b[0], 2);
	assert_int_equal(c->rules[5].dst.b[0], 5);
	assert_int_equal(ctg_ruleset_rule_count(rs), 6);
	ctg_ruleset_free(rs);
}

static void test_insert(void **state)
{
	struct ctg_ruleset *rs = parse(2, HDR "-A INPUT -s 1.0.0.1\n-A INPUT -s 1.0.0.2\n"
					      "-I INPUT -s 1.0.0.3\n-I INPUT 3 -s 1.0.0.4\n"
					      "-I INPUT 5 -s 1.0.0.5\nCOMMIT\n");
	const struct ctg_table *t = &rs->tables[CTG_TABLE_FILTER];
	const struct ctg_chain *c = &t->chains[t->hook_chain[CTG_HOOK_INPUT]];
	const uint8_t want[] = {3, 1, 4, 2, 5};

	assert_int_equal(ctg_diags_errors(d), 0);
	assert_int_equal(c->nrules, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(c->rules[i].src.b[3], want[i]);
	ctg_ruleset_free(rs);
	rs = parse(2,
		   HDR "-A INPUT -s 1.0.0.1\n-I INPUT 3 -s 1.0.0.2\n-I INPUT 0 -j DROP\nCOMMIT\n");
	assert_int_equal(ctg_diags_errors(d), 2);
	ctg_ruleset_free(rs);
}

static void test_counters(void **state)
{
	struct ctg_ruleset *rs =
		parse(2, "*filter\n:INPUT DROP [7:420]\n[12:840] -A INPUT -j ACCEPT\n"
			 "-A INPUT -c 3 4 -j ACCEPT\nCOMMIT\n");
	char *out;

	assert_int_equal(ctg_diags_errors(d), 0);
	out = ctg_ruleset_emit(rs, CTG_EMIT_COUNTERS);
	assert_non_null(strstr(out, ":INPUT DROP [7:420]\n"));
	assert_non_null(strstr(out, "[12:840] -A INPUT -j ACCEPT\n[3:4] -A INPUT -j ACCEPT\n"));
	free(out);
	out = ctg_ruleset_emit(rs, 0);
	assert_non_null(strstr(out, ":INPUT DROP [0:0]\n"));
	assert_non_null(strstr(out, "\n-A INPUT -j ACCEPT\n-A INPUT -j ACCEPT\n"));
	free(out);
	ctg_ruleset_free(rs);
	rs = parse(2, "*filter\n[1:x] -A INPUT -j ACCEPT\n:OUTPUT ACCEPT [a]\nCOMMIT\n");
	assert_int_equal(ctg_diags_errors(d), 2);
	ctg_ruleset_free(rs);
}

static void test_recovery(void **state)
{
	const char *text = "-A INPUT -j ACCEPT\n*filter\n:X - [0:0]\n-A INPUT -p tcp --dprot 1\n"
			   "-A INPUT -j ACCEPT\n-A Y -j ACCEPT\n-A INPUT -j Z\n-A X -s bad\n*nat\n";
	struct ctg_ruleset *rs = parse(2, text);
	const struct ctg_diag *dg;
	size_t n = ctg_diags_count(d);

	/* outside table, --dprot, unknown chain Y, bad address, missing COMMIT (filter,
	 * at *nat), unknown chain Z (found at that point), missing COMMIT (nat, at EOF) */
	assert_int_equal(ctg_diags_errors(d), 7);
	dg = ctg_diags_get(d, 1);
	assert_string_equal(dg->code, "unknown-option");
	assert_int_equal(dg->loc.line, 4);
	assert_int_equal(dg->loc.col, 17);
	assert_int_equal(dg->loc.end_col, 23);
	assert_string_equal(dg->hint, "did you mean \"--dport\"?");
	assert_string_equal(dg->line_text, "-A INPUT -p tcp --dprot 1");
	assert_string_equal(ctg_diags_get(d, n - 1)->code, "missing-commit");
	ctg_ruleset_free(rs);
}

static void test_unknown_kept(void **state)
{
	struct ctg_ruleset *rs =
		parse(2, HDR "-A INPUT -m nosuch --a 1 ! --b \"x y\" -p tcp --dport 1 "
			     "-j NOSUCH --c\nCOMMIT\n");
	const struct ctg_table *t = &rs->tables[CTG_TABLE_FILTER];
	const struct ctg_rule *r = &t->chains[t->hook_chain[CTG_HOOK_INPUT]].rules[0];
	char *out;

	assert_int_equal(ctg_diags_errors(d), 0);
	assert_int_equal(ctg_diags_warnings(d), 2);
	assert_true(r->has_unknown);
	assert_null(r->matches[0].ops);
	assert_string_equal(r->matches[0].raw, "--a 1 ! --b \"x y\"");
	out = ctg_ruleset_emit(rs, 0);
	assert_non_null(strstr(out,
			       "-A INPUT -p tcp -m nosuch --a 1 ! --b \"x y\" -m tcp --dport 1 "
			       "-j NOSUCH --c\n"));
	free(out);
	ctg_ruleset_free(rs);
}

static void test_tables(void **state)
{
	struct ctg_ruleset *rs = parse(2, "*nat\n:b - [0:0]\n:a - [0:0]\n-A POSTROUTING -j a\n"
					  "-A a -g b\nCOMMIT\n");
	const struct ctg_table *t = &rs->tables[CTG_TABLE_NAT];

	assert_int_equal(ctg_diags_errors(d), 0);
	assert_true(t->present);
	assert_false(rs->tables[CTG_TABLE_FILTER].present);
	assert_int_equal(t->nchains, 6);
	assert_string_equal(t->chains[0].name, "PREROUTING");
	assert_string_equal(t->chains[3].name, "POSTROUTING");
	assert_string_equal(t->chains[4].name, "a");
	assert_int_equal(ctg_table_chain_index(t, "b"), 5);
	assert_int_equal(ctg_table_chain_index(t, "OUTPUT"), 2);
	assert_int_equal(ctg_table_chain_index(t, "c"), -1);
	assert_int_equal(t->chains[3].rules[0].target.verdict, CTG_V_JUMP);
	assert_int_equal(t->chains[3].rules[0].target.chain, 4);
	assert_int_equal(t->chains[4].rules[0].target.verdict, CTG_V_GOTO);
	assert_int_equal(t->chains[4].rules[0].target.chain, 5);
	assert_int_equal(ctg_table_lookup("mangle"), CTG_TABLE_MANGLE);
	assert_int_equal(ctg_table_lookup("nope"), -1);
	assert_int_equal(ctg_table_hooks(CTG_TABLE_RAW, 2),
			 (1u << CTG_HOOK_PREROUTING) | (1u << CTG_HOOK_OUTPUT));
	ctg_ruleset_free(rs);
}

static void test_targets(void **state)
{
	EXPECT(2, "-j REJECT", "-j REJECT --reject-with icmp-port-unreachable");
	EXPECT(2, "-p tcp -j REJECT --reject-with tcp-rst",
	       "-p tcp -j REJECT --reject-with tcp-reset");
	EXPECT(10, "-j REJECT", "-j REJECT --reject-with icmp6-port-unreachable");
	EXPECT(2, "-j LOG --log-level 4 --log-prefix \"a b\"", "-j LOG --log-prefix \"a b\"");
	EXPECT_ERR(2, "-j REJECT --reject-with tcp-reset");
	EXPECT_ERR(2, "-j REJECT --reject-with nonsense");
	EXPECT_ERR(2, "-j MASQUERADE");
	EXPECT_ERR(2, "-j NOTRACK");
	EXPECT_ERR(2, "-g ACCEPT");
}

static void test_getopt_forms(void **state)
{
	EXPECT(2, "-ptcp -s1.2.3.4 -ieth0 -jACCEPT", "-s 1.2.3.4/32 -i eth0 -p tcp -j ACCEPT");
	EXPECT(2, "--protocol=udp --dport=53 --jump=DROP", "-p udp -m udp --dport 53 -j DROP");
	EXPECT(2, "-i + -j ACCEPT", "-j ACCEPT");
	EXPECT_ERR(2, "! -p all -j ACCEPT");
	EXPECT_ERR(2, "-j INPUT");
}

static void test_loops(void **state)
{
	struct ctg_ruleset *rs = parse(2, HDR ":a - [0:0]\n:b - [0:0]\n:c - [0:0]\n"
					      "-A b -j c\n-A c -g b\nCOMMIT\n");

	assert_int_equal(ctg_diags_errors(d), 0); /* unreachable loop: the kernel accepts it */
	ctg_ruleset_free(rs);
	rs = parse(2, HDR ":a - [0:0]\n:b - [0:0]\n-A OUTPUT -j a\n-A a -j b\n-A b -g a\nCOMMIT\n");
	assert_int_equal(ctg_diags_errors(d), 1);
	assert_string_equal(ctg_diags_get(d, 0)->code, "chain-loop");
	assert_int_equal(ctg_diags_get(d, 0)->loc.line, 9);
	ctg_ruleset_free(rs);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* User chains come out in strcmp order, also with long common prefixes and names that
 * differ only after many equal bytes (the sort compares 8 bytes after the common prefix). */
static void test_chain_order(void **state)
{
	static const char *const parts[] = {"",		  "A",		"AB",	     "ABCDEFGH",
					    "ABCDEFGHI",  "ABCDEFGHIJ", "ABCDEFGHZ", "B",
					    "ABCDEFGH-1", "ABCDEFGH-0", "a",	     "-"};
	const size_t np = sizeof(parts) / sizeof(parts[0]);
	char text[65536], *names[512];
	size_t n = 0, len;
	unsigned st = 7;
	struct ctg_ruleset *rs;

	(void)state;
	len = (size_t)snprintf(text, sizeof(text), HDR);
	for (size_t i = 0; i < np; i++)
		for (size_t j = 0; j < np; j++) {
			char name[64];

			snprintf(name, sizeof(name), "KUBE-SEP-%s%s", parts[i], parts[j]);
			if (strlen(name) > 28)
				continue;
			for (size_t k = 0; k < n; k++)
				if (!strcmp(names[k], name))
					goto dup;
			names[n++] = strdup(name);
		dup:;
		}
	/* declared in a shuffled order */
	for (size_t i = n; i > 1; i--) {
		size_t j;
		char *t;

		st = st * 1103515245u + 12345u;
		j = (st >> 8) % i;
		t = names[i - 1];
		names[i - 1] = names[j];
		names[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, ":%s - [0:0]\n", names[i]);
	snprintf(text + len, sizeof(text) - len, "COMMIT\n");
	rs = parse(CTG_FAMILY_IPV4, text);
	assert_non_null(rs);
	assert_int_equal(ctg_diags_errors(d), 0);
	qsort(names, n, sizeof(names[0]), cmp_str);
	assert_int_equal(rs->tables[CTG_TABLE_FILTER].nchains, n + 3);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(rs->tables[CTG_TABLE_FILTER].chains[3 + i].name, names[i]);
		free(names[i]);
	}
	ctg_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_negation),      cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_address_lists), cmocka_unit_test(test_insert),
		cmocka_unit_test(test_counters),      cmocka_unit_test(test_recovery),
		cmocka_unit_test(test_unknown_kept),  cmocka_unit_test(test_tables),
		cmocka_unit_test(test_targets),	      cmocka_unit_test(test_getopt_forms),
		cmocka_unit_test(test_loops),	      cmocka_unit_test(test_chain_order),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	ctg_diags_free(d);
	return r;
}
