// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct-read-bench [-n ENTRIES] [-r RUNS]: conntrack readers against baselines measured in the
 * same run, in a throwaway network namespace (unshare(CLONE_NEWNET), root only):
 *   netlink reader (ctg_ct_read_nl)   vs  `conntrack -L > /dev/null`  and a bare mnl dump loop
 *   /proc reader (ctg_ct_read_proc)   vs  `cat /proc/net/nf_conntrack > /dev/null`
 * Entries are inserted with tools/ct-bulk-insert (found next to this binary's build dir).
 * Prints figures and ratios (best of RUNS); never asserts.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include <ctguard/conns.h>
#include <ctguard/source.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double child_cpu, child_sys; /* user+sys and sys of the last run_cmd child */

static double tv(const struct timeval *t)
{
	return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

/* user+sys CPU seconds of this process so far; *sys: the system part */
static double self_cpu(double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*sys = tv(&ru.ru_stime);
	return tv(&ru.ru_utime) + *sys;
}

static int run_cmd(char *const argv[], const char *out)
{
	pid_t pid = fork();
	struct rusage ru;
	int st;

	if (pid == 0) {
		int fd = open(out, O_WRONLY);

		dup2(fd, 1);
		dup2(fd, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &st, 0, &ru) < 0)
		return -1;
	child_cpu = tv(&ru.ru_utime) + tv(&ru.ru_stime);
	child_sys = tv(&ru.ru_stime);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The floor: one dump, every message validated by mnl_cb_run, no decoding. */
static int bare_dump(void)
{
	static char buf[1 << 17];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int sz = 32 << 20, ret;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = 1;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = 0;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0)
			return -1;
		ret = mnl_cb_run(buf, (size_t)n, 1, mnl_socket_get_portid(nl), NULL, NULL);
		if (ret <= MNL_CB_STOP)
			break;
	}
	mnl_socket_close(nl);
	return ret < 0 ? -1 : 0;
}

/* best wall time, best CPU time (user+sys) and best kernel time over the runs */
struct fig {
	double best, cpu, sys;
};

static void take(struct fig *f, double t, double cpu, double sys)
{
	if (f->best == 0 || t < f->best)
		f->best = t;
	if (f->cpu == 0 || cpu < f->cpu)
		f->cpu = cpu;
	if (f->sys == 0 || sys < f->sys)
		f->sys = sys;
}

static int insert(const char *self, unsigned long n)
{
	char path[PATH_MAX], dir[PATH_MAX], num[32];
	char *argv[] = {path, "-n", num, "-t", "3600", NULL};

	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(path, sizeof(path), "%s/../tools/ct-bulk-insert", dirname(dir));
	snprintf(num, sizeof(num), "%lu", n);
	return run_cmd(argv, "/dev/null");
}

static void row(const char *what, const struct fig *f)
{
	printf("%-26s %6.1f %8.1f %8.1f\n", what, f->best * 1e3, f->cpu * 1e3, f->sys * 1e3);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	unsigned long n = 200000;
	int runs = 5, c;
	struct fig nl = {0}, bare = {0}, cli = {0}, proc = {0}, cat = {0};
	size_t got = 0, gotp = 0, cap = 0;
	double join_ms = 0;

	while ((c = getopt(argc, argv, "n:r:")) != -1)
		if (c == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (c == 'r')
			runs = atoi(optarg);
	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0 || unshare(CLONE_NEWNET)) {
		perror("ct-read-bench: needs root (unshare)");
		return 1;
	}
	self[sizeof(self) - 1] = '\0';
	if (insert(self, n)) {
		fprintf(stderr, "ct-read-bench: inserting %lu entries failed\n", n);
		return 1;
	}
	for (int r = 0; r < runs; r++) {
		char *ctl[] = {"conntrack", "-L", NULL},
		     *catv[] = {"cat", "/proc/net/nf_conntrack", NULL};
		struct ctg_ct_table t, tp;
		double t0, c0, s0, c1, s1;

		ctg_ct_table_init(&t);
		ctg_ct_table_init(&tp);
		t0 = now();
		c0 = self_cpu(&s0);
		if (ctg_ct_read_nl(&t, 0))
			return 1;
		c1 = self_cpu(&s1);
		take(&nl, now() - t0, c1 - c0, s1 - s0);
		t0 = now();
		c0 = self_cpu(&s0);
		bare_dump();
		c1 = self_cpu(&s1);
		take(&bare, now() - t0, c1 - c0, s1 - s0);
		t0 = now();
		run_cmd(ctl, "/dev/null");
		take(&cli, now() - t0, child_cpu, child_sys);
		t0 = now();
		c0 = self_cpu(&s0);
		ctg_ct_read_proc(&tp, NULL, NULL);
		c1 = self_cpu(&s1);
		take(&proc, now() - t0, c1 - c0, s1 - s0);
		t0 = now();
		run_cmd(catv, "/dev/null");
		take(&cat, now() - t0, child_cpu, child_sys);
		if (r == 0) {
			struct ctg_sock_table st;
			struct ctg_conn_table ct;

			ctg_sock_table_init(&st);
			ctg_conn_table_init(&ct);
			ctg_sock_read_diag(&st, CTG_SOCK_TCP | CTG_SOCK_UDP);
			t0 = now();
			ctg_conns_join(&st, &t, NULL, 32768, 60999, &ct);
			join_ms = (now() - t0) * 1e3;
			ctg_conn_table_release(&ct);
			ctg_sock_table_release(&st);
		}
		got = t.n;
		cap = t.cap;
		gotp = tp.n;
		ctg_ct_table_release(&t);
		ctg_ct_table_release(&tp);
	}
	printf("entries: netlink %zu, /proc %zu (inserted %lu), best of %d runs\n", got, gotp, n,
	       runs);
	printf("                          wall ms   cpu ms   sys ms   (best of each)\n");
	row("netlink reader", &nl);
	row("bare mnl dump loop", &bare);
	row("conntrack -L >/dev/null", &cli);
	row("/proc reader", &proc);
	row("cat /proc/net/nf_conntrack", &cat);
	printf("ratios (wall / cpu):\n");
	printf("  netlink reader / bare loop   %.2f / %.2f  (goal <= 1.2)\n", nl.best / bare.best,
	       nl.cpu / bare.cpu);
	printf("  conntrack -L / netlink reader %.2f / %.2f  (goal >= 2)\n", cli.best / nl.best,
	       cli.cpu / nl.cpu);
	/* the bare loop is one dump with nothing decoded: no single-dump reader beats it */
	printf("  conntrack -L / bare loop     %.2f / %.2f  (ceiling for one dump)\n",
	       cli.best / bare.best, cli.cpu / bare.cpu);
	printf("  /proc reader / cat           %.2f / %.2f  (goal <= 1.3)\n", proc.best / cat.best,
	       proc.cpu / cat.cpu);
	printf("conns join (%zu entries, no sockets): %.1f ms\n", got, join_ms);
	printf("memory: %zu bytes/entry (struct), %.1f bytes/entry (table incl. growth slack)\n",
	       sizeof(struct ctg_ct_entry),
	       got ? (double)cap * sizeof(struct ctg_ct_entry) / got : 0);
	return 0;
}
