/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running external tools (iptables-save, iptables-restore, conntrack, ip, ...) as root,
 * safely: no shell, nothing from the environment. A bare program name is looked up in the
 * system directories only (/usr/sbin, /sbin, /usr/bin, /bin), never through the caller's
 * PATH; the child gets a fixed environment (PATH of those directories, LC_ALL=C).
 * stdin is written non-blocking while stdout and stderr are drained (poll), so no full
 * pipe blocks either side; a deadline kills the child (SIGKILL). Process-wide signal
 * dispositions are untouched (SIGPIPE is blocked in the calling thread while writing and
 * a pending one consumed); every descriptor is closed on every path.
 */
#ifndef CTG_EXEC_H
#define CTG_EXEC_H

#include <stddef.h>

struct ctg_exec_result {
	int status; /* exit status, or 128 + signal */
	char *out;  /* captured stdout (NUL-terminated, malloc'd) */
	size_t out_len;
	char *err; /* captured stderr */
	size_t err_len;
};

/* Default deadline of ctg_exec, milliseconds. */
#define CTG_EXEC_TIMEOUT_MS 120000

/*
 * Runs argv[0] (a path, or a name looked up in the system directories) with argv, feeding
 * input (may be NULL) on stdin and capturing stdout and stderr, killed after timeout_ms
 * (0 = CTG_EXEC_TIMEOUT_MS). Returns 0 when the program ran and exited (see res->status;
 * res is valid), -ENOENT when no such program, -ETIMEDOUT when it was killed at the
 * deadline (res holds what it printed), another -errno when it could not be started.
 * Release res with ctg_exec_result_release() whatever the result.
 */
int ctg_exec_timeout(const char *const *argv, const char *input, size_t input_len,
		     unsigned timeout_ms, struct ctg_exec_result *res);
/* ctg_exec_timeout with the default deadline. */
int ctg_exec(const char *const *argv, const char *input, size_t input_len,
	     struct ctg_exec_result *res);
void ctg_exec_result_release(struct ctg_exec_result *res);

/*
 * The path of a program in the system directories into buf, or -ENOENT. A name with a
 * '/' is taken as is.
 */
int ctg_exec_find(const char *name, char *buf, size_t size);

#endif
