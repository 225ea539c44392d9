// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard watch: the guard. The loop and its decisions are the library's (lib/watch);
 * here: options, the systemd notify protocol (sd_notify: READY=1 after the first audit,
 * WATCHDOG=1 at half of WATCHDOG_USEC, STOPPING=1 on SIGTERM), one log line per event
 * (stderr and syslog) or one JSON object per event, and the Prometheus textfile.
 */
#include "cmd_audit.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "common/opts.h"
#include "common/report.h"
#include "core/fileio.h"
#include "core/strbuf.h"
#include "watch/watch.h"

/* Orphans and heals named per line; the rest are counted. */
#define NAMED_MAX 8

struct watch_cli {
	struct ctg_cli *cli;
	struct ctg_watch_opts o;
	const char *prom_path;
	bool json, syslog, ready;
	/* totals for the textfile */
	unsigned long rounds, wipes, lost, nft_changes, legacy_changes, module_changes, heals,
		heal_failures, refused, audit_errors;
	size_t orphans, nat_lost;
	double last_event, last_reaction;
};

static const struct ctg_cli_opt opts[] = {
	{"heal", LONG('H'), NULL,
	 "re-insert the entries of orphaned connections as heal does\n"
	 "(only live local ESTABLISHED sockets, re-checked)"},
	{"prometheus", LONG('p'), "FILE", "keep node_exporter textfile metrics current (atomic)"},
	{"interval", LONG('i'), "S", "also a full audit every S seconds (default 60; 0: never)"},
	{"format", 'f', "text|json",
	 "log lines on stderr (default) or one JSON object per\nevent on stdout"},
	/* test-only: a tiny receive buffer forces ENOBUFS */
	{"rcvbuf", LONG('R'), "BYTES", NULL},
	{0},
};

static const struct ctg_cmd_spec spec = {
	.name = "watch",
	.synopsis = "[OPTIONS]",
	.about = "Guards the live connections: a foreground process (systemd Type=notify) that\n"
		 "audits the moment conntrack entries are wiped (destroy events), the nftables\n"
		 "ruleset changes (generation events name the process) or what sends no events\n"
		 "changes (iptables-legacy tables, the conntrack module, entries made before\n"
		 "watch started: polled every second). One line per event on stderr and syslog:\n"
		 "what changed, what was orphaned, what was healed, how long it took. Stops on\n"
		 "SIGTERM or SIGINT. Needs CAP_NET_ADMIN and CAP_NET_RAW.",
	.opts = opts,
	.exit = "Exit: 0 stopped by a signal, 2 usage, 3 environment (no netlink access).",
};

/* ---------------------------------------------------------------- text line */

static void conn_text(struct ctg_strbuf *sb, const struct ctg_conn *c)
{
	char l[80], p[80];

	ctg_sb_printf(sb, "%s %s->%s", ctg_report_proto(c->l4proto),
		      audit_endpoint(c->family, &c->laddr, c->lport, l, sizeof(l)),
		      audit_endpoint(c->family, &c->paddr, c->pport, p, sizeof(p)));
	if (c->sock && c->sock->comm[0])
		ctg_sb_printf(sb, " (%s)", c->sock->comm);
}

