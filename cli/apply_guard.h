/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rollback guard of `ctguard apply`: a detached process (own session, reparented to
 * init) holding the snapshot. It restores the snapshot at the deadline unless confirmed,
 * so a rollback happens even if the shell that started the apply dies (SIGKILL, lost SSH).
 * State lives in a directory: lock (flock held by the guard), pid, status, rules.v4/v6.
 */
#ifndef CTG_APPLY_GUARD_H
#define CTG_APPLY_GUARD_H

#include <stddef.h>

#include "apply/apply.h"

enum {
	CTG_GUARD_PENDING = 10,
	CTG_GUARD_CONFIRMED,
	CTG_GUARD_ROLLED_BACK,
	CTG_GUARD_FAILED,
};

/* /run/ctguard/net-<inode of this network namespace>: one guard per netns. */
const char *ctg_guard_default_dir(char *buf, size_t size);
/* 0, -EBUSY (a guard is pending), -errno. Returns once the guard runs. */
int ctg_guard_start(const char *dir, const struct ctg_rules_snapshot *snap, enum ctg_ipt_backend b,
		    int timeout);
/* 0, -ENOENT (no pending guard), -ETIMEDOUT, -errno. */
int ctg_guard_confirm(const char *dir);
int ctg_guard_rollback_now(const char *dir);
/* Waits until the guard finished; returns CTG_GUARD_* or -ETIMEDOUT. */
int ctg_guard_wait(const char *dir, int max_seconds);
/* Current status (CTG_GUARD_*), or -ENOENT. */
int ctg_guard_status(const char *dir);

#endif
