// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard apply: a firewall apply that cannot cut connections or lock you out. The
 * workflow is the library's apply session (lib/apply/session.h) and guard
 * (lib/apply/guard.h); this file parses options and renders (apply_render.c).
 *
 *   1. parse and validate (ours, then <family>tables-restore --test); on error nothing changes
 *   2. snapshot the current rules and check --method atomic against the live state; refuse
 *      cuts unless --fix or --force
 *   3. start a detached guard holding the snapshot (refused when the state directory
 *      cannot be written, or an earlier apply is pending or unresolved)
 *   4. snapshot again just before the load: changed since the check (another program) ->
 *      nothing is loaded; else load atomically (one restore transaction per family)
 *   5. audit the new rules (as `ctguard audit`) and heal its orphans (as `ctguard heal`)
 *   6. confirm (terminal prompt, --yes, or `ctguard apply --confirm` from another shell) or
 *      roll back; if the guard dies, this process takes over; if both die, the apply stays
 *      unresolved and blocks the next one until --confirm or --rollback.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <ctguard/ruleset.h>

#include "apply/guard.h"
#include "apply/session.h"
#include "apply_render.h"
#include "cli.h"
#include "common/opts.h"

struct apply_opts {
	const char *rules[2];
	int timeout;
	bool yes, fix, force, confirm, rollback, dry_run, no_prompt;
	enum ctg_ipt_backend backend;
	const char *state_dir;
};

static const struct ctg_cli_opt opts[] = {
	{"rules", LONG('r'), "FILE", "IPv4 ruleset in iptables-save format (\"-\" = stdin)"},
	{"rules6", LONG('6'), "FILE", "IPv6 ruleset in ip6tables-save format"},
	{"timeout", LONG('t'), "S", "seconds to wait for confirmation (default 30)"},
	{"yes", 'y', NULL, "confirm at once (no guard, no rollback)"},
	{"fix", LONG('f'), NULL, "merge the rules `check --fix` proposes before loading"},
	{"force", LONG('F'), NULL, "apply even if connections would be cut"},
	{"dry-run", LONG('n'), NULL, "validate and check only; change nothing"},
	{"backend", LONG('b'), "auto|nft|legacy",
	 "iptables backend (default auto: as `iptables -V`)"},
	{"state-dir", LONG('s'), "DIR", "guard state (default /run/ctguard/net-<netns inode>)"},
	{"no-prompt", LONG('P'), NULL, "do not ask on the terminal; wait for --confirm instead"},
	{"confirm", LONG('c'), NULL, "confirm a pending apply started from another shell"},
	{"rollback", LONG('R'), NULL, "roll a pending or unresolved apply back to its saved rules"},
	{0},
};

static const char *const conflicts[] = {
	"confirm",  "rules",	 "confirm",   "rules6",	  "confirm",  "yes",	   "confirm",
	"dry-run",  "confirm",	 "fix",	      "confirm",  "force",    "confirm",   "timeout",
	"confirm",  "no-prompt", "confirm",   "backend",  "yes",      "no-prompt", "yes",
	"timeout",  "rollback",	 "rules",     "rollback", "rules6",   "rollback",  "yes",
	"rollback", "dry-run",	 "rollback",  "fix",	  "rollback", "force",	   "rollback",
	"timeout",  "rollback",	 "no-prompt", "rollback", "backend",  "rollback",  "confirm",
	NULL,
};

static const struct ctg_cmd_spec spec = {
	.name = "apply",
	.synopsis = "[OPTIONS] --rules FILE [--rules6 FILE]\n--confirm [--state-dir DIR]\n"
		    "--rollback [--state-dir DIR]",
	.about = "Apply a ruleset safely: validate, check that no live connection would be cut,\n"
		 "snapshot, load atomically (nothing is loaded if another program changed the\n"
		 "rules since the check), audit and heal as `ctguard audit` and `ctguard heal`\n"
		 "do, then keep the new rules only when confirmed. Without confirmation within\n"
		 "the timeout the snapshot is restored exactly, even if this process, its shell\n"
		 "or the guard dies; an apply nobody could resolve blocks the next one until\n"
		 "--confirm or --rollback.",
	.opts = opts,
	.conflicts = conflicts,
	.exit = "Exit: 0 applied (or confirmed), 1 refused or rolled back, 2 usage or parse\n"
		"error, 3 environment error.",
};

