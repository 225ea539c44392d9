// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctguard demo: the lost-replica story, live, in two throwaway network namespaces.
 * A "primary" (server, port 3306) and an idle "replica" (client) whose firewall is the
 * classic INPUT DROP + ESTABLISHED,RELATED. ctguard predicts the cut, a restart-style
 * wipe (conntrack -F) happens, the primary's data stops arriving, `ctguard audit` reports
 * the orphan, `ctguard heal` rescues it, data flows again. Needs root, iproute2, iptables
 * and conntrack. The namespaces are removed on every exit path (atexit + signals).
 */
#include "cmd_audit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/exec.h"

#define DEMO_PORT 3306

struct demo {
	char ns_srv[48], ns_cli[48];
	char ip_srv[16], ip_cli[16];
	int home_ns;	   /* our original network namespace */
	int lfd, sfd, cfd; /* listener + accepted (primary), client (replica) */
	bool quiet;
};

static struct demo *g_demo; /* for the atexit/signal cleanup only */
static char g_ip_path[256]; /* `ip` in the system directories, found before any signal */

static const char demo_rules[] = "*filter\n"
				 ":INPUT DROP [0:0]\n"
				 ":FORWARD DROP [0:0]\n"
				 ":OUTPUT ACCEPT [0:0]\n"
				 "-A INPUT -i lo -j ACCEPT\n"
				 "-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
				 "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
				 "COMMIT\n";

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* Runs a command quietly; returns its exit status or -errno. */
static int run(const char *input, const char *const *argv)
{
	struct ctg_exec_result r;
	int ret = ctg_exec(argv, input, input ? strlen(input) : 0, &r);

	if (ret < 0) {
		ctg_exec_result_release(&r);
		return ret;
	}
	ret = r.status;
	if (ret && r.err && r.err_len)
		fprintf(stderr, "  (%s: %s)\n", argv[0], r.err);
	ctg_exec_result_release(&r);
	return ret;
}

/* Runs a command and shows its output indented, as if typed at a prompt. */
static int run_show(const char *shown, const char *const *argv)
{
	struct ctg_exec_result r;
	int ret = ctg_exec(argv, NULL, 0, &r);

	if (ret < 0) {
		ctg_exec_result_release(&r);
		return ret;
	}
	say("  replica# %s\n", shown);
	if (r.err_len && !r.status) {
		say("    %s", r.err);
		r.err_len = 0;
	}
	for (char *l = r.out, *nl; l && *l; l = nl) {
		nl = strchr(l, '\n');
		if (nl)
			*nl++ = 0;
		say("    %s\n", l);
		if (!nl)
			break;
	}
	if (r.err_len)
		fprintf(stderr, "%s", r.err);
	ret = r.status;
	ctg_exec_result_release(&r);
	return ret;
}

static void demo_cleanup(void)
{
	struct demo *d = g_demo;

	if (!d)
		return;
	g_demo = NULL;
	if (d->home_ns >= 0)
		setns(d->home_ns, CLONE_NEWNET);
	for (int *fd = &d->lfd; fd <= &d->cfd; fd++)
		if (*fd >= 0)
			close(*fd);
	run(NULL, (const char *const[]){"ip", "netns", "del", d->ns_srv, NULL});
	run(NULL, (const char *const[]){"ip", "netns", "del", d->ns_cli, NULL});
	if (d->home_ns >= 0)
		close(d->home_ns);
}

/* Async-signal-safe cleanup: fork/execve/waitpid only (no PATH, a fixed environment). */
static void del_ns_raw(const char *ns)
{
	pid_t p = g_ip_path[0] ? fork() : -1;

	if (p == 0) {
		char *const argv[] = {"ip", "netns", "del", (char *)ns, NULL};
		char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};

		execve(g_ip_path, argv, envp);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}

