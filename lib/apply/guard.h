/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rollback guard of an apply: a detached process (own session and process group,
 * reparented to init, SIGHUP ignored) holding the snapshot of the rules as they were just
 * before the load. At the deadline it restores the snapshot unless confirmed.
 *
 * State directory (one per network namespace by default):
 *   lock      flock(LOCK_EX) held by the guard for its whole life: "a guard is alive"
 *   status    pending | confirmed | rolled-back | failed | cancelled
 *   request   confirm | rollback | cancel, written by other processes (never signals)
 *   rules.v4, rules.v6, backend, deadline (CLOCK_MONOTONIC seconds)
 *   pid       the guard's pid, for people; never used to signal anything
 * Every file is written atomically; a write that fails is an error (the apply refuses
 * before loading), never a silent "pending".
 *
 * Fail-safe rules:
 *  - SIGTERM, SIGINT or SIGHUP... to the guard: it rolls back at once, then exits.
 *  - The guard SIGKILLed while the apply waits: the apply sees the lock free with the
 *    status still pending, takes the lock and runs the same loop itself: the previous
 *    rules come back at the deadline (ctg_guard_wait).
 *  - Both gone (guard and apply SIGKILLed, or the host's session manager killed the whole
 *    cgroup): the status stays pending with nobody holding the lock. That apply is
 *    "unresolved": a new apply refuses until `--rollback` (restore the saved rules) or
 *    `--confirm` (keep the current ones) resolves it.
 * Limits: a guard started from a systemd unit lives in the unit's cgroup and is killed
 * with it (SIGTERM first: it rolls back; SIGKILL: unresolved, as above). Rules another
 * program adds after the load are not in the snapshot and a rollback removes them.
 */
#ifndef CTG_APPLY_GUARD_H
#define CTG_APPLY_GUARD_H

#include <stddef.h>

#include "apply.h"

enum ctg_guard_status {
	CTG_GUARD_NONE = 0, /* no status file: no apply ever ran here */
	CTG_GUARD_PENDING = 10,
	CTG_GUARD_CONFIRMED,
	CTG_GUARD_ROLLED_BACK,
	CTG_GUARD_FAILED,
	CTG_GUARD_CANCELLED,
};

const char *ctg_guard_status_name(int st);

/* /run/ctguard/net-<inode of this network namespace>: one guard per netns. */
const char *ctg_guard_default_dir(char *buf, size_t size);

/*
 * Whether a new apply may start here: 0; -EBUSY (a guard is waiting for confirmation);
 * -ENOTRECOVERABLE (an unresolved apply: status pending, no guard alive); -errno.
 */
int ctg_guard_free(const char *dir);

/*
 * Writes the snapshot and the state, then starts the guard; returns once it runs (its
 * status "pending" written). 0, -EBUSY, -ENOTRECOVERABLE, or -errno of any state write
 * (-EROFS: read-only state directory): then nothing was started.
 */
int ctg_guard_start(const char *dir, const struct ctg_rules_snapshot *snap, enum ctg_ipt_backend b,
		    int timeout);

/*
 * Confirms the pending apply: asks the guard (request file) and waits for "confirmed".
 * With no guard alive and the status pending (unresolved), marks it confirmed: the
 * current rules stay. 0, -ENOENT (nothing pending), -ETIMEDOUT, -errno.
 */
int ctg_guard_confirm(const char *dir);

/*
 * Rolls the pending apply back now: asks the guard, or, with none alive, restores the
 * saved snapshot itself. Returns the final status (CTG_GUARD_ROLLED_BACK or _FAILED),
 * -ENOENT (nothing pending), -errno.
 */
int ctg_guard_rollback(const char *dir);

/* Withdraws a guard whose apply loaded nothing: it ends "cancelled", restoring nothing. */
int ctg_guard_cancel(const char *dir);

/*
 * Waits until the apply is resolved; takes over (runs the guard's loop in this process)
 * when the guard died. Returns CTG_GUARD_CONFIRMED / _ROLLED_BACK / _FAILED / _CANCELLED,
 * or -errno.
 */
int ctg_guard_wait(const char *dir);

/* Current status (enum ctg_guard_status), or -errno other than ENOENT. */
int ctg_guard_status(const char *dir);

/*
 * Removes the saved state of a resolved apply (confirmed, rolled back or cancelled: the
 * snapshot rules, backend, deadline, pid) once its guard has exited (waits up to a second
 * for the lock). The status and lock files stay (a --confirm in another shell may be
 * polling for the outcome). A pending apply or a failed rollback (its saved rules are
 * needed) keeps everything. 0 (removed, or nothing to remove), -EBUSY, -errno.
 */
int ctg_guard_clean(const char *dir);

#endif