static void cause_text(struct ctg_strbuf *sb, const struct ctg_watch_round *r)
{
	const char *sep = "";

	if (r->why & CTG_WATCH_START) {
		ctg_sb_printf(sb, "started: first audit");
		sep = "; ";
	}
	if (r->why & (CTG_WATCH_CT_DESTROY | CTG_WATCH_CT_LOST)) {
		ctg_sb_printf(sb, "%s%s: %zu entries destroyed", sep,
			      r->wipe ? "conntrack wipe" : "conntrack", r->destroyed);
		if (r->why & CTG_WATCH_CT_LOST)
			ctg_sb_printf(sb, " (events lost: ENOBUFS, audited in full)");
		else if (r->destroyed_live)
			ctg_sb_printf(sb, " (%zu of live local connections)", r->destroyed_live);
		sep = "; ";
	}
	if (r->why & CTG_WATCH_CT_SILENT) {
		ctg_sb_printf(sb,
			      "%sconntrack wipe: entries of %zu live connections gone (made before "
			      "watch listened: no events)",
			      sep, r->destroyed);
		sep = "; ";
	}
	if (r->why & CTG_WATCH_NFT_GEN) {
		ctg_sb_printf(sb, "%sruleset reload: nftables generation %u by PID %u (%s)", sep,
			      r->nft_gen, r->nft_pid, r->nft_comm[0] ? r->nft_comm : "?");
		if (r->nft_gens > 1)
			ctg_sb_printf(sb, ", %zu generations", r->nft_gens);
		sep = "; ";
	}
	if (r->why & CTG_WATCH_LEGACY) {
		ctg_sb_printf(sb, "%siptables-legacy tables changed: %s", sep, r->legacy);
		sep = "; ";
	}
	if (r->why & CTG_WATCH_MODULE) {
		ctg_sb_printf(sb, "%sconntrack module %s", sep, r->module);
		sep = "; ";
	}
	if (r->why & CTG_WATCH_PERIODIC)
		ctg_sb_printf(sb, "%speriodic audit", sep);
}

static void orphans_text(struct ctg_strbuf *sb, const struct ctg_audit_report *rep)
{
	size_t named = 0;

	ctg_sb_printf(sb, "; %zu orphaned", rep->orphans);
	for (size_t i = 0; i < rep->n; i++) {
		const struct ctg_audit_item *it = &rep->v[i];

		if (!ctg_audit_is_orphan(it) || !it->certain)
			continue;
		if (named++ == NAMED_MAX) {
			ctg_sb_printf(sb, ", ...");
			break;
		}
		ctg_sb_printf(sb, "%s", named == 1 ? ": " : ", ");
		conn_text(sb, &it->conn);
		if (it->kind != CTG_AUDIT_NO_ENTRY)
			ctg_sb_printf(sb, " [%s]", ctg_audit_kind_name(it->kind));
	}
	if (rep->possible)
		ctg_sb_printf(sb, "; %zu possibly orphaned", rep->possible);
}

static void heal_text(struct ctg_strbuf *sb, const struct ctg_heal_report *h)
{
	static const char *const what[] = {
		[CTG_HEAL_INSERTED] = "healed",
		[CTG_HEAL_REFUSED] = "refused (no live ESTABLISHED socket)",
		[CTG_HEAL_FAILED] = "heal failed",
	};

	for (int s = CTG_HEAL_INSERTED; s <= CTG_HEAL_FAILED; s++) {
		size_t n = 0, named = 0;

		for (size_t i = 0; i < h->n; i++)
			n += h->v[i].status == (enum ctg_heal_status)s;
		if (!n)
			continue;
		ctg_sb_printf(sb, "; %s %zu", what[s], n);
		for (size_t i = 0; i < h->n && named < NAMED_MAX; i++) {
			const struct ctg_heal_item *hi = &h->v[i];

			if (hi->status != (enum ctg_heal_status)s)
				continue;
			ctg_sb_printf(sb, "%s", named++ ? ", " : ": ");
			conn_text(sb, &hi->it->conn);
			if (s == CTG_HEAL_FAILED)
				ctg_sb_printf(sb, " (%s)",
					      hi->err == -EEXIST ? "an entry exists already"
								 : strerror(-hi->err));
		}
	}
}

static void round_text(struct ctg_strbuf *sb, const struct ctg_watch_round *r)
{
	cause_text(sb, r);
	if (r->err) {
		ctg_sb_printf(sb, "; audit failed: %s: %s", r->failed ? r->failed : "?",
			      strerror(-r->err));
		return;
	}
	orphans_text(sb, &r->report);
	heal_text(sb, &r->heal);
	ctg_sb_printf(sb, "; %.1f ms from the event (audit %.1f ms, %zu connections, %zu entries)",
		      (r->t_done - r->t_event) * 1e3, (r->t_done - r->t_audit) * 1e3,
		      r->report.conns, r->report.entries);
}

/* ---------------------------------------------------------------- json line */

