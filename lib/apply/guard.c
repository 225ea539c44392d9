// SPDX-License-Identifier: GPL-2.0-or-later
/* The rollback guard (see guard.h). */
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
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

#include "../core/fileio.h"

#define TICK_MS 100

static const char *const status_words[] = {"pending", "confirmed", "rolled-back", "failed",
					   "cancelled"};

enum request { REQ_NONE, REQ_CONFIRM, REQ_ROLLBACK, REQ_CANCEL };
static const char *const request_words[] = {"", "confirm", "rollback", "cancel"};

const char *ctg_guard_status_name(int st)
{
	if (st >= CTG_GUARD_PENDING && st <= CTG_GUARD_CANCELLED)
		return status_words[st - CTG_GUARD_PENDING];
	return st == CTG_GUARD_NONE ? "none" : "?";
}

const char *ctg_guard_default_dir(char *buf, size_t size)
{
	struct stat sb;

	if (stat("/proc/self/ns/net", &sb) == 0)
		snprintf(buf, size, "/run/ctguard/net-%lu", (unsigned long)sb.st_ino);
	else
		snprintf(buf, size, "/run/ctguard/net-default");
	return buf;
}

static void tick(void)
{
	struct timespec ts = {0, TICK_MS * 1000000L};

	nanosleep(&ts, NULL);
}