static int apply_opt(void *ctx, int c, const char *arg)
{
	struct apply_opts *o = ctx;
	char *end;
	long v;

	switch (c) {
	case LONG('r'):
		o->rules[0] = arg;
		break;
	case LONG('6'):
		o->rules[1] = arg;
		break;
	case LONG('t'):
		v = strtol(arg, &end, 10);
		if (end == arg || *end || v < 1 || v > 86400)
			return ctg_opts_error(
				&spec, "--timeout: expected 1..86400 seconds, got \"%s\"", arg);
		o->timeout = (int)v;
		break;
	case 'y':
		o->yes = true;
		break;
	case LONG('f'):
		o->fix = true;
		break;
	case LONG('F'):
		o->force = true;
		break;
	case LONG('n'):
		o->dry_run = true;
		break;
	case LONG('c'):
		o->confirm = true;
		break;
	case LONG('R'):
		o->rollback = true;
		break;
	case LONG('P'):
		o->no_prompt = true;
		break;
	case LONG('b'):
		if (!strcmp(arg, "nft"))
			o->backend = CTG_IPT_NFT;
		else if (!strcmp(arg, "legacy"))
			o->backend = CTG_IPT_LEGACY;
		else if (!strcmp(arg, "auto"))
			o->backend = CTG_IPT_UNKNOWN;
		else
			return -EINVAL;
		break;
	case LONG('s'):
		o->state_dir = arg;
		break;
	}
	return 0;
}

/* 0 ok, 1 --help printed, -1 usage error printed. */
static int parse_args(int argc, char **argv, struct apply_opts *o)
{
	int r;

	o->timeout = 30;
	r = ctg_opts_parse(&spec, argc, argv, apply_opt, o);
	if (r)
		return r;
	if (optind < argc)
		return ctg_opts_error(&spec, "unexpected argument \"%s\"", argv[optind]);
	if (!o->confirm && !o->rollback && !o->rules[0] && !o->rules[1])
		return ctg_opts_error(&spec, "nothing to apply: give --rules and/or --rules6");
	return 0;
}

/* Reads "yes" from the terminal before the deadline. */
static bool ask_terminal(int timeout)
{
	char line[64];
	struct pollfd p = {.fd = 0, .events = POLLIN};
	ssize_t n;

	printf("Keep the new ruleset? Type \"yes\" within %d s (anything else rolls back): ",
	       timeout);
	fflush(stdout);
	if (poll(&p, 1, timeout * 1000) <= 0) {
		printf("\n");
		return false;
	}
	n = read(0, line, sizeof(line) - 1);
	if (n <= 0)
		return false;
	line[n] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	return !strcmp(line, "yes") || !strcmp(line, "y");
}

static int do_confirm(const char *dir)
{
	int rc = ctg_guard_confirm(dir);

	if (rc == -ENOENT) {
		fprintf(stderr, "ctguard apply: no pending apply in %s\n", dir);
		return CTG_EXIT_FINDINGS;
	}
	if (rc) {
		fprintf(stderr, "ctguard apply: confirm failed: %s\n", strerror(-rc));
		return CTG_EXIT_ENV;
	}
	apply_record(LOG_NOTICE, "confirmed the pending apply (%s)%s", dir, "");
	return CTG_EXIT_OK;
}

static int do_rollback(const char *dir)
{
	int rc = ctg_guard_rollback(dir);

	if (rc == -ENOENT) {
		fprintf(stderr, "ctguard apply: no pending apply in %s\n", dir);
		return CTG_EXIT_FINDINGS;
	}
	if (rc != CTG_GUARD_ROLLED_BACK) {
		fprintf(stderr,
			"ctguard apply: ROLLBACK FAILED (%s): the previous rules are in %s\n",
			rc < 0 ? strerror(-rc) : ctg_guard_status_name(rc), dir);
		return CTG_EXIT_ENV;
	}
	apply_record(LOG_WARNING, "rolled the pending apply back to its saved rules (%s)%s", dir,
		     "");
	return CTG_EXIT_OK;
}