static json_t *conn_json(const struct ctg_conn *c)
{
	char l[80], p[80];

	return json_pack("{s:s, s:s, s:s, s:s?}", "proto", ctg_report_proto(c->l4proto), "local",
			 audit_endpoint(c->family, &c->laddr, c->lport, l, sizeof(l)), "peer",
			 audit_endpoint(c->family, &c->paddr, c->pport, p, sizeof(p)), "process",
			 c->sock && c->sock->comm[0] ? c->sock->comm : NULL);
}

static json_t *round_json(const struct ctg_watch_round *r)
{
	static const char *const st[] = {
		[CTG_HEAL_NOT_HEALABLE] = "not-healable",
		[CTG_HEAL_UNCERTAIN] = "uncertain",
		[CTG_HEAL_NO_SOCKET] = "no-socket",
		[CTG_HEAL_PLANNED] = "planned",
		[CTG_HEAL_INSERTED] = "healed",
		[CTG_HEAL_REFUSED] = "refused",
		[CTG_HEAL_FAILED] = "failed",
	};
	json_t *o = json_object(), *orph = json_array(), *heal = json_array();
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_set_new(o, "time", json_real((double)ts.tv_sec + ts.tv_nsec / 1e9));
	json_object_set_new(o, "start", json_boolean(r->why & CTG_WATCH_START));
	json_object_set_new(o, "wipe", json_boolean(r->wipe));
	json_object_set_new(o, "destroyed", json_integer((json_int_t)r->destroyed));
	json_object_set_new(o, "destroyed_live", json_integer((json_int_t)r->destroyed_live));
	json_object_set_new(o, "events_lost", json_boolean(r->why & CTG_WATCH_CT_LOST));
	/* entries made before watch listened, found gone by the poll (no destroy events) */
	json_object_set_new(o, "silent_wipe", json_boolean(r->why & CTG_WATCH_CT_SILENT));
	if (r->why & CTG_WATCH_NFT_GEN)
		json_object_set_new(o, "nft_generation",
				    json_pack("{s:I, s:I, s:s, s:I}", "id", (json_int_t)r->nft_gen,
					      "pid", (json_int_t)r->nft_pid, "process", r->nft_comm,
					      "count", (json_int_t)r->nft_gens));
	if (r->why & CTG_WATCH_LEGACY)
		json_object_set_new(o, "legacy_tables", json_string(r->legacy));
	if (r->module)
		json_object_set_new(o, "conntrack_module", json_string(r->module));
	json_object_set_new(o, "periodic", json_boolean(r->why & CTG_WATCH_PERIODIC));
	if (r->err) {
		json_object_set_new(o, "error",
				    json_pack("{s:s, s:s}", "what", r->failed ? r->failed : "?",
					      "message", strerror(-r->err)));
	} else {
		for (size_t i = 0; i < r->report.n; i++)
			if (ctg_audit_is_orphan(&r->report.v[i]) && r->report.v[i].certain) {
				json_t *c = conn_json(&r->report.v[i].conn);

				json_object_set_new(
					c, "kind",
					json_string(ctg_audit_kind_name(r->report.v[i].kind)));
				json_array_append_new(orph, c);
			}
		for (size_t i = 0; i < r->heal.n; i++) {
			json_t *c = conn_json(&r->heal.v[i].it->conn);

			json_object_set_new(c, "result", json_string(st[r->heal.v[i].status]));
			json_array_append_new(heal, c);
		}
		json_object_set_new(o, "connections", json_integer((json_int_t)r->report.conns));
		json_object_set_new(o, "reaction_seconds", json_real(r->t_done - r->t_event));
		json_object_set_new(o, "audit_seconds", json_real(r->t_done - r->t_audit));
	}
	json_object_set_new(o, "orphans", orph);
	json_object_set_new(o, "heal", heal);
	return o;
}

/* ---------------------------------------------------------------- prometheus */

static void prom_metric(FILE *f, const char *name, const char *type, const char *help, double v)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n%s %.6g\n", name, help, name, type, name, v);
}

