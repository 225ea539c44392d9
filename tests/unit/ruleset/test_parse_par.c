// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The parallel parse (parse_par.c) against the serial one: for generated rulesets with
 * errors, warnings, -I, late chain declarations, interleaved chains, address lists, CRLF,
 * NUL bytes and several tables, cut into 2 to 4 slices of every size, the ruleset printed,
 * its rule count, its conntrack flag and every diagnostic (in order) must be the same.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ctguard/diag.h>
#include <ctguard/ruleset.h>

#include "ruleset/parse.h"

enum {
	V_ERRORS = 1 << 0,     /* unknown options, bad addresses, unknown chains, NUL bytes */
	V_INSERT = 1 << 1,     /* -I lines among the rules */
	V_LATE_CHAIN = 1 << 2, /* a chain declared after rules */
	V_INTERLEAVE = 1 << 3, /* a chain's rules spread over the file */
	V_TABLES = 1 << 4,     /* a second big table */
	V_NOCOMMIT = 1 << 5,   /* the last table has no COMMIT */
};

struct text {
	char *s;
	size_t n, cap;
};

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int k;

	for (;;) {
		va_start(ap, fmt);
		k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
		va_end(ap);
		assert_true(k >= 0);
		if ((size_t)k < t->cap - t->n)
			break;
		t->cap = t->cap * 2 + (size_t)k + 1;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->n += (size_t)k;
}