/* A pending or unresolved apply here blocks a new one. 0 or the exit code. */
static int state_free(const char *dir)
{
	int rc = ctg_guard_free(dir);

	if (!rc)
		return 0;
	if (rc == -EBUSY)
		fprintf(stderr,
			"ctguard apply: another apply is pending in %s (confirm it or wait); "
			"nothing was changed\n",
			dir);
	else if (rc == -ENOTRECOVERABLE)
		fprintf(stderr,
			"ctguard apply: an earlier apply in %s is unresolved (its guard died "
			"before "
			"the deadline); its previous rules are saved there: run `ctguard apply "
			"--rollback` to restore them or `ctguard apply --confirm` to keep the "
			"current rules; nothing was changed\n",
			dir);
	else
		fprintf(stderr, "ctguard apply: cannot read the guard state in %s: %s\n", dir,
			strerror(-rc));
	return CTG_EXIT_ENV;
}

static void summary(const struct ctg_apply *a, const char *outcome)
{
	char msg[512], fam[32];

	snprintf(msg, sizeof(msg),
		 "%s: %s (%s backend); check: %zu cut or at risk, %zu fix rule%s merged; "
		 "heal: %zu entr%s re-inserted%s",
		 outcome, apply_families(a, "+", fam, sizeof(fam)),
		 ctg_ipt_backend_name(a->backend), a->bad, a->fix_rules,
		 a->fix_rules == 1 ? "" : "s", a->heal.inserted,
		 a->heal.inserted == 1 ? "y" : "ies",
		 a->heal.refused || a->heal.failed ? " (some not)" : "");
	apply_record(LOG_NOTICE, "%s%s", msg, "");
}

/* Steps 1-2: nothing changes before they all pass. 0 or the exit code. */
static int prepare(struct ctg_apply *a)
{
	enum ctg_apply_decision d;
	int rc = ctg_apply_validate(a);

	if (rc)
		return apply_render_invalid(a, rc);
	apply_render_valid(a);
	rc = ctg_apply_check(a);
	if (rc) {
		fprintf(stderr, "ctguard apply: cannot check the live connections: %s: %s%s\n",
			a->failed ? a->failed : "check", strerror(-rc),
			rc == -EPERM || rc == -EACCES ? " (needs root / CAP_NET_ADMIN)" : "");
		return CTG_EXIT_ENV;
	}
	apply_render_check(a);
	rc = ctg_apply_decide(a, &d);
	if (rc == -EBADMSG) {
		fprintf(stderr, "ctguard apply: the fixed ruleset does not load: %s",
			a->reject[0].set ? a->reject[0].err : a->reject[1].err);
		return CTG_EXIT_ENV;
	}
	if (rc) {
		fprintf(stderr, "ctguard apply: --fix: %s\n", strerror(-rc));
		return CTG_EXIT_ENV;
	}
	return apply_render_decision(a, d);
}

/* Steps 3-4. 0 or the exit code. */
static int load_guarded(struct ctg_apply *a, const struct apply_opts *o, const char *dir)
{
	int rc;

	if (!o->yes) {
		rc = ctg_guard_start(dir, &a->snap, a->backend, o->timeout);
		if (rc == -EBUSY || rc == -ENOTRECOVERABLE)
			return state_free(dir);
		if (rc) {
			fprintf(stderr,
				"ctguard apply: cannot start the rollback guard in %s: %s; nothing "
				"was changed\n",
				dir, strerror(-rc));
			return CTG_EXIT_ENV;
		}
	}
	rc = ctg_apply_load(a);
	if (!rc) {
		apply_record(LOG_NOTICE, "loaded the new ruleset atomically (%s backend)%s",
			     ctg_ipt_backend_name(a->backend), "");
		return 0;
	}
	if (rc == -ESTALE) {
		if (!o->yes)
			ctg_guard_cancel(dir);
		apply_record(LOG_WARNING,
			     "refused: the current rules changed since the check (another "
			     "program?); nothing was loaded and their rules are kept; run the "
			     "apply again%s%s",
			     "", "");
		return CTG_EXIT_FINDINGS;
	}
	apply_render_load_error(a, rc);
	rc = o->yes						? ctg_apply_restore(a)
	     : ctg_guard_rollback(dir) == CTG_GUARD_ROLLED_BACK ? 0
								: -EIO;
	apply_record(rc ? LOG_ERR : LOG_WARNING, "load failed; %s%s",
		     rc ? "RESTORING THE PREVIOUS RULES FAILED" : "previous rules restored", "");
	return rc ? CTG_EXIT_ENV : CTG_EXIT_FINDINGS;
}