static int mkdirs(const char *dir)
{
	char tmp[4096];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s", dir) >= sizeof(tmp))
		return -ENAMETOOLONG;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static void path(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
}

static int write_small(const char *dir, const char *name, const char *text)
{
	char p[4096];

	path(p, sizeof(p), dir, name);
	return ctg_file_write_atomic(p, text, strlen(text), 0600);
}

static int read_small(const char *dir, const char *name, char *buf, size_t size)
{
	char p[4096];
	ssize_t n;
	int fd;

	path(p, sizeof(p), dir, name);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int remove_file(const char *dir, const char *name)
{
	char p[4096];

	path(p, sizeof(p), dir, name);
	return unlink(p) < 0 && errno != ENOENT ? -errno : 0;
}

int ctg_guard_status(const char *dir)
{
	char buf[64];
	int ret = read_small(dir, "status", buf, sizeof(buf));

	if (ret == -ENOENT)
		return CTG_GUARD_NONE;
	if (ret)
		return ret;
	for (int i = 0; i < 5; i++)
		if (!strcmp(buf, status_words[i]))
			return CTG_GUARD_PENDING + i;
	return -EBADMSG;
}

static int set_status(const char *dir, int st)
{
	return write_small(dir, "status", status_words[st - CTG_GUARD_PENDING]);
}

static enum request read_request(const char *dir)
{
	char buf[32];

	if (read_small(dir, "request", buf, sizeof(buf)))
		return REQ_NONE;
	for (int i = 1; i < 4; i++)
		if (!strcmp(buf, request_words[i]))
			return (enum request)i;
	return REQ_NONE;
}

/*
 * Takes the guard lock without waiting: the fd (holding it), -EWOULDBLOCK when a guard
 * (or a process that took over) holds it, or -errno.
 */
static int try_lock(const char *dir, bool create)
{
	char p[4096];
	int fd;

	path(p, sizeof(p), dir, "lock");
	fd = open(p, (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* ---------------------------------------------------------------- saved state */

static const char *const rules_files[2] = {"rules.v4", "rules.v6"};

static int read_snapshot(const char *dir, struct ctg_rules_snapshot *s, enum ctg_ipt_backend *b,
			 struct timespec *deadline)
{
	char buf[64], p[4096];
	long long sec, nsec;
	int ret;

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < 2; i++) {
		path(p, sizeof(p), dir, rules_files[i]);
		ret = ctg_file_read(p, &s->text[i], &s->len[i]);
		if (ret && ret != -ENOENT) {
			ctg_snapshot_release(s);
			return ret;
		}
	}
	if (!s->text[0] && !s->text[1])
		return -ENOENT;
	*b = CTG_IPT_UNKNOWN;
	if (!read_small(dir, "backend", buf, sizeof(buf)))
		*b = !strcmp(buf, "nft")      ? CTG_IPT_NFT
		     : !strcmp(buf, "legacy") ? CTG_IPT_LEGACY
					      : CTG_IPT_UNKNOWN;
	memset(deadline, 0, sizeof(*deadline));
	if (!read_small(dir, "deadline", buf, sizeof(buf)) &&
	    sscanf(buf, "%lld.%lld", &sec, &nsec) == 2) {
		deadline->tv_sec = (time_t)sec;
		deadline->tv_nsec = (long)nsec;
	}
	return 0;
}

/* Everything a guard needs, written before it starts. Stale rules files are removed. */
static int write_state(const char *dir, const struct ctg_rules_snapshot *snap,
		       enum ctg_ipt_backend b, const struct timespec *deadline)
{
	char buf[64];
	int ret = remove_file(dir, "request");

	for (int i = 0; !ret && i < 2; i++)
		if (!snap->text[i])
			ret = remove_file(dir, rules_files[i]);
	if (!ret)
		ret = ctg_snapshot_write(snap, dir);
	if (!ret)
		ret = write_small(dir, "backend", ctg_ipt_backend_name(b));
	snprintf(buf, sizeof(buf), "%lld.%09ld\n", (long long)deadline->tv_sec, deadline->tv_nsec);
	if (!ret)
		ret = write_small(dir, "deadline", buf);
	return ret;
}

/* ---------------------------------------------------------------- the loop */

static bool past(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec ||
	       (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

/* Writes the final status; the status, or -errno when it could not be written. */
static int finish(const char *dir, int st)
{
	int ret = set_status(dir, st);

	remove_file(dir, "request");
	return ret ? ret : st;
}

static int restore(const char *dir, const struct ctg_rules_snapshot *snap, enum ctg_ipt_backend b)
{
	struct ctg_exec_result res;
	int rc = ctg_snapshot_restore(b, snap, &res);

	ctg_exec_result_release(&res);
	return finish(dir, rc ? CTG_GUARD_FAILED : CTG_GUARD_ROLLED_BACK);
}

/*
 * Waits for a request or the deadline; sigs (blocked by the caller) roll back at once.
 * Returns the final status or -errno (status not written).
 */
static int guard_loop(const char *dir, const struct ctg_rules_snapshot *snap,
		      enum ctg_ipt_backend b, const struct timespec *deadline, const sigset_t *sigs)
{
	for (;;) {
		enum request r = read_request(dir);

		if (r == REQ_CONFIRM)
			return finish(dir, CTG_GUARD_CONFIRMED);
		if (r == REQ_CANCEL)
			return finish(dir, CTG_GUARD_CANCELLED);
		if (r == REQ_ROLLBACK || past(deadline))
			break;
		if (sigs) {
			struct timespec t = {0, TICK_MS * 1000000L};

			if (sigtimedwait(sigs, NULL, &t) > 0)
				break;
		} else {
			tick();
		}
	}
	return restore(dir, snap, b);
}

/* The guard process: never returns. */
static void guard_main(const char *dir, const struct ctg_rules_snapshot *snap,
		       enum ctg_ipt_backend b, const struct timespec *deadline, int ready_fd)
{
	char buf[32];
	sigset_t set;
	int devnull, st;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		if (devnull > 2)
			close(devnull);
	}
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	st = write_small(dir, "pid", buf);
	if (!st)
		st = set_status(dir, CTG_GUARD_PENDING);
	if (st) {
		char msg[1 + sizeof(int)] = {'e'};

		memcpy(msg + 1, &st, sizeof(int));
		if (write(ready_fd, msg, sizeof(msg)) < 0)
			_exit(1);
		_exit(1);
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	close(ready_fd);
	openlog("ctguard-guard", LOG_PID, LOG_USER);
	st = guard_loop(dir, snap, b, deadline, &set);
	if (st == CTG_GUARD_ROLLED_BACK)
		syslog(LOG_WARNING, "apply not confirmed: previous rules restored");
	else if (st == CTG_GUARD_CONFIRMED)
		syslog(LOG_NOTICE, "apply confirmed; keeping the new rules");
	else if (st != CTG_GUARD_CANCELLED)
		syslog(LOG_ERR,
		       "ROLLBACK FAILED or status not written (%s); previous rules are in %s",
		       st < 0 ? strerror(-st) : "restore failed", dir);
	_exit(st == CTG_GUARD_FAILED || st < 0);
}

/* Reads the guard's "ready" (0) or its error. */
static int read_ready(int fd)
{
	char msg[1 + sizeof(int)];
	ssize_t n;
	int e;

	do
		n = read(fd, msg, sizeof(msg));
	while (n < 0 && errno == EINTR);
	if (n == 1 && msg[0] == 'r')
		return 0;
	if (n == (ssize_t)sizeof(msg) && msg[0] == 'e') {
		memcpy(&e, msg + 1, sizeof(int));
		return e < 0 ? e : -EIO;
	}
	return -ECHILD;
}

static bool cleanable(int st);

int ctg_guard_free(const char *dir)
{
	int st = ctg_guard_status(dir), fd;

	if (st <= CTG_GUARD_NONE)
		return st;
	if (cleanable(st)) /* resolved by --confirm/--rollback after its apply died */
		ctg_guard_clean(dir);
	fd = try_lock(dir, false);
	if (fd == -EWOULDBLOCK)
		return -EBUSY;
	if (fd >= 0)
		close(fd);
	if (fd == -ENOENT)
		fd = 0;
	if (fd < 0)
		return fd;
	/* re-read under no lock: a guard that finished meanwhile is fine */
	return ctg_guard_status(dir) == CTG_GUARD_PENDING ? -ENOTRECOVERABLE : 0;
}

int ctg_guard_start(const char *dir, const struct ctg_rules_snapshot *snap, enum ctg_ipt_backend b,
		    int timeout)
{
	struct timespec deadline;
	int lock, pfd[2], rc, st;
	pid_t pid;

	rc = mkdirs(dir);
	if (rc)
		return rc;
	lock = try_lock(dir, true);
	if (lock < 0)
		return lock == -EWOULDBLOCK ? -EBUSY : lock;
	st = ctg_guard_status(dir);
	if (st == CTG_GUARD_PENDING || st < 0) {
		close(lock);
		return st < 0 ? st : -ENOTRECOVERABLE;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	rc = write_state(dir, snap, b, &deadline);
	if (rc || pipe2(pfd, O_CLOEXEC) < 0) {
		close(lock);
		return rc ? rc : -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		close(pfd[0]);
		close(pfd[1]);
		close(lock);
		return rc;
	}
	if (pid == 0) {
		close(pfd[0]);
		/* own session and process group: not killed with the caller's terminal/shell */
		setsid();
		signal(SIGHUP, SIG_IGN);
		if (fork() != 0)
			_exit(0);
		/* grandchild, reparented to init; the lock lives with its descriptor */
		fcntl(lock, F_SETFD, 0);
		for (int fd = 3; fd < 1024; fd++)
			if (fd != lock && fd != pfd[1])
				close(fd);
		guard_main(dir, snap, b, &deadline, pfd[1]);
	}
	close(pfd[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	close(lock); /* the guard keeps the flock through its inherited descriptor */
	rc = read_ready(pfd[0]);
	close(pfd[0]);
	return rc;
}

/* ---------------------------------------------------------------- other processes */

/*
 * Sends a request to the live guard and waits (max_ticks) for a final status. If the
 * guard is gone with the status still pending, resolve(dir) decides, under the lock.
 */
static int request(const char *dir, enum request r, int max_ticks, int (*resolve)(const char *dir))
{
	int ret = write_small(dir, "request", request_words[r]);

	if (ret)
		return ret;
	for (int i = 0; i < max_ticks; i++) {
		int st = ctg_guard_status(dir), fd;

		if (st != CTG_GUARD_PENDING)
			return st;
		fd = try_lock(dir, false);
		if (fd >= 0) {
			st = ctg_guard_status(dir);
			if (st == CTG_GUARD_PENDING)
				st = resolve(dir);
			close(fd);
			return st;
		}
		if (fd != -EWOULDBLOCK)
			return fd;
		tick();
	}
	return -ETIMEDOUT;
}

static int resolve_confirm(const char *dir)
{
	return finish(dir, CTG_GUARD_CONFIRMED);
}

static int resolve_cancel(const char *dir)
{
	return finish(dir, CTG_GUARD_CANCELLED);
}

static int resolve_rollback(const char *dir)
{
	struct ctg_rules_snapshot snap;
	enum ctg_ipt_backend b;
	struct timespec deadline;
	int ret = read_snapshot(dir, &snap, &b, &deadline);

	if (ret) {
		finish(dir, CTG_GUARD_FAILED);
		return ret;
	}
	ret = restore(dir, &snap, b);
	ctg_snapshot_release(&snap);
	return ret;
}

int ctg_guard_confirm(const char *dir)
{
	int st = ctg_guard_status(dir);

	if (st < 0)
		return st;
	if (st != CTG_GUARD_PENDING)
		return -ENOENT;
	st = request(dir, REQ_CONFIRM, 100, resolve_confirm);
	return st == CTG_GUARD_CONFIRMED ? 0 : st < 0 ? st : -EIO;
}

int ctg_guard_rollback(const char *dir)
{
	int st = ctg_guard_status(dir);

	if (st < 0)
		return st;
	if (st != CTG_GUARD_PENDING)
		return -ENOENT;
	/* a restore can take a while (iptables-restore of a big ruleset) */
	return request(dir, REQ_ROLLBACK, 3000, resolve_rollback);
}

int ctg_guard_cancel(const char *dir)
{
	int st = request(dir, REQ_CANCEL, 100, resolve_cancel);

	return st == CTG_GUARD_CANCELLED ? 0 : st < 0 ? st : -EIO;
}

/* The guard died with the apply pending: this process runs its loop (lock held). */
static int take_over(const char *dir)
{
	struct ctg_rules_snapshot snap;
	enum ctg_ipt_backend b;
	struct timespec deadline;
	int ret = read_snapshot(dir, &snap, &b, &deadline);

	if (ret)
		return ret;
	ret = guard_loop(dir, &snap, b, &deadline, NULL);
	ctg_snapshot_release(&snap);
	return ret;
}

static bool cleanable(int st)
{
	return st == CTG_GUARD_CONFIRMED || st == CTG_GUARD_ROLLED_BACK ||
	       st == CTG_GUARD_CANCELLED;
}

int ctg_guard_clean(const char *dir)
{
	/* status and lock stay: another process may be polling for the outcome */
	static const char *const files[] = {"rules.v4", "rules.v6", "backend", "deadline", "pid"};
	int fd = -EWOULDBLOCK, ret = 0;

	if (!cleanable(ctg_guard_status(dir)))
		return ctg_guard_status(dir) == CTG_GUARD_NONE ? 0 : -EBUSY;
	for (int i = 0; i < 1000 / TICK_MS && fd == -EWOULDBLOCK; i++) {
		fd = try_lock(dir, false); /* the guard exits right after its final status */
		if (fd == -EWOULDBLOCK)
			tick();
	}
	if (fd < 0)
		return fd == -ENOENT ? 0 : fd == -EWOULDBLOCK ? -EBUSY : fd;
	if (!cleanable(ctg_guard_status(dir))) { /* a new apply started meanwhile */
		close(fd);
		return -EBUSY;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !ret; i++)
		ret = remove_file(dir, files[i]);
	close(fd);
	return ret;
}

int ctg_guard_wait(const char *dir)
{
	for (;;) {
		int st = ctg_guard_status(dir), fd;

		if (st != CTG_GUARD_PENDING)
			return st == CTG_GUARD_NONE ? -ENOENT : st;
		fd = try_lock(dir, false);
		if (fd >= 0) {
			st = ctg_guard_status(dir);
			if (st == CTG_GUARD_PENDING)
				st = take_over(dir);
			close(fd);
			return st;
		}
		if (fd != -EWOULDBLOCK)
			return fd;
		tick();
	}
}
