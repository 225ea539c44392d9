// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Steps 3 (conntrack snapshot), 5 (heal: re-insert established entries the load lost) and
 * 7 (audit of the new rules) of apply, and parsing the rules snapshot for check.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/source.h>

#include "analysis/audit.h"
#include "analysis/heal.h"
#include "apply/audit_heal.h"
#include "apply/heal_nl.h"
#include "apply_steps.h"
#include "cli.h"
#include "common/inputs.h"

int apply_parse_current(struct apply_state *st)
{
	for (int i = 0; i < 2; i++) {
		struct ctg_diags *d;
		const char *name = i ? "ip6tables-save" : "iptables-save";

		if (!st->snap.text[i])
			continue;
		d = ctg_diags_new();
		if (!d)
			return CTG_EXIT_ENV;
		st->cur[i] = ctg_ruleset_parse(st->snap.text[i], st->snap.len[i], name,
					       i ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4, d);
		if (ctg_diags_errors(d))
			fprintf(stderr,
				"ctguard apply: warning: the current %s rules do not fully "
				"parse; check may be imprecise\n",
				i ? "IPv6" : "IPv4");
		ctg_diags_free(d);
		if (!st->cur[i])
			return CTG_EXIT_ENV;
	}
	return 0;
}

void apply_snapshot_ct(struct apply_state *st)
{
	int rc;

	ctg_ct_table_init(&st->ct_before);
	rc = ctg_ct_read_nl(&st->ct_before, 0);
	st->have_ct = !rc;
	if (rc)
		printf("ctguard apply: warning: no conntrack snapshot (%s): lost entries cannot be "
		       "healed\n",
		       strerror(-rc));
	else
		printf("ctguard apply: snapshot: rules (%s) and %zu conntrack entries\n",
		       st->snap.text[1] ? "IPv4 and IPv6" : "IPv4", st->ct_before.n);
}

/* Order on (family, proto, zone, original tuple): the identity of an entry. */
static int ct_cmp(const void *a, const void *b)
{
	const struct ctg_ct_entry *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->l4proto != y->l4proto)
		return x->l4proto < y->l4proto ? -1 : 1;
	if (x->zone != y->zone)
		return x->zone < y->zone ? -1 : 1;
	if (x->orig.sport != y->orig.sport)
		return x->orig.sport < y->orig.sport ? -1 : 1;
	if (x->orig.dport != y->orig.dport)
		return x->orig.dport < y->orig.dport ? -1 : 1;
	return memcmp(&x->orig.src, &y->orig.src, sizeof(x->orig.src) * 2);
}

/* Entries worth re-inserting: established TCP, replied UDP; plain (no zone, no NAT). */
static bool healable(const struct ctg_ct_entry *e)
{
	if (e->zone || (e->status & (CTG_IPS_SRC_NAT | CTG_IPS_DST_NAT | CTG_IPS_DYING)))
		return false;
	if (e->l4proto == 6)
		return e->tcp_state == CTG_TCP_ESTABLISHED;
	return e->l4proto == 17 && (e->status & CTG_IPS_SEEN_REPLY);
}

static void heal_one(struct apply_state *st, const struct ctg_ct_entry *lost)
{
	struct ctg_ct_entry e = *lost;
	char s[CTG_ADDRSTRLEN], d[CTG_ADDRSTRLEN];
	int rc;

	e.status &= CTG_IPS_SEEN_REPLY | CTG_IPS_ASSURED;
	e.status |= CTG_IPS_CONFIRMED;
	if (e.timeout < 60)
		e.timeout = 60;
	rc = ctg_heal_nl_insert(&e);
	ctg_addr_format(e.family, &e.orig.src, s, sizeof(s));
	ctg_addr_format(e.family, &e.orig.dst, d, sizeof(d));
	printf("ctguard apply: heal: %s %s:%u -> %s:%u: %s\n", e.l4proto == 6 ? "tcp" : "udp", s,
	       e.orig.sport, d, e.orig.dport,
	       rc == 0	       ? "re-inserted"
	       : rc == -EEXIST ? "already back"
			       : strerror(-rc));
	if (rc == 0)
		st->healed++;
	else if (rc != -EEXIST)
		st->heal_failed++;
}

void apply_heal(struct apply_state *st)
{
	struct ctg_ct_table after;
	size_t lost = 0;
	int rc;

	if (!st->have_ct) {
		printf("ctguard apply: heal: skipped (no conntrack snapshot)\n");
		return;
	}
	ctg_ct_table_init(&after);
	rc = ctg_ct_read_nl(&after, 0);
	if (rc) {
		printf("ctguard apply: heal: cannot read conntrack after the load: %s\n",
		       strerror(-rc));
		return;
	}
	qsort(after.v, after.n, sizeof(*after.v), ct_cmp);
	for (size_t i = 0; i < st->ct_before.n; i++) {
		const struct ctg_ct_entry *e = &st->ct_before.v[i];

		if (!healable(e) || bsearch(e, after.v, after.n, sizeof(*after.v), ct_cmp))
			continue;
		lost++;
		heal_one(st, e);
	}
	ctg_ct_table_release(&after);
	printf("ctguard apply: conntrack: %zu entries before, %zu established lost during the "
	       "load, %zu re-inserted\n",
	       st->ct_before.n, lost, st->healed);
}

void apply_audit(struct apply_state *st)
{
	struct ctg_inputs in;
	struct ctg_audit_input ai;
	struct ctg_audit_report rep = {0};
	int rc;

	ctg_cli_inputs_init(&in);
	rc = ctg_cli_inputs_load(&in, CTG_IN_CT | CTG_IN_SOCKS | CTG_IN_SYSCTLS | CTG_IN_LOCALS,
				 "ctguard apply", stderr);
	if (rc) {
		printf("ctguard apply: audit: cannot read the live state\n");
		ctg_inputs_release(&in);
		return;
	}
	ctg_audit_input_fill(&in, st->rules_path[0] ? st->rs[0] : st->cur[0],
			     st->rules_path[1] ? st->rs[1] : st->cur[1], &ai);
	rc = ctg_audit_run(&ai, &rep);
	if (rc)
		printf("ctguard apply: audit failed: %s\n", strerror(-rc));
	else
		printf("ctguard apply: audit: %zu connections, %zu orphaned, %zu at risk, %zu "
		       "possibly orphaned%s\n",
		       rep.conns, rep.orphans, rep.at_risk, rep.possible,
		       rep.orphans ? " (see `ctguard audit`, `ctguard heal`)" : "");
	st->orphans = rc ? 0 : rep.orphans;
	ctg_audit_report_release(&rep);
	ctg_inputs_release(&in);
}
