// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every real-world iptables-save dump of the corpus evaluates a battery of packets without
 * error: all paths, protocols, ctstates, addresses taken from the rules themselves; flows
 * against an empty conntrack view. Usage: test_eval_corpus CORPUS_DIR (the repository's
 * tests/data/corpus, or a larger one of the same layout); files the parser
 * refuses are counted and skipped (the parser's own tests cover them).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "eval/eval.h"
#include "../../../tools/corpus-read.h"

#define PACKETS_PER_FILE 400

static const char *corpus;
static unsigned nfiles, nparsed, nskipped, npackets, nflows, nuncertain;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

struct pool {
	struct ctg_addr a[64];
	size_t n;
	const char *ifs[16];
	size_t nifs;
};

static void pool_rule(struct pool *p, const struct ctg_rule *r)
{
	if (r->src_set && p->n < 64)
		p->a[p->n++] = r->src;
	if (r->dst_set && p->n < 64)
		p->a[p->n++] = r->dst;
	if (r->in.set && !r->in.wildcard && p->nifs < 16)
		p->ifs[p->nifs++] = r->in.name;
}

static void pool_fill(struct pool *p, const struct ctg_ruleset *rs)
{
	memset(p, 0, sizeof(*p));
	for (int t = 0; t < CTG_TABLE_MAX; t++)
		for (uint32_t c = 0; c < rs->tables[t].nchains; c++)
			for (uint32_t i = 0; i < rs->tables[t].chains[c].nrules; i++)
				pool_rule(p, &rs->tables[t].chains[c].rules[i]);
	/* and a few addresses no rule names */
	for (int i = 0; i < 4; i++) {
		struct ctg_addr x;

		memset(&x, 0, sizeof(x));
		for (int b = 0; b < (rs->family == 2 ? 4 : 16); b++)
			x.b[b] = (uint8_t)rnd();
		p->a[p->n < 64 ? p->n++ : rnd() % 64] = x;
	}
}

static void make_pkt(const struct ctg_ruleset *rs, const struct pool *pl, struct ctg_pkt *p)
{
	static const uint16_t ports[] = {22, 25, 53, 80, 123, 443, 3306, 5432, 8080, 40000};
	static const uint8_t protos[] = {6, 6, 6, 17, 17, 1, 47};
	static const uint8_t states[] = {CTG_CTS_NEW, CTG_CTS_ESTABLISHED, CTG_CTS_RELATED,
					 CTG_CTS_INVALID, CTG_CTS_UNTRACKED};

	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)rs->family;
	p->l4proto = protos[rnd() % 7];
	if (p->l4proto == 1 && rs->family == 10)
		p->l4proto = 58;
	p->src = pl->a[rnd() % pl->n];
	p->dst = pl->a[rnd() % pl->n];
	p->sport = ports[rnd() % 10];
	p->dport = ports[rnd() % 10];
	p->tcp_flags = (uint8_t)(rnd() & 0x3f);
	p->icmp_type = (uint8_t)(rnd() % 4 ? 8 : 3);
	p->ttl = 64;
	p->len = (uint16_t)(40 + rnd() % 1400);
	p->mark_known = true;
	p->ctstate = states[rnd() % 5];
	if (pl->nifs && rnd() % 2) {
		p->iif = pl->ifs[rnd() % pl->nifs];
		p->oif = pl->ifs[rnd() % pl->nifs];
	} else {
		p->iif_unknown = p->oif_unknown = true;
	}
}

static void check_result(const struct ctg_ruleset *rs, const struct ctg_eval_result *r,
			 const struct ctg_trace *t)
{
	assert_int_not_equal(r->possible, 0);
	if (r->certain) {
		assert_int_equal(__builtin_popcount(r->possible), 1);
		assert_int_equal(r->possible & (1u << (r->verdict - CTG_V_ACCEPT)),
				 1u << (r->verdict - CTG_V_ACCEPT));
	} else {
		nuncertain++;
	}
	if (r->has_stop)
		assert_non_null(r->stop.chain_name);
	assert_false(t->oom);
	for (size_t i = 0; i < t->n; i++) {
		const struct ctg_trace_step *s = &t->v[i];

		assert_true(s->table < CTG_TABLE_MAX);
		if (s->kind == CTG_STEP_NAT || s->kind == CTG_STEP_TTL) {
			assert_int_equal(s->chain, -1); /* outside any chain */
			continue;
		}
		assert_true(s->chain >= 0 && (uint32_t)s->chain < rs->tables[s->table].nchains);
		if (s->kind == CTG_STEP_RULE)
			assert_true(s->rule >= 1 &&
				    s->rule <= rs->tables[s->table].chains[s->chain].nrules);
	}
}

