// SPDX-License-Identifier: GPL-2.0-or-later
#include "apply_steps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctguard/diag.h>

#include "cli.h"
#include "core/fileio.h"

static const char *fam_name(int i)
{
	return i ? "IPv6" : "IPv4";
}

/* Prints the offending line of the candidate for an iptables-restore error. */
static void report_kernel_error(const char *file, const char *text, const char *err)
{
	unsigned line = ctg_restore_error_line(err);
	const char *p = text;

	if (!line) {
		fprintf(stderr, "%s: error: rejected by the kernel side: %s", file, err);
		return;
	}
	for (unsigned i = 1; i < line && p; i++) {
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	fprintf(stderr, "%s:%u: error: rejected by the kernel side: %s", file, line, err);
	if (p)
		fprintf(stderr, "%.*s\n", (int)strcspn(p, "\n"), p);
}

int apply_validate(struct apply_state *st)
{
	int errors = 0;

	for (int i = 0; i < 2; i++) {
		struct ctg_diags *d;
		int rc;

		if (!st->rules_path[i])
			continue;
		rc = ctg_file_read(st->rules_path[i], &st->text[i], &st->len[i]);
		if (rc) {
			fprintf(stderr, "ctguard apply: %s: %s\n", st->rules_path[i],
				strerror(-rc));
			return CTG_EXIT_ENV;
		}
		d = ctg_diags_new();
		if (!d)
			return CTG_EXIT_ENV;
		st->rs[i] = ctg_ruleset_parse(st->text[i], st->len[i], st->rules_path[i],
					      i ? CTG_FAMILY_IPV6 : CTG_FAMILY_IPV4, d);
		errors += (int)ctg_cli_print_diags(d, stderr);
		ctg_diags_free(d);
		if (!st->rs[i])
			return CTG_EXIT_ENV;
	}
	if (errors) {
		fprintf(stderr, "ctguard apply: %d error%s: nothing was changed\n", errors,
			errors == 1 ? "" : "s");
		return CTG_EXIT_USAGE;
	}
	for (int i = 0; i < 2; i++) {
		struct ctg_exec_result r;
		int rc;

		if (!st->rules_path[i])
			continue;
		rc = ctg_rules_restore(st->backend, i ? 10 : 2, st->text[i], st->len[i], true, &r);
		if (rc == -EINVAL) {
			report_kernel_error(st->rules_path[i], st->text[i], r.err);
			errors++;
		} else if (rc) {
			fprintf(stderr, "ctguard apply: cannot run %s: %s\n",
				ctg_ipt_tool(st->backend, i ? 10 : 2, true), strerror(-rc));
			return CTG_EXIT_ENV;
		}
		ctg_exec_result_release(&r);
	}
	if (errors) {
		fprintf(stderr, "ctguard apply: rejected by %s --test: nothing was changed\n",
			ctg_ipt_tool(st->backend, 2, true));
		return CTG_EXIT_USAGE;
	}
	printf("ctguard apply: validated %s%s%s (%s backend)\n", st->rules_path[0] ? "IPv4" : "",
	       st->rules_path[0] && st->rules_path[1] ? " and " : "",
	       st->rules_path[1] ? "IPv6" : "", ctg_ipt_backend_name(st->backend));
	return 0;
}

int apply_load(struct apply_state *st)
{
	for (int i = 0; i < 2; i++) {
		struct ctg_exec_result r;
		int rc;

		if (!st->rules_path[i])
			continue;
		rc = ctg_rules_restore(st->backend, i ? 10 : 2, st->text[i], st->len[i], false, &r);
		if (rc) {
			fprintf(stderr, "ctguard apply: loading the %s rules failed: %s%s",
				fam_name(i), rc == -EINVAL ? "" : strerror(-rc),
				rc == -EINVAL ? r.err : "\n");
			ctg_exec_result_release(&r);
			return rc;
		}
		ctg_exec_result_release(&r);
	}
	return 0;
}

void apply_state_release(struct apply_state *st)
{
	for (int i = 0; i < 2; i++) {
		ctg_ruleset_free(st->rs[i]);
		ctg_ruleset_free(st->cur[i]);
		free(st->text[i]);
	}
	ctg_snapshot_release(&st->snap);
	ctg_ct_table_release(&st->ct_before);
}
