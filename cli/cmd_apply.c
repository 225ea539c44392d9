// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard apply: a firewall apply that cannot cut connections or lock you out.
 *
 *   1. parse and validate (ours, then <family>tables-restore --test); on error nothing changes
 *   2. check --method atomic against the live state; refuse cuts unless --fix or --force
 *   3. snapshot the current rules (v4 + v6)
 *   4. start a detached guard that restores the snapshot at the deadline unless confirmed
 *   5. load atomically (one iptables-restore transaction per family)
 *   6. re-insert established conntrack entries lost during the load (heal)
 *   7. confirm (terminal prompt, --yes, or `ctguard apply --confirm` from another shell) or
 *      roll back; the guard survives the death of this process.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <ctguard/ruleset.h>

#include "apply/apply.h"
#include "apply_guard.h"
#include "apply_steps.h"
#include "cli.h"
#include "common/opts.h"

struct apply_opts {
	const char *rules[2];
	int timeout;
	bool yes, fix, force, confirm, dry_run, no_prompt;
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
	{0},
};

static const char *const conflicts[] = {
	"confirm", "rules",   "confirm", "rules6",    "confirm", "yes",	    "confirm", "dry-run",
	"confirm", "fix",     "confirm", "force",     "confirm", "timeout", "confirm", "no-prompt",
	"confirm", "backend", "yes",	 "no-prompt", "yes",	 "timeout", NULL,
};

static const struct ctg_cmd_spec spec = {
	.name = "apply",
	.synopsis = "[OPTIONS] --rules FILE [--rules6 FILE]\n--confirm [--state-dir DIR]",
	.about = "Apply a ruleset safely: validate, check that no live connection would be cut,\n"
		 "snapshot, load atomically, re-insert lost conntrack entries, then keep the new\n"
		 "rules only when confirmed. Without confirmation within the timeout the snapshot\n"
		 "is restored exactly, even if this process or its shell dies.",
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
	if (!o->confirm && !o->rules[0] && !o->rules[1])
		return ctg_opts_error(&spec, "nothing to apply: give --rules and/or --rules6");
	return 0;
}

static void record(int prio, const char *fmt, const char *a, const char *b)
{
	char msg[1024];

	snprintf(msg, sizeof(msg), fmt, a, b);
	printf("ctguard apply: %s\n", msg);
	fflush(stdout);
	syslog(prio, "%s", msg);
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
	record(LOG_NOTICE, "confirmed the pending apply (%s)%s", dir, "");
	return CTG_EXIT_OK;
}

static void summary(const struct apply_state *st, const char *outcome)
{
	char msg[512];

	snprintf(msg, sizeof(msg),
		 "%s: %s%s%s (%s backend); check: %zu cut or at risk, %zu fix rule%s merged; "
		 "conntrack: %zu entries re-inserted%s",
		 outcome, st->rules_path[0] ? "IPv4" : "",
		 st->rules_path[0] && st->rules_path[1] ? "+" : "", st->rules_path[1] ? "IPv6" : "",
		 ctg_ipt_backend_name(st->backend), st->at_risk, st->fix_rules,
		 st->fix_rules == 1 ? "" : "s", st->healed,
		 st->heal_failed ? " (some failed)" : "");
	record(LOG_NOTICE, "%s%s", msg, "");
}

/*
 * Tests only: CTGUARD_APPLY_AFTER_LOAD is a shell command run between the load and the
 * heal (e.g. deleting conntrack entries to exercise the heal step).
 */
static void run_test_hook(void)
{
	const char *cmd = getenv("CTGUARD_APPLY_AFTER_LOAD");

	if (cmd && *cmd) {
		fflush(NULL);
		if (system(cmd) != 0)
			printf("ctguard apply: CTGUARD_APPLY_AFTER_LOAD failed\n");
	}
}

/* Steps 1-3: nothing changes before they all pass. */
static int prepare(struct apply_state *st, const struct apply_opts *o)
{
	int rc = apply_validate(st);

	if (rc)
		return rc;
	rc = ctg_snapshot_take(st->backend, &st->snap);
	if (rc) {
		fprintf(stderr, "ctguard apply: cannot snapshot the current rules (%s): %s\n",
			ctg_ipt_tool(st->backend, 2, false), strerror(-rc));
		return CTG_EXIT_ENV;
	}
	rc = apply_parse_current(st);
	if (!rc)
		rc = apply_check(st, o->fix, o->force);
	return rc;
}

