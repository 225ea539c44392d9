// SPDX-License-Identifier: GPL-2.0-or-later
#include "apply_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "core/fileio.h"

static const char *const status_words[] = {"pending", "confirmed", "rolled-back", "failed"};

const char *ctg_guard_default_dir(char *buf, size_t size)
{
	struct stat sb;

	if (stat("/proc/self/ns/net", &sb) == 0)
		snprintf(buf, size, "/run/ctguard/net-%lu", (unsigned long)sb.st_ino);
	else
		snprintf(buf, size, "/run/ctguard/net-default");
	return buf;
}

static int mkdirs(const char *dir)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", dir);
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
	char p[4000];

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

int ctg_guard_status(const char *dir)
{
	char buf[64];

	if (read_small(dir, "status", buf, sizeof(buf)))
		return -ENOENT;
	for (int i = 0; i < 4; i++)
		if (!strcmp(buf, status_words[i]))
			return CTG_GUARD_PENDING + i;
	return -ENOENT;
}

static void set_status(const char *dir, int st)
{
	write_small(dir, "status", status_words[st - CTG_GUARD_PENDING]);
}

static pid_t guard_pid(const char *dir)
{
	char buf[32];
	long pid;

	if (read_small(dir, "pid", buf, sizeof(buf)))
		return -1;
	pid = strtol(buf, NULL, 10);
	return pid > 1 && kill((pid_t)pid, 0) == 0 ? (pid_t)pid : -1;
}

/* The guard must not hold pipes of its caller (a shell's $(...) would wait for it). */
static void close_others(int keep1, int keep2)
{
	for (int fd = 3; fd < 1024; fd++)
		if (fd != keep1 && fd != keep2)
			close(fd);
}

/* The guard itself: never returns. */
static void guard_main(const char *dir, const struct ctg_rules_snapshot *snap,
		       enum ctg_ipt_backend b, int timeout, int ready_fd)
{
	struct timespec deadline, now, left;
	struct ctg_exec_result res;
	char buf[32], cp[4096];
	sigset_t set;
	int devnull, rc;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGHUP, SIG_IGN);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	write_small(dir, "pid", buf);
	set_status(dir, CTG_GUARD_PENDING);
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	close(ready_fd);
	openlog("ctguard-guard", LOG_PID, LOG_USER);
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout;
	path(cp, sizeof(cp), dir, "confirm");
	for (;;) {
		int sig;

		clock_gettime(CLOCK_MONOTONIC, &now);
		left.tv_sec = deadline.tv_sec - now.tv_sec;
		left.tv_nsec = deadline.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		if (left.tv_sec < 0)
			break;
		sig = sigtimedwait(&set, NULL, &left);
		if (sig == SIGUSR1 && access(cp, F_OK) == 0) {
			set_status(dir, CTG_GUARD_CONFIRMED);
			syslog(LOG_NOTICE, "apply confirmed; keeping the new rules");
			_exit(0);
		}
		if (sig == SIGUSR2 || sig == SIGTERM || sig == SIGINT)
			break;
	}
	if (access(cp, F_OK) == 0) {
		set_status(dir, CTG_GUARD_CONFIRMED);
		_exit(0);
	}
	rc = ctg_snapshot_restore(b, snap, &res);
	ctg_exec_result_release(&res);
	if (rc) {
		syslog(LOG_ERR, "ROLLBACK FAILED: %s; previous rules are in %s", strerror(-rc),
		       dir);
		set_status(dir, CTG_GUARD_FAILED);
		_exit(1);
	}
	syslog(LOG_WARNING, "apply not confirmed: previous rules restored");
	set_status(dir, CTG_GUARD_ROLLED_BACK);
	_exit(0);
}

int ctg_guard_start(const char *dir, const struct ctg_rules_snapshot *snap, enum ctg_ipt_backend b,
		    int timeout)
{
	char lp[4096], cp[4096], c;
	int lock, pfd[2], rc, st;
	pid_t pid;

	rc = mkdirs(dir);
	if (rc)
		return rc;
	path(lp, sizeof(lp), dir, "lock");
	lock = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0)
		return -errno;
	if (flock(lock, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EBUSY : -errno;
		close(lock);
		return rc;
	}
	rc = ctg_snapshot_write(snap, dir);
	path(cp, sizeof(cp), dir, "confirm");
	unlink(cp);
	if (rc || pipe2(pfd, O_CLOEXEC) < 0) {
		close(lock);
		return rc ? rc : -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto fail;
	}
	if (pid == 0) {
		close(pfd[0]);
		setsid();
		if (fork() != 0)
			_exit(0);
		/* grandchild: the lock fd stays open here, so the lock lives with the guard */
		fcntl(lock, F_SETFD, 0);
		close_others(lock, pfd[1]);
		guard_main(dir, snap, b, timeout, pfd[1]);
	}
	close(pfd[1]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	close(lock); /* the guard keeps the flock through its inherited descriptor */
	rc = read(pfd[0], &c, 1) == 1 ? 0 : -ECHILD;
	close(pfd[0]);
	return rc;
fail:
	close(pfd[0]);
	close(pfd[1]);
	close(lock);
	return rc;
}

int ctg_guard_wait(const char *dir, int max_seconds)
{
	for (int i = 0; i < max_seconds * 10; i++) {
		int st = ctg_guard_status(dir);

		if (st != CTG_GUARD_PENDING)
			return st;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

int ctg_guard_confirm(const char *dir)
{
	pid_t pid = guard_pid(dir);
	int st;

	if (pid < 0 || ctg_guard_status(dir) != CTG_GUARD_PENDING)
		return -ENOENT;
	st = write_small(dir, "confirm", "yes\n");
	if (st)
		return st;
	if (kill(pid, SIGUSR1) < 0)
		return -errno;
	st = ctg_guard_wait(dir, 10);
	return st == CTG_GUARD_CONFIRMED ? 0 : st < 0 ? st : -EIO;
}

int ctg_guard_rollback_now(const char *dir)
{
	pid_t pid = guard_pid(dir);

	if (pid < 0)
		return -ENOENT;
	return kill(pid, SIGUSR2) < 0 ? -errno : 0;
}
