// SPDX-License-Identifier: GPL-2.0-or-later
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strbuf.h"

static void child(const char *const *argv, int in, int out, int err)
{
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	signal(SIGPIPE, SIG_DFL);
	execvp(argv[0], (char *const *)argv);
	_exit(127);
}

static int pump(int fin, const char *input, size_t input_len, int fout, int ferr,
		struct ctg_strbuf *out, struct ctg_strbuf *err)
{
	size_t off = 0;
	char buf[65536];
	struct pollfd p[3];

	if (!input || !input_len) {
		close(fin);
		fin = -1;
	}
	while (fout >= 0 || ferr >= 0 || fin >= 0) {
		int n = 0, io[3] = { -1, -1, -1 };

		if (fout >= 0) {
			p[n] = (struct pollfd){ .fd = fout, .events = POLLIN };
			io[n++] = 1;
		}
		if (ferr >= 0) {
			p[n] = (struct pollfd){ .fd = ferr, .events = POLLIN };
			io[n++] = 2;
		}
		if (fin >= 0) {
			p[n] = (struct pollfd){ .fd = fin, .events = POLLOUT };
			io[n++] = 0;
		}
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			ssize_t r;

			if (!p[i].revents)
				continue;
			if (io[i] == 0) {
				r = write(fin, input + off, input_len - off);
				if (r < 0 && errno != EINTR && errno != EAGAIN) {
					close(fin); /* EPIPE: the program stopped reading */
					fin = -1;
					continue;
				}
				if (r > 0)
					off += (size_t)r;
				if (off == input_len) {
					close(fin);
					fin = -1;
				}
				continue;
			}
			r = read(p[i].fd, buf, sizeof(buf));
			if (r < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (r <= 0) {
				close(p[i].fd);
				if (io[i] == 1)
					fout = -1;
				else
					ferr = -1;
				continue;
			}
			ctg_sb_putn(io[i] == 1 ? out : err, buf, (size_t)r);
		}
	}
	return 0;
}

int ctg_exec(const char *const *argv, const char *input, size_t input_len,
	     struct ctg_exec_result *res)
{
	int pin[2], pout[2], perr[2], st, rc;
	struct ctg_strbuf out, err;
	void (*old)(int);
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(pin, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(pout, O_CLOEXEC) < 0) {
		rc = -errno;
		goto close_in;
	}
	if (pipe2(perr, O_CLOEXEC) < 0) {
		rc = -errno;
		goto close_out;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto close_err;
	}
	if (pid == 0)
		child(argv, pin[0], pout[1], perr[1]);
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	ctg_sb_init(&out);
	ctg_sb_init(&err);
	old = signal(SIGPIPE, SIG_IGN);
	rc = pump(pin[1], input, input_len, pout[0], perr[0], &out, &err);
	signal(SIGPIPE, old);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	res->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	res->out_len = out.len;
	res->err_len = err.len;
	res->out = ctg_sb_take(&out);
	res->err = ctg_sb_take(&err);
	if (!res->out || !res->err) {
		ctg_exec_result_release(res);
		return -ENOMEM;
	}
	if (res->status == 127 && res->out_len == 0 && res->err_len == 0)
		return -ENOENT;
	return rc;
close_err:
	close(perr[0]);
	close(perr[1]);
close_out:
	close(pout[0]);
	close(pout[1]);
close_in:
	close(pin[0]);
	close(pin[1]);
	return rc;
}

void ctg_exec_result_release(struct ctg_exec_result *res)
{
	free(res->out);
	free(res->err);
	memset(res, 0, sizeof(*res));
}