/* Step 5: the audit and heal `ctguard audit` / `ctguard heal` run. */
static void heal_after_load(struct ctg_apply *a)
{
	int rc = ctg_apply_audit_loaded(a);

	if (!rc)
		rc = ctg_apply_heal(a);
	if (rc) {
		printf("ctguard apply: heal: skipped: cannot read the live state (%s: %s)\n",
		       a->failed ? a->failed : "heal", strerror(-rc));
		return;
	}
	apply_render_heal(a);
}

/* Step 6: returns the exit code. */
static int confirm_or_rollback(const struct apply_opts *o, const char *dir)
{
	int rc;

	if (o->yes) {
		apply_record(LOG_NOTICE, "applied (confirmed with --yes)%s%s", "", "");
		return CTG_EXIT_OK;
	}
	if (isatty(0) && !o->no_prompt) {
		if (ask_terminal(o->timeout) && !ctg_guard_confirm(dir)) {
			apply_record(LOG_NOTICE, "confirmed on the terminal%s%s", "", "");
			return CTG_EXIT_OK;
		}
		ctg_guard_rollback(dir);
	} else {
		printf("ctguard apply: run \"ctguard apply --confirm\" within %d s to keep the new "
		       "rules (the rollback happens even if this process dies)\n",
		       o->timeout);
		fflush(stdout);
	}
	rc = ctg_guard_wait(dir);
	if (rc == CTG_GUARD_CONFIRMED) {
		apply_record(LOG_NOTICE, "confirmed with ctguard apply --confirm%s%s", "", "");
		return CTG_EXIT_OK;
	}
	if (rc == CTG_GUARD_ROLLED_BACK)
		apply_record(LOG_WARNING, "not confirmed: rolled back to the previous rules (%s)%s",
			     dir, "");
	else
		apply_record(LOG_ERR, "ROLLBACK FAILED (%s): the previous rules are in %s",
			     rc < 0 ? strerror(-rc) : ctg_guard_status_name(rc), dir);
	return rc == CTG_GUARD_ROLLED_BACK ? CTG_EXIT_FINDINGS : CTG_EXIT_ENV;
}

static int run(struct ctg_apply *a, const struct apply_opts *o, const char *dir)
{
	int rc = ctg_apply_backend(a);

	if (rc) {
		fprintf(stderr, "ctguard apply: cannot run iptables -V: is iptables installed?\n");
		return CTG_EXIT_ENV;
	}
	rc = o->dry_run ? 0 : state_free(dir);
	if (!rc)
		rc = prepare(a);
	if (rc || o->dry_run) {
		if (!rc)
			printf("ctguard apply: dry run: valid and safe to apply; nothing "
			       "changed\n");
		return rc;
	}
	printf("ctguard apply: snapshot: the current %s rules\n",
	       a->snap.text[1] ? "IPv4 and IPv6" : "IPv4");
	rc = load_guarded(a, o, dir);
	if (rc)
		return rc;
	heal_after_load(a);
	rc = confirm_or_rollback(o, dir);
	if (rc == CTG_EXIT_OK) {
		if (!ctg_apply_audit_loaded(a))
			apply_render_audit(&a->audit);
		summary(a, "applied");
	} else {
		summary(a, rc == CTG_EXIT_FINDINGS ? "rolled back" : "ROLLBACK FAILED");
	}
	return rc;
}

int cmd_apply(struct ctg_cli *cli, int argc, char **argv)
{
	struct apply_opts o = {0};
	struct ctg_apply_opts ao = {0};
	struct ctg_apply a;
	char dirbuf[256];
	const char *dir;
	int rc;

	(void)cli;
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? CTG_EXIT_OK : CTG_EXIT_USAGE;
	openlog("ctguard", LOG_PID, LOG_USER);
	dir = o.state_dir ? o.state_dir : ctg_guard_default_dir(dirbuf, sizeof(dirbuf));
	if (o.confirm || o.rollback) {
		rc = o.confirm ? do_confirm(dir) : do_rollback(dir);
		closelog();
		return rc;
	}
	ao.rules_path[0] = o.rules[0];
	ao.rules_path[1] = o.rules[1];
	ao.backend = o.backend;
	ao.fix = o.fix;
	ao.force = o.force;
	ao.proc_root = getenv("PROC_ROOT");
	ctg_apply_init(&a, &ao);
	rc = run(&a, &o, dir);
	ctg_apply_release(&a);
	/* resolved (confirmed, rolled back, cancelled): its saved rules go; kept when
	 * pending or when a rollback failed (the saved rules are needed) */
	ctg_guard_clean(dir);
	closelog();
	return rc;
}
