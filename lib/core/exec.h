/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running external tools (iptables-save, iptables-restore, ...) without a shell. */
#ifndef CTG_EXEC_H
#define CTG_EXEC_H

#include <stddef.h>

struct ctg_exec_result {
	int status;  /* exit status, or 128 + signal */
	char *out;   /* captured stdout (NUL-terminated, malloc'd) */
	size_t out_len;
	char *err;   /* captured stderr */
	size_t err_len;
};

/*
 * Runs argv[0] (searched in PATH) with argv, feeding input (may be NULL) on stdin and
 * capturing stdout and stderr. Returns 0 when the program ran (see res->status), -errno when
 * it could not be started. Release with ctg_exec_result_release().
 */
int ctg_exec(const char *const *argv, const char *input, size_t input_len,
	     struct ctg_exec_result *res);
void ctg_exec_result_release(struct ctg_exec_result *res);

#endif
