// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Test driver of the library's apply session (not installed): runs the steps of
 * `ctguard apply --yes` (or with a guard: --guard DIR SECONDS) one by one and lets the
 * test act between them through shell hooks, which the product itself never runs:
 *
 *   ctg-apply-drv --backend nft|legacy --rules FILE [--rules6 FILE] [--force]
 *                 [--guard DIR SECONDS] [--after-check CMD] [--after-load CMD]
 *                 [--after-audit CMD]
 *
 * Prints one line per step ("validate=0", "check=0 bad=N", "load=0" / "load=ESTALE",
 * "audit: orphans=N at_risk=N possible=N nat_lost=N", one "finding ..." per finding,
 * "heal: orphans=N inserted=N refused=N failed=N", "guard=STATUS"). Exit 0 when every step
 * ran (the test judges the lines), 1 when a step failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apply/guard.h"
#include "apply/session.h"

struct drv {
	struct ctg_apply_opts o;
	const char *hook[3]; /* after check, load, audit */
	const char *guard_dir;
	int guard_timeout;
};

static void hook(const char *cmd)
{
	if (cmd && *cmd) {
		fflush(NULL);
		if (system(cmd) != 0)
			fprintf(stderr, "hook failed: %s\n", cmd);
	}
}

static int args(int argc, char **argv, struct drv *d)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--force")) {
			d->o.force = true;
			continue;
		}
		if (!v)
			return -1;
		i++;
		if (!strcmp(a, "--backend"))
			d->o.backend = !strcmp(v, "legacy") ? CTG_IPT_LEGACY : CTG_IPT_NFT;
		else if (!strcmp(a, "--rules"))
			d->o.rules_path[0] = v;
		else if (!strcmp(a, "--rules6"))
			d->o.rules_path[1] = v;
		else if (!strcmp(a, "--after-check"))
			d->hook[0] = v;
		else if (!strcmp(a, "--after-load"))
			d->hook[1] = v;
		else if (!strcmp(a, "--after-audit"))
			d->hook[2] = v;
		else if (!strcmp(a, "--guard") && i + 1 < argc) {
			d->guard_dir = v;
			d->guard_timeout = atoi(argv[++i]);
		} else
			return -1;
	}
	return 0;
}

static void print_audit(const struct ctg_audit_report *r)
{
	printf("audit: orphans=%zu at_risk=%zu possible=%zu nat_lost=%zu\n", r->orphans, r->at_risk,
	       r->possible, r->nat_lost);
	for (size_t i = 0; i < r->n; i++) {
		const struct ctg_audit_item *it = &r->v[i];
		char l[CTG_ADDRSTRLEN], p[CTG_ADDRSTRLEN];

		ctg_addr_format(it->conn.family, &it->conn.laddr, l, sizeof(l));
		ctg_addr_format(it->conn.family, &it->conn.paddr, p, sizeof(p));
		printf("finding %s %s %s:%u->%s:%u %s\n", ctg_audit_kind_name(it->kind),
		       it->certain ? "certain" : "possible", l, it->conn.lport, p, it->conn.pport,
		       it->verdict ? it->verdict : "-");
	}
}

static int load(struct ctg_apply *a, const struct drv *d)
{
	int ret;

	if (d->guard_dir) {
		ret = ctg_guard_start(d->guard_dir, &a->snap, a->backend, d->guard_timeout);
		printf("guard-start=%d\n", ret);
		if (ret)
			return ret;
	}
	ret = ctg_apply_load(a);
	printf("load=%s\n", ret == -ESTALE ? "ESTALE" : ret ? strerror(-ret) : "0");
	if (ret == -ESTALE && d->guard_dir) {
		printf("cancel=%d\n", ctg_guard_cancel(d->guard_dir));
		printf("guard=%s\n", ctg_guard_status_name(ctg_guard_status(d->guard_dir)));
	}
	return ret;
}

int main(int argc, char **argv)
{
	struct drv d = {0};
	struct ctg_apply a;
	enum ctg_apply_decision dec = CTG_APPLY_REFUSE_CUTS; /* printed only; set by decide */
	int ret;

	if (args(argc, argv, &d)) {
		fprintf(stderr, "usage: see apply_drv.c\n");
		return 2;
	}
	ctg_apply_init(&a, &d.o);
	ret = ctg_apply_backend(&a);
	if (!ret)
		ret = ctg_apply_validate(&a);
	printf("validate=%d\n", ret);
	if (!ret)
		ret = ctg_apply_check(&a);
	if (!ret)
		ret = ctg_apply_decide(&a, &dec);
	printf("check=%d bad=%zu decision=%d\n", ret, a.bad, (int)dec);
	if (!ret && dec >= CTG_APPLY_REFUSE_CUTS)
		ret = 1;
	if (!ret) {
		hook(d.hook[0]);
		ret = load(&a, &d);
	}
	if (!ret) {
		hook(d.hook[1]);
		ret = ctg_apply_audit_loaded(&a);
		if (ret)
			printf("audit=%s (%s)\n", strerror(-ret), a.failed ? a.failed : "");
		else
			print_audit(&a.audit);
	}
	if (!ret) {
		hook(d.hook[2]);
		ret = ctg_apply_heal(&a);
		printf("heal: orphans=%zu inserted=%zu refused=%zu failed=%zu (ret %d)\n", a.heal.n,
		       a.heal.inserted, a.heal.refused, a.heal.failed, ret);
	}
	ctg_apply_release(&a);
	return ret ? 1 : 0;
}