/* Step 6: returns the exit code. */
static int confirm_or_rollback(const struct apply_opts *o, const char *dir)
{
	int rc;

	if (o->yes) {
		record(LOG_NOTICE, "applied (confirmed with --yes)%s%s", "", "");
		return CTG_EXIT_OK;
	}
	if (isatty(0) && !o->no_prompt) {
		if (ask_terminal(o->timeout) && !ctg_guard_confirm(dir)) {
			record(LOG_NOTICE, "confirmed on the terminal%s%s", "", "");
			return CTG_EXIT_OK;
		}
		ctg_guard_rollback_now(dir);
	} else {
		printf("ctguard apply: run \"ctguard apply --confirm\" within %d s to keep the new "
		       "rules (the rollback happens even if this process dies)\n",
		       o->timeout);
		fflush(stdout);
	}
	rc = ctg_guard_wait(dir, o->timeout + 60);
	if (rc == CTG_GUARD_CONFIRMED) {
		record(LOG_NOTICE, "confirmed with ctguard apply --confirm%s%s", "", "");
		return CTG_EXIT_OK;
	}
	if (rc == CTG_GUARD_ROLLED_BACK)
		record(LOG_WARNING, "not confirmed: rolled back to the previous rules (%s)%s", dir,
		       "");
	else
		record(LOG_ERR, "ROLLBACK FAILED or timed out: the previous rules are in %s%s", dir,
		       "");
	return rc == CTG_GUARD_ROLLED_BACK ? CTG_EXIT_FINDINGS : CTG_EXIT_ENV;
}

static int load_guarded(struct apply_state *st, const struct apply_opts *o, const char *dir)
{
	struct ctg_exec_result res;
	int rc;

	if (!o->yes) {
		rc = ctg_guard_start(dir, &st->snap, st->backend, o->timeout);
		if (rc) {
			fprintf(stderr,
				"ctguard apply: cannot start the rollback guard in %s: %s\n", dir,
				rc == -EBUSY ? "another apply is pending (confirm it or wait)"
					     : strerror(-rc));
			return CTG_EXIT_ENV;
		}
	}
	if (!apply_load(st)) {
		record(LOG_NOTICE, "loaded the new ruleset atomically (%s backend)%s",
		       ctg_ipt_backend_name(st->backend), "");
		return 0;
	}
	if (!o->yes) {
		ctg_guard_rollback_now(dir);
		rc = ctg_guard_wait(dir, 60) == CTG_GUARD_ROLLED_BACK ? 0 : -EIO;
	} else {
		rc = ctg_snapshot_restore(st->backend, &st->snap, &res);
		ctg_exec_result_release(&res);
	}
	record(rc ? LOG_ERR : LOG_WARNING, "load failed; %s%s",
	       rc ? "RESTORING THE PREVIOUS RULES FAILED" : "previous rules restored", "");
	return rc ? CTG_EXIT_ENV : CTG_EXIT_FINDINGS;
}

int cmd_apply(struct ctg_cli *cli, int argc, char **argv)
{
	struct apply_opts o = {0};
	struct apply_state st = {0};
	char dirbuf[256];
	const char *dir;
	int rc;

	(void)cli;
	rc = parse_args(argc, argv, &o);
	if (rc)
		return rc > 0 ? CTG_EXIT_OK : CTG_EXIT_USAGE;
	openlog("ctguard", LOG_PID, LOG_USER);
	dir = o.state_dir ? o.state_dir : ctg_guard_default_dir(dirbuf, sizeof(dirbuf));
	if (o.confirm)
		return do_confirm(dir);
	if (o.backend == CTG_IPT_UNKNOWN) {
		if (ctg_ipt_backend_detect(CTG_FAMILY_IPV4, &o.backend)) {
			fprintf(stderr,
				"ctguard apply: cannot run iptables -V: is iptables installed?\n");
			return CTG_EXIT_ENV;
		}
		if (o.backend == CTG_IPT_UNKNOWN) /* neither marker: an old, legacy-only iptables */
			o.backend = CTG_IPT_LEGACY;
	}
	st.backend = o.backend;
	st.rules_path[0] = o.rules[0];
	st.rules_path[1] = o.rules[1];
	rc = prepare(&st, &o);
	if (rc || o.dry_run) {
		if (!rc)
			printf("ctguard apply: dry run: valid and safe to apply; nothing "
			       "changed\n");
		goto out;
	}
	apply_snapshot_ct(&st);
	rc = load_guarded(&st, &o, dir);
	if (rc)
		goto out;
	run_test_hook();
	apply_heal(&st);
	rc = confirm_or_rollback(&o, dir);
	if (rc == CTG_EXIT_OK) {
		apply_audit(&st);
		summary(&st, "applied");
	} else {
		summary(&st, rc == CTG_EXIT_FINDINGS ? "rolled back" : "ROLLBACK FAILED");
	}
out:
	apply_state_release(&st);
	closelog();
	return rc;
}