static void on_signal(int sig)
{
	struct demo *d = g_demo;

	g_demo = NULL;
	if (d) {
		del_ns_raw(d->ns_srv);
		del_ns_raw(d->ns_cli);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static int enter_ns(struct demo *d, const char *ns)
{
	char path[128];
	int fd, ret;

	if (!ns)
		return setns(d->home_ns, CLONE_NEWNET) < 0 ? -errno : 0;
	snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = setns(fd, CLONE_NEWNET) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

static int ns_setup(struct demo *d)
{
	char a[32], b[32];

	snprintf(a, sizeof(a), "%s/24", d->ip_srv);
	snprintf(b, sizeof(b), "%s/24", d->ip_cli);
	if (run(NULL, (const char *const[]){"ip", "netns", "add", d->ns_srv, NULL}) ||
	    run(NULL, (const char *const[]){"ip", "netns", "add", d->ns_cli, NULL}) ||
	    run(NULL,
		(const char *const[]){"ip", "-n", d->ns_srv, "link", "add", "eth0", "type", "veth",
				      "peer", "name", "eth0", "netns", d->ns_cli, NULL}) ||
	    run(NULL, (const char *const[]){"ip", "-n", d->ns_srv, "addr", "add", a, "dev", "eth0",
					    NULL}) ||
	    run(NULL, (const char *const[]){"ip", "-n", d->ns_cli, "addr", "add", b, "dev", "eth0",
					    NULL}))
		return -1;
	for (int i = 0; i < 2; i++) {
		const char *ns = i ? d->ns_cli : d->ns_srv;

		if (run(NULL,
			(const char *const[]){"ip", "-n", ns, "link", "set", "lo", "up", NULL}) ||
		    run(NULL,
			(const char *const[]){"ip", "-n", ns, "link", "set", "eth0", "up", NULL}))
			return -1;
	}
	return 0;
}

static int connect_pair(struct demo *d)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(DEMO_PORT)};
	int one = 1;

	if (enter_ns(d, d->ns_srv) < 0)
		return -1;
	inet_pton(AF_INET, d->ip_srv, &sa.sin_addr);
	d->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->lfd < 0 || setsockopt(d->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(d->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(d->lfd, 4) < 0)
		return -1;
	if (enter_ns(d, d->ns_cli) < 0)
		return -1;
	d->cfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->cfd < 0 || connect(d->cfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -1;
	d->sfd = accept4(d->lfd, NULL, NULL, SOCK_CLOEXEC);
	return d->sfd < 0 ? -1 : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits up to ms for data on the replica's socket; returns bytes read (0 = nothing). */
static ssize_t replica_recv(struct demo *d, int ms, char *buf, size_t size)
{
	struct pollfd p = {.fd = d->cfd, .events = POLLIN};
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	n = recv(d->cfd, buf, size - 1, 0);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	return n;
}

static void primary_send(struct demo *d, const char *row)
{
	say("   primary -> replica: \"%s\" ... ", row);
	if (send(d->sfd, row, strlen(row), 0) < 0)
		say("(send: %s) ", strerror(errno));
}

static void intro(const struct demo *d)
{
	say("ctguard demo: a firewall restart silently cuts an idle database replica.\n\n"
	    "  primary  netns %-22s %s, listens on port %d\n"
	    "  replica  netns %-22s %s, firewall: INPUT policy DROP,\n"
	    "           accept lo, ESTABLISHED,RELATED and ssh (the classic rules)\n\n",
	    d->ns_srv, d->ip_srv, DEMO_PORT, d->ns_cli, d->ip_cli);
}

/* Steps 1-4: connection, prediction, wipe, data stops. Returns problems found (0 = ok). */
static int act_one(struct demo *d, const char *self)
{
	char buf[256];
	int bad = 0;

	say("1. The replica connects to the primary and waits, idle, for new rows.\n");
	primary_send(d, "row 1");
	if (replica_recv(d, 2000, buf, sizeof(buf)))
		say("arrived.\n");
	else
		say("did NOT arrive (unexpected).\n"), bad++;
	say("\n2. Before touching the firewall, ctguard predicts what a restart that wipes\n"
	    "   the conntrack table (conntrack -F, systemctl restart iptables) would cut:\n");
	if (run_show("ctguard check --method restart",
		     (const char *const[]){self, "check", "--method", "restart", NULL}) != 1)
		say("   (nothing predicted: unexpected)\n"), bad++;
	say("\n3. Someone restarts the firewall anyway; the conntrack table is wiped:\n");
	if (run_show("conntrack -F", (const char *const[]){"conntrack", "-F", NULL}))
		bad++;
	say("\n4. The primary writes a new row:\n");
	primary_send(d, "row 2");
	if (replica_recv(d, 2000, buf, sizeof(buf)))
		say("arrived (unexpected).\n"), bad++;
	else
		say("nothing arrives within 2 s.\n");
	say("   The replica's socket is still ESTABLISHED and it has nothing to send, so no\n"
	    "   outgoing packet re-creates the entry: the primary's segments are now NEW\n"
	    "   (tcp_loose pick-up) and the INPUT policy drops them, retransmission after\n"
	    "   retransmission. MariaDB would say \"Waiting for master to send event\".\n");
	return bad;
}

/* Steps 5-7: audit, heal, data flows again. */
static int act_two(struct demo *d, const char *self)
{
	char buf[256];
	double t0;
	int bad = 0;

	say("\n5. ctguard audit finds the orphaned connection:\n");
	if (run_show("ctguard audit", (const char *const[]){self, "audit", NULL}) != 1)
		bad++;
	say("\n6. ctguard heal re-inserts the conntrack entry the kernel lost:\n");
	if (run_show("ctguard heal", (const char *const[]){self, "heal", NULL}))
		bad++;
	say("\n7. The primary retransmits; this time the segment is ESTABLISHED:\n   ");
	t0 = now_s();
	if (replica_recv(d, 20000, buf, sizeof(buf)))
		say("\"%s\" arrived %.1f s after the heal.\n", buf, now_s() - t0);
	else
		say("still nothing after 20 s (unexpected).\n"), bad++;
	primary_send(d, "row 3");
	if (replica_recv(d, 2000, buf, sizeof(buf)))
		say("arrived.\n");
	else
		say("did NOT arrive (unexpected).\n"), bad++;
	if (run_show("ctguard audit --nagios",
		     (const char *const[]){self, "audit", "--nagios", NULL}))
		bad++;
	return bad;
}

static const struct ctg_cmd_spec spec = {
	.name = "demo",
	.synopsis = "",
	.about = "Plays the lost-replica story live in two throwaway network namespaces\n"
		 "(ctg-demo-PID-p / -r, 10.200.63.0/24), always removed at the end.\n"
		 "Needs root, iproute2, iptables and conntrack.",
	.exit = "Exit: 0 the story went as told, 1 some step behaved differently, 3 setup\n"
		"failed.",
};

static int no_opt(void *ctx, int c, const char *arg)
{
	return -EINVAL;
}

int cmd_demo(struct ctg_cli *cli, int argc, char **argv)
{
	struct demo d = {.home_ns = -1, .lfd = -1, .sfd = -1, .cfd = -1};
	char self[4096];
	ssize_t n;
	int bad;

	bad = ctg_opts_parse(&spec, argc, argv, no_opt, NULL);
	if (!bad && optind < argc)
		bad = ctg_opts_error(&spec, "unexpected argument \"%s\"", argv[optind]);
	if (bad)
		return bad > 0 ? CTG_EXIT_OK : CTG_EXIT_USAGE;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0 || geteuid() != 0) {
		fprintf(stderr, "%s demo: needs root (network namespaces)\n", cli->prog);
		return CTG_EXIT_ENV;
	}
	self[n] = 0;
	snprintf(d.ns_srv, sizeof(d.ns_srv), "ctg-demo-%d-p", (int)getpid());
	snprintf(d.ns_cli, sizeof(d.ns_cli), "ctg-demo-%d-r", (int)getpid());
	strcpy(d.ip_srv, "10.200.63.1");
	strcpy(d.ip_cli, "10.200.63.2");
	d.home_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ctg_exec_find("ip", g_ip_path, sizeof(g_ip_path)))
		g_ip_path[0] = '\0';
	g_demo = &d;
	atexit(demo_cleanup);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	intro(&d);
	if (d.home_ns < 0 || ns_setup(&d) < 0 || enter_ns(&d, d.ns_cli) < 0 ||
	    run(demo_rules, (const char *const[]){"iptables-restore", NULL}) ||
	    connect_pair(&d) < 0) {
		fprintf(stderr, "%s demo: setting up the namespaces failed: %s\n", cli->prog,
			strerror(errno));
		demo_cleanup();
		return CTG_EXIT_ENV;
	}
	bad = act_one(&d, self);
	bad += act_two(&d, self);
	demo_cleanup();
	say("\nDone: namespaces removed. %s\n",
	    bad ? "Some step did not behave as described (see above)."
		: "Without ctguard the replica would have stayed silently stale until\n"
		  "someone noticed. `ctguard check` before a reload and `ctguard apply` prevent "
		  "it.");
	return bad ? CTG_EXIT_FINDINGS : CTG_EXIT_OK;
}