static int prom_write(const struct watch_cli *w)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (!f)
		return -errno;
	prom_metric(f, "ctguard_watch_orphaned_connections", "gauge",
		    "Connections still orphaned after the last audit and heal.",
		    (double)w->orphans);
	prom_metric(f, "ctguard_watch_nat_lost_connections", "gauge",
		    "Orphans of the last audit whose NAT mapping was lost (not healable).",
		    (double)w->nat_lost);
	prom_metric(f, "ctguard_watch_heals_total", "counter",
		    "Conntrack entries re-inserted for orphaned connections.", (double)w->heals);
	prom_metric(f, "ctguard_watch_heal_failures_total", "counter",
		    "Heal inserts that failed or were refused (no live socket).",
		    (double)(w->heal_failures + w->refused));
	prom_metric(f, "ctguard_watch_wipes_total", "counter",
		    "Conntrack wipes seen (flush bursts, lost events, victims).", (double)w->wipes);
	prom_metric(f, "ctguard_watch_events_lost_total", "counter",
		    "Event bursts that overflowed the receive buffer (audited in full).",
		    (double)w->lost);
	prom_metric(f, "ctguard_watch_ruleset_changes_total", "counter",
		    "Ruleset changes seen (nftables generations and iptables-legacy tables).",
		    (double)(w->nft_changes + w->legacy_changes));
	prom_metric(f, "ctguard_watch_module_changes_total", "counter",
		    "Conntrack module unloads, loads and reloads seen.", (double)w->module_changes);
	prom_metric(f, "ctguard_watch_audits_total", "counter", "Audits run.", (double)w->rounds);
	prom_metric(f, "ctguard_watch_audit_errors_total", "counter",
		    "Audits that could not read their inputs.", (double)w->audit_errors);
	prom_metric(f, "ctguard_watch_last_event_timestamp_seconds", "gauge",
		    "Unix time of the last event that led to an audit.", w->last_event);
	prom_metric(f, "ctguard_watch_reaction_seconds", "gauge",
		    "Time from the last event to the end of its audit and heal.", w->last_reaction);
	if (fclose(f)) {
		free(buf);
		return -ENOMEM;
	}
	ret = ctg_file_write_atomic(w->prom_path, buf, len, 0644);
	free(buf);
	return ret;
}

/* ---------------------------------------------------------------- hooks */

static double mono_to_real(double mono)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (double)r.tv_sec + r.tv_nsec / 1e9 - ((double)m.tv_sec + m.tv_nsec / 1e9 - mono);
}

static void count(struct watch_cli *w, const struct ctg_watch_round *r)
{
	w->rounds++;
	w->wipes += r->wipe;
	w->lost += !!(r->why & CTG_WATCH_CT_LOST);
	w->nft_changes += r->nft_gens;
	w->legacy_changes += !!(r->why & CTG_WATCH_LEGACY);
	w->module_changes += !!(r->why & CTG_WATCH_MODULE);
	w->audit_errors += !!r->err;
	w->heals += r->heal.inserted;
	w->heal_failures += r->heal.failed;
	w->refused += r->heal.refused;
	if (!r->err) {
		/* what is still orphaned once heal is done */
		w->orphans = r->report.orphans - (r->heal.inserted < r->report.orphans
							  ? r->heal.inserted
							  : r->report.orphans);
		w->nat_lost = r->report.nat_lost;
	}
	if (!(r->why & CTG_WATCH_PERIODIC) || r->report.orphans) {
		w->last_event = mono_to_real(r->t_event);
		w->last_reaction = r->t_done - r->t_event;
	}
}

/* Something worth a line: an event, or a periodic audit that found orphans or failed. */
static bool worth_logging(const struct ctg_watch_round *r)
{
	return r->why != CTG_WATCH_PERIODIC || r->err || r->report.orphans || r->heal.n;
}

