// SPDX-License-Identifier: GPL-2.0-or-later
/* Running external tools without a shell (see exec.h). */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "strbuf.h"

static const char *const sys_dirs[] = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};

static char *const child_env[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};

int ctg_exec_find(const char *name, char *buf, size_t size)
{
	if (strchr(name, '/')) {
		if ((size_t)snprintf(buf, size, "%s", name) >= size)
			return -ENAMETOOLONG;
		return access(buf, X_OK) ? -errno : 0;
	}
	for (size_t i = 0; i < sizeof(sys_dirs) / sizeof(sys_dirs[0]); i++) {
		if ((size_t)snprintf(buf, size, "%s/%s", sys_dirs[i], name) >= size)
			return -ENAMETOOLONG;
		if (!access(buf, X_OK))
			return 0;
	}
	return -ENOENT;
}

/* In the child: the pipes on 0/1/2, every other descriptor closed, then exec. */
static void child(const char *path, const char *const *argv, int in, int out, int err)
{
	sigset_t none;

	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	closefrom(3);
	execve(path, (char *const *)argv, child_env);
	_exit(127);
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

struct pump {
	int fd[3]; /* stdin (write end), stdout, stderr (read ends); -1 when closed */
	const char *input;
	size_t input_len, off;
	struct ctg_strbuf sb[3];
};

static void pump_close(struct pump *p, int i)
{
	if (p->fd[i] >= 0)
		close(p->fd[i]);
	p->fd[i] = -1;
}

/*
 * Writes what the pipe takes. SIGPIPE is blocked in this thread; a write to a reader that
 * went away raises it pending: consume it so it never reaches the process.
 */
static void pump_write(struct pump *p)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	ssize_t r;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	r = write(p->fd[0], p->input + p->off, p->input_len - p->off);
	if (r < 0 && errno == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};

		sigtimedwait(&pipe_set, NULL, &zero);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r > 0)
		p->off += (size_t)r;
	else if (r < 0 && errno != EINTR && errno != EAGAIN)
		pump_close(p, 0); /* EPIPE: the program stopped reading */
	if (p->off == p->input_len)
		pump_close(p, 0);
}

static void pump_read(struct pump *p, int i)
{
	char buf[65536];
	ssize_t r = read(p->fd[i], buf, sizeof(buf));

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0)
		pump_close(p, i);
	else
		ctg_sb_putn(&p->sb[i], buf, (size_t)r);
}

/* Moves data until stdout and stderr are at EOF. 0, -ETIMEDOUT, -errno. */
static int pump_run(struct pump *p, const struct timespec *deadline)
{
	while (p->fd[1] >= 0 || p->fd[2] >= 0) {
		struct pollfd pf[3];
		int nfds = 0, ready, idx[3];
		long left = ms_left(deadline);

		if (left <= 0)
			return -ETIMEDOUT;
		for (int i = 0; i < 3; i++) {
			if (p->fd[i] < 0)
				continue;
			pf[nfds] = (struct pollfd){.fd = p->fd[i], .events = i ? POLLIN : POLLOUT};
			idx[nfds++] = i;
		}
		ready = poll(pf, (nfds_t)nfds, left > 1000 ? 1000 : (int)left);
		if (ready < 0 && errno != EINTR)
			return -errno;
		for (int k = 0; ready > 0 && k < nfds; k++) {
			if (!pf[k].revents)
				continue;
			if (idx[k] == 0)
				pump_write(p);
			else
				pump_read(p, idx[k]);
		}
	}
	return 0;
}

/* Waits for the child; at the deadline (or when told) kills it first. */
static int reap(pid_t pid, bool kill_it, const struct timespec *deadline)
{
	int st;

	for (;;) {
		pid_t r = kill_it ? 0 : waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (kill_it || ms_left(deadline) <= 0) {
			kill(pid, SIGKILL); /* our own unreaped child: the pid cannot be reused */
			while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
				;
			return -2;
		}
		if (r == 0) {
			struct timespec ts = {0, 5 * 1000 * 1000};

			nanosleep(&ts, NULL);
		}
	}
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	p[0] = p[1] = -1;
}

int ctg_exec_timeout(const char *const *argv, const char *input, size_t input_len,
		     unsigned timeout_ms, struct ctg_exec_result *res)
{
	int pin[2] = {-1, -1}, pout[2] = {-1, -1}, perr[2] = {-1, -1}, rc, st;
	struct pump p = {.fd = {-1, -1, -1}, .input = input, .input_len = input_len};
	struct timespec deadline;
	char path[4096];
	pid_t pid;

	memset(res, 0, sizeof(*res));
	rc = ctg_exec_find(argv[0], path, sizeof(path));
	if (rc)
		return rc;
	if (pipe2(pin, O_CLOEXEC) < 0 || pipe2(pout, O_CLOEXEC) < 0 || pipe2(perr, O_CLOEXEC) < 0) {
		rc = -errno;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (timeout_ms ? timeout_ms : CTG_EXEC_TIMEOUT_MS) / 1000;
	deadline.tv_nsec +=
		(long)((timeout_ms ? timeout_ms : CTG_EXEC_TIMEOUT_MS) % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out;
	}
	if (pid == 0)
		child(path, argv, pin[0], pout[1], perr[1]);
	p.fd[0] = pin[1];
	p.fd[1] = pout[0];
	p.fd[2] = perr[0];
	pin[1] = pout[0] = perr[0] = -1;
	close_pair(pin);
	close_pair(pout);
	close_pair(perr);
	for (int i = 0; i < 3; i++)
		ctg_sb_init(&p.sb[i]);
	if (!input || !input_len)
		pump_close(&p, 0);
	else
		fcntl(p.fd[0], F_SETFL, fcntl(p.fd[0], F_GETFL) | O_NONBLOCK);
	rc = pump_run(&p, &deadline);
	for (int i = 0; i < 3; i++)
		pump_close(&p, i);
	st = reap(pid, rc != 0, &deadline);
	if (st == -2 && !rc)
		rc = -ETIMEDOUT;
	res->status = st < 0 ? 128 + SIGKILL : st;
	res->out_len = p.sb[1].len;
	res->err_len = p.sb[2].len;
	res->out = ctg_sb_take(&p.sb[1]);
	res->err = ctg_sb_take(&p.sb[2]);
	if (!rc && (!res->out || !res->err))
		rc = -ENOMEM;
	if (!rc && res->status == 127 && !res->out_len && !res->err_len)
		rc = -ENOENT; /* exec failed in the child */
out:
	close_pair(pin);
	close_pair(pout);
	close_pair(perr);
	return rc;
}

int ctg_exec(const char *const *argv, const char *input, size_t input_len,
	     struct ctg_exec_result *res)
{
	return ctg_exec_timeout(argv, input, input_len, 0, res);
}

void ctg_exec_result_release(struct ctg_exec_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}