static uint32_t rnd(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

static void rule(struct text *t, uint32_t *st, const char *chain, int nchains, unsigned v)
{
	uint32_t r = rnd(st) % 100;

	if ((v & V_ERRORS) && r < 3) {
		static const char *const bad[] = {"-p tcp --dprot 22 -j ACCEPT",
						  "-s 10.1.2.300 -j DROP", "-j NOSUCHCHAIN",
						  "-m nosuchmatch --foo 1 -j ACCEPT"};

		put(t, "-A %s %s\n", chain, bad[rnd(st) % 4]);
		return;
	}
	if ((v & V_ERRORS) && r == 3) {
		put(t, "-A %s -p udp --dport 5\n", chain);
		t->s[t->n - 3] = '\0'; /* a NUL byte inside the line */
		return;
	}
	if ((v & V_INSERT) && r == 4) {
		put(t, "-I %s 1 -s 192.0.2.%u -j RETURN\n", chain, rnd(st) % 250);
		return;
	}
	if (r < 20)
		put(t,
		    "[%u:%u] -A %s -s 10.%u.%u.0/24,10.9.9.9 -p tcp -m multiport --dports 80,443 "
		    "-j ACCEPT\r\n",
		    rnd(st) % 9, rnd(st) % 999, chain, rnd(st) % 250, rnd(st) % 250);
	else if (r < 40)
		put(t,
		    "-A %s -p tcp -m comment --comment \"svc \\\"%u\\\" x\" -m tcp --dport %u -j "
		    "C%u\n",
		    chain, rnd(st), rnd(st) % 65535 + 1, rnd(st) % (uint32_t)nchains);
	else if (r < 55)
		put(t, "-A %s -m state --state ESTABLISHED,RELATED -j ACCEPT\n", chain);
	else if (r < 60)
		put(t, "# a comment line\n\n");
	else if (r < 75)
		put(t, "-A %s ! -d 172.16.%u.1/32 -i eth+ -p udp -m udp --sport 53 -j DROP\n",
		    chain, rnd(st) % 250);
	else
		put(t,
		    "-A %s -p tcp -m tcp --tcp-flags FIN,SYN SYN -j LOG --log-prefix \"x %u: \"\n",
		    chain, rnd(st));
}

static void table(struct text *t, uint32_t *st, const char *name, const char *b0, const char *b1,
		  int nrules, unsigned v, bool commit)
{
	const int nchains = 40;

	put(t, "*%s\n:%s ACCEPT [0:0]\n:%s DROP [3:4]\n", name, b0, b1);
	for (int c = 0; c < nchains; c++)
		put(t, ":C%d - [0:0]\n", c);
	for (int i = 0; i < nrules; i++) {
		char chain[16];
		int c = (v & V_INTERLEAVE) ? (int)(rnd(st) % nchains) : i * nchains / nrules;

		snprintf(chain, sizeof(chain), "C%d", c);
		if ((v & V_LATE_CHAIN) && i == nrules * 2 / 3)
			put(t, ":LATE - [0:0]\n-A LATE -j RETURN\n-A %s -j LATE\n", b0);
		rule(t, st, (i % 7 == 0) ? b0 : chain, nchains, v);
	}
	if (commit)
		put(t, "COMMIT\n");
}

static char *generate(unsigned v, uint32_t seed, size_t *len)
{
	struct text t = {0};
	uint32_t st = seed | 1;

	table(&t, &st, "filter", "INPUT", "FORWARD", 1500, v, true);
	if (v & V_TABLES)
		table(&t, &st, "mangle", "PREROUTING", "OUTPUT", 900, v, !(v & V_NOCOMMIT));
	*len = t.n;
	return t.s;
}

struct result {
	char *text;
	size_t rules;
	bool uses_ct;
	char **diags;
	size_t ndiags;
};

static void parse(const char *s, size_t n, unsigned flags, struct result *r)
{
	struct ctg_diags *d = ctg_diags_new();
	struct ctg_ruleset *rs = ctg_ruleset_parse_ex(s, n, "gen", CTG_FAMILY_IPV4, flags, d);

	assert_non_null(rs);
	r->text = ctg_ruleset_emit(rs, CTG_EMIT_COUNTERS);
	assert_non_null(r->text);
	r->rules = ctg_ruleset_rule_count(rs);
	r->uses_ct = rs->uses_ct;
	r->ndiags = ctg_diags_count(d);
	r->diags = calloc(r->ndiags + 1, sizeof(*r->diags));
	for (size_t i = 0; i < r->ndiags; i++) {
		char buf[1024];

		ctg_diag_render(ctg_diags_get(d, i), buf, sizeof(buf));
		r->diags[i] = strdup(buf);
	}
	ctg_ruleset_free(rs);
	ctg_diags_free(d);
}

static void release(struct result *r)
{
	for (size_t i = 0; i < r->ndiags; i++)
		free(r->diags[i]);
	free(r->diags);
	free(r->text);
}

static void same(unsigned v, uint32_t seed)
{
	static const size_t slices[] = {1, 700, 9000, 40000};
	struct result serial, par;
	size_t n;
	char *s = generate(v, seed, &n);

	parse(s, n, CTG_PARSE_SERIAL, &serial);
	assert_true(serial.rules > 0);
	if (v & V_ERRORS)
		assert_true(serial.ndiags > 0);
	for (int th = 2; th <= 4; th++)
		for (size_t k = 0; k < sizeof(slices) / sizeof(slices[0]); k++) {
			ctg_parse_par_threads = th;
			ctg_parse_par_min_slice = slices[k];
			parse(s, n, 0, &par);
			assert_string_equal(par.text, serial.text);
			assert_int_equal(par.rules, serial.rules);
			assert_int_equal(par.uses_ct, serial.uses_ct);
			assert_int_equal(par.ndiags, serial.ndiags);
			for (size_t i = 0; i < par.ndiags; i++)
				assert_string_equal(par.diags[i], serial.diags[i]);
			release(&par);
		}
	ctg_parse_par_threads = 0;
	ctg_parse_par_min_slice = 0;
	release(&serial);
	free(s);
}

static void test_clean(void **state)
{
	(void)state;
	same(0, 1);
	same(V_TABLES, 2);
}

static void test_errors(void **state)
{
	(void)state;
	same(V_ERRORS, 3);
	same(V_ERRORS | V_TABLES | V_NOCOMMIT, 4);
}

static void test_insert_and_late_chain(void **state)
{
	(void)state;
	same(V_INSERT, 5);
	same(V_LATE_CHAIN, 6);
	same(V_INSERT | V_LATE_CHAIN | V_TABLES | V_ERRORS, 7);
}

static void test_interleaved(void **state)
{
	(void)state;
	same(V_INTERLEAVE, 8);
	same(V_INTERLEAVE | V_TABLES | V_ERRORS, 9);
}

/* The default parse of a big file really uses the workers: serial and default agree. */
static void test_default_slices(void **state)
{
	struct text t = {0};
	struct result serial, par;
	uint32_t st = 11;

	(void)state;
	table(&t, &st, "filter", "INPUT", "FORWARD", 80000, V_ERRORS | V_INTERLEAVE, true);
	assert_true(t.n > (size_t)3 << 20);
	parse(t.s, t.n, CTG_PARSE_SERIAL, &serial);
	parse(t.s, t.n, 0, &par);
	assert_string_equal(par.text, serial.text);
	assert_int_equal(par.ndiags, serial.ndiags);
	for (size_t i = 0; i < par.ndiags; i++)
		assert_string_equal(par.diags[i], serial.diags[i]);
	release(&serial);
	release(&par);
	free(t.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_insert_and_late_chain),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_default_slices),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