static void on_round(const struct ctg_watch_round *r, void *ctx)
{
	struct watch_cli *w = ctx;
	struct ctg_strbuf sb;
	int ret;

	count(w, r);
	if (worth_logging(r)) {
		ctg_sb_init(&sb);
		round_text(&sb, r);
		if (w->json) {
			json_t *o = round_json(r);

			json_dumpf(o, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			fflush(stdout);
			json_decref(o);
		} else {
			fprintf(stderr, "%s watch: %s\n", w->cli->prog, ctg_sb_str(&sb));
		}
		if (w->syslog)
			syslog(r->err || r->heal.failed || r->heal.refused ? LOG_ERR
			       : r->report.orphans || r->wipe		   ? LOG_WARNING
									   : LOG_INFO,
			       "%s", ctg_sb_str(&sb));
		ctg_sb_release(&sb);
	}
	if (w->prom_path && (ret = prom_write(w)) < 0)
		fprintf(stderr, "%s watch: writing %s: %s\n", w->cli->prog, w->prom_path,
			strerror(-ret));
	if (!w->ready) {
		w->ready = true;
		sd_notifyf(0, "READY=1\nSTATUS=watching: %zu connections, %zu orphaned",
			   r->report.conns, r->report.orphans);
	}
}

static void on_tick(void *ctx)
{
	(void)ctx;
	sd_notify(0, "WATCHDOG=1");
}

/*
 * Under systemd stderr goes to the journal already (JOURNAL_STREAM names it): syslog
 * then would log every line twice.
 */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(2, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* ---------------------------------------------------------------- options */

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return *s && !*end && !errno && *out <= max && s[0] != '-' ? 0 : -1;
}

static int watch_opt(void *ctx, int id, const char *arg)
{
	struct watch_cli *w = ctx;
	unsigned long v;

	switch (id) {
	case LONG('H'):
		w->o.heal = true;
		return 0;
	case LONG('p'):
		w->prom_path = arg;
		return 0;
	case LONG('i'):
		if (parse_uint(arg, 86400, &v) < 0)
			return -EINVAL;
		w->o.interval_s = (unsigned)v;
		return 0;
	case 'f':
		if (strcmp(arg, "text") && strcmp(arg, "json"))
			return -EINVAL;
		w->json = !strcmp(arg, "json");
		return 0;
	case LONG('R'):
		if (parse_uint(arg, 1 << 30, &v) < 0 || !v)
			return -EINVAL;
		w->o.rcvbuf = (int)v;
		return 0;
	default:
		return -EINVAL;
	}
}

static int parse_args(struct watch_cli *w, int argc, char **argv)
{
	int r = ctg_opts_parse(&spec, argc, argv, watch_opt, w);

	if (r > 0)
		return -1;
	if (!r && optind < argc)
		r = ctg_opts_error(&spec, "unexpected argument \"%s\"", argv[optind]);
	return r ? CTG_EXIT_USAGE : 0;
}

/* SIGTERM and SIGINT arrive on a descriptor the loop polls. */
static int stop_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int cmd_watch(struct ctg_cli *cli, int argc, char **argv)
{
	struct watch_cli w = {.cli = cli, .o = {.interval_s = 60}};
	const struct ctg_watch_hooks hooks = {.round = on_round, .tick = on_tick};
	uint64_t usec = 0;
	int ret;

	ret = parse_args(&w, argc, argv);
	if (ret)
		return ret < 0 ? CTG_EXIT_OK : ret;
	w.o.stop_fd = stop_fd();
	if (w.o.stop_fd < 0) {
		fprintf(stderr, "%s watch: signalfd: %s\n", cli->prog, strerror(errno));
		return CTG_EXIT_ENV;
	}
	/* the watchdog wants a ping at least every WATCHDOG_USEC: ping twice as often */
	if (sd_watchdog_enabled(0, &usec) > 0 && usec)
		w.o.tick_ms = (unsigned)(usec / 2000 ? usec / 2000 : 1);
	w.syslog = !stderr_is_journal();
	if (w.syslog)
		openlog("ctguard-watch", LOG_PID, LOG_DAEMON);
	ret = ctg_watch_run(&w.o, &hooks, &w);
	sd_notify(0, "STOPPING=1");
	close(w.o.stop_fd);
	if (ret < 0) {
		fprintf(stderr, "%s watch: %s%s\n", cli->prog, strerror(-ret),
			ret == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		return CTG_EXIT_ENV;
	}
	if (!w.json)
		fprintf(stderr, "%s watch: stopped: %lu audits, %lu wipes, %lu healed\n", cli->prog,
			w.rounds, w.wipes, w.heals);
	return CTG_EXIT_OK;
}
