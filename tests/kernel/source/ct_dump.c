// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctg-ct-dump: prints a conntrack table in one canonical line per entry, for comparing
 * the readers (kernel tests).
 *   ctg-ct-dump nl | proc | text FILE
 *   ctg-ct-dump rules4 | rules6      (live iptables-save: backend and rule count)
 * Fields compared across readers: family proto orig reply tcp-state status&TEXT_MASK mark
 * zone. Timeouts differ between reads and are left out unless -t.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/source.h>

static void tuple(int fam, const struct ctg_tuple *t)
{
	char s[CTG_ADDRSTRLEN], d[CTG_ADDRSTRLEN];

	printf(" %s:%u>%s:%u", ctg_addr_format(fam, &t->src, s, sizeof(s)), t->sport,
	       ctg_addr_format(fam, &t->dst, d, sizeof(d)), t->dport);
}

static int rules(enum ctg_family fam, struct ctg_diags *d)
{
	enum ctg_ipt_backend b;
	struct ctg_ruleset *rs;
	int ret = ctg_rules_read_live(fam, &rs, &b, d);

	if (ret || ctg_diags_errors(d)) {
		fprintf(stderr, "ctg-ct-dump: live rules: %d, %zu errors\n", ret,
			ctg_diags_errors(d));
		return 1;
	}
	printf("backend=%s rules=%zu\n", ctg_ipt_backend_name(b), ctg_ruleset_rule_count(rs));
	ctg_ruleset_free(rs);
	return 0;
}

int main(int argc, char **argv)
{
	struct ctg_ct_table t;
	struct ctg_diags *d = ctg_diags_new();
	int ret = 2;

	ctg_ct_table_init(&t);
	if (argc >= 2 && !strncmp(argv[1], "rules", 5))
		return rules(argv[1][5] == '6' ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4, d);
	if (argc >= 2 && !strcmp(argv[1], "nl"))
		ret = ctg_ct_read_nl(&t, 0);
	else if (argc >= 2 && !strcmp(argv[1], "proc"))
		ret = ctg_ct_read_proc(&t, getenv("PROC_ROOT"), d);
	else if (argc >= 3 && !strcmp(argv[1], "text"))
		ret = ctg_ct_read_file(&t, argv[2], d);
	if (ret || ctg_diags_count(d)) {
		fprintf(stderr, "ctg-ct-dump: failed (%d, %zu diagnostics)\n", ret,
			ctg_diags_count(d));
		return 1;
	}
	ctg_ct_table_sort(&t);
	for (size_t i = 0; i < t.n; i++) {
		const struct ctg_ct_entry *e = &t.v[i];

		printf("%u %u", e->family, e->l4proto);
		tuple(e->family, &e->orig);
		tuple(e->family, &e->reply);
		printf(" %s status=%#x mark=%u zone=%u\n",
		       e->l4proto == 6 ? ctg_tcp_state_name(e->tcp_state) : "-",
		       e->status & (CTG_CT_TEXT_STATUS_MASK | CTG_IPS_CONFIRMED), e->mark, e->zone);
	}
	ctg_ct_table_release(&t);
	ctg_diags_free(d);
	return 0;
}
