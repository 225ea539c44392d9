// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctg-ct-dump: prints a conntrack table in one canonical line per entry, for comparing
 * the readers (kernel tests).
 *   ctg-ct-dump nl | proc | text FILE
 *   ctg-ct-dump rules4 | rules6      (live iptables-save: backend and rule count)
 *   ctg-ct-dump capture > FILE       (raw ctnetlink dump bytes, for fixtures)
 *   ctg-ct-dump nlbuf FILE           (decode such a capture)
 * Fields compared across readers: family proto orig reply tcp-state status&TEXT_MASK mark
 * zone. Timeouts differ between reads and are left out unless -t.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctguard/source.h>

static void tuple(int fam, const struct ctg_tuple *t)
{
	char s[CTG_ADDRSTRLEN], d[CTG_ADDRSTRLEN];

	printf(" %s:%u>%s:%u", ctg_addr_format(fam, &t->src, s, sizeof(s)), t->sport,
	       ctg_addr_format(fam, &t->dst, d, sizeof(d)), t->dport);
}

/* Writes the raw messages of one dump to stdout (NLMSG_DONE excluded). */
static int capture(void)
{
	static char buf[1 << 16];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return 1;
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return 1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		int rest = (int)n;

		if (n <= 0)
			return 1;
		for (nlh = (void *)buf; mnl_nlmsg_ok(nlh, rest); nlh = mnl_nlmsg_next(nlh, &rest)) {
			if (nlh->nlmsg_type == NLMSG_DONE) {
				mnl_socket_close(nl);
				return 0;
			}
			fwrite(nlh, 1, nlh->nlmsg_len, stdout);
		}
	}
}

static int read_capture(struct ctg_ct_table *t, const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return ctg_ct_read_nl_buf(t, buf, n);
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
	if (argc >= 2 && !strncmp(argv[1], "rules", 5)) {
		ret = rules(argv[1][5] == '6' ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4, d);
		ctg_diags_free(d);
		return ret;
	}
	if (argc >= 2 && !strcmp(argv[1], "capture"))
		return capture();
	if (argc >= 3 && !strcmp(argv[1], "nlbuf"))
		ret = read_capture(&t, argv[2]);
	else if (argc >= 2 && !strcmp(argv[1], "nl"))
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