static void eval_file(const struct ctg_ruleset *rs)
{
	struct ctg_eval_env env;
	struct ctg_trace t;
	struct pool pl;
	struct ctg_ct_view *v = ctg_ct_view_new(NULL);

	assert_non_null(v);
	ctg_eval_env_init(&env);
	ctg_trace_init(&t);
	pool_fill(&pl, rs);
	for (int i = 0; i < PACKETS_PER_FILE; i++) {
		struct ctg_pkt p;
		struct ctg_eval_result r;
		struct ctg_flow_result f;
		enum ctg_eval_path path = (enum ctg_eval_path)(rnd() % 3);

		make_pkt(rs, &pl, &p);
		ctg_trace_reset(&t);
		assert_int_equal(ctg_eval_packet(rs, path, &p, &env, &t, &r), 0);
		check_result(rs, &r, &t);
		npackets++;
		ctg_trace_reset(&t);
		assert_int_equal(ctg_eval_flow_packet(rs, v, &env, path, &p, true, &t, &f), 0);
		check_result(rs, &f.eval, &t);
		nflows++;
	}
	ctg_trace_release(&t);
	ctg_ct_view_free(v);
}

static bool is_dump(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];
	bool table = false, commit = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f) && !(table && commit)) {
		table |= line[0] == '*';
		commit |= !strncmp(line, "COMMIT", 6);
	}
	fclose(f);
	return table && commit;
}

static struct ctg_ruleset *try_parse(const char *path, enum ctg_family fam)
{
	struct ctg_diags *d = ctg_diags_new();
	size_t len;
	char *text = ctg_corpus_read_deanon(path, &len);
	struct ctg_ruleset *rs = text ? ctg_ruleset_parse(text, len, path, fam, d) : NULL;

	if (rs && ctg_diags_errors(d)) {
		ctg_ruleset_free(rs);
		rs = NULL;
	}
	ctg_diags_free(d);
	free(text);
	return rs;
}

static void visit(const char *path)
{
	bool v6 = strstr(path, "ip6") || strstr(path, "v6");
	struct ctg_ruleset *rs;

	if (!is_dump(path))
		return;
	nfiles++;
	rs = try_parse(path, v6 ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4);
	if (!rs)
		rs = try_parse(path, v6 ? CTG_FAMILY_IPV4 : CTG_FAMILY_IPV6);
	if (!rs) {
		nskipped++;
		printf("skipped (parse errors): %s\n", path);
		return;
	}
	nparsed++;
	eval_file(rs);
	ctg_ruleset_free(rs);
}

static void walk(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;
		struct stat st;

		if (e->d_name[0] == '.' || asprintf(&p, "%s/%s", dir, e->d_name) < 0)
			continue;
		if (!stat(p, &st)) {
			if (S_ISDIR(st.st_mode))
				walk(p);
			else if (S_ISREG(st.st_mode) && st.st_size < 64 << 20)
				visit(p);
		}
		free(p);
	}
	closedir(d);
}

static void test_corpus(void **state)
{
	static const char *const real[] = {"net-network", "Iptables_Semantics", "moby", "iptables"};
	char *p;

	for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		if (asprintf(&p, "%s/%s", corpus, real[i]) < 0)
			fail();
		walk(p);
		free(p);
	}
	printf("corpus: %u dumps, %u parsed, %u skipped (parse errors); %u packets + %u flow "
	       "packets evaluated, %u uncertain\n",
	       nfiles, nparsed, nskipped, npackets, nflows, nuncertain);
	assert_true(nparsed > 0);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_corpus)};
	struct stat st;

	if (argc != 2) {
		fprintf(stderr, "usage: test_eval_corpus CORPUS_DIR\n");
		return 2;
	}
	corpus = argv[1];
	if (stat(corpus, &st)) {
		fprintf(stderr, "corpus %s not found\n", corpus);
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
