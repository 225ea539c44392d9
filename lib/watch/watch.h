/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watch: the guard loop behind `ctguard watch`. It notices what can orphan a connection
 * the moment it happens and runs the library's audit (and, with heal, ctg_heal_run) on
 * it, exactly as `ctguard audit` / `ctguard heal` do:
 *
 *  - conntrack destroy events (ctnetlink, NFNLGRP_CONNTRACK_DESTROY). A burst (a flush
 *    storm: one event per entry) is coalesced into one audit: it ends after quiet_ms
 *    without events, or burst_max_ms after it began. A small burst is audited only when
 *    a destroyed entry belonged to a live local ESTABLISHED socket (an ordinary close
 *    orphans nothing); a large one, or a lost event (ENOBUFS: the receive buffer
 *    overflowed), always is: the audit's own full dump replaces the lost events.
 *  - nftables ruleset generations (NFNLGRP_NFTABLES, NFT_MSG_NEWGEN: the generation, PID
 *    and name of the process that committed it). iptables-nft changes arrive here too.
 *  - what sends no events, polled every poll_ms: the iptables-legacy tables (their rule
 *    blobs read with IPT_SO_GET_ENTRIES / IP6T_..., counters masked, fingerprinted) and
 *    the conntrack module (the identity of /sys/module/nf_conntrack and whether this
 *    namespace has a conntrack table: an unload + reload between two polls still changes
 *    the identity).
 *  - entries that existed before watch subscribed: the kernel sends no destroy event for
 *    them (nf_conntrack_events=2, the default, gives the event extension only to entries
 *    created while someone listens). The entries of live local connections among them
 *    are looked up at every poll (CTG_WATCH_CT_SILENT) until none is left.
 *  - a full audit every interval_s seconds, whatever happened.
 *
 * The library never prints: each audit is handed to hooks->round; hooks->tick runs every
 * tick_ms (the systemd watchdog). ctg_watch_run returns when stop_fd becomes readable.
 */
#ifndef CTG_WATCH_H
#define CTG_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../analysis/audit.h"
#include "../apply/audit_heal.h"
#include "../source/inputs.h"

/*
 * @heal: run ctg_heal_run on each audit's orphans.
 * @interval_s: full audit at least this often (0: only on events).
 * @poll_ms: legacy tables and conntrack module poll (0: 1000).
 * @quiet_ms / @burst_max_ms: burst coalescing (0: 5 / 50).
 * @rcvbuf: event socket receive buffer in bytes (0: 64 MiB; tests force tiny ones).
 * @tick_ms: hooks->tick period (0: none).
 * @stop_fd: the loop ends when this descriptor is readable (-1: never).
 */
struct ctg_watch_opts {
	bool heal;
	unsigned interval_s, poll_ms, quiet_ms, burst_max_ms, tick_ms;
	int rcvbuf;
	int stop_fd;
};

/* What a round of audit was for (bits). */
enum ctg_watch_why {
	CTG_WATCH_START = 1 << 0,      /* the first audit */
	CTG_WATCH_CT_DESTROY = 1 << 1, /* conntrack entries destroyed */
	CTG_WATCH_CT_LOST = 1 << 2,    /* events lost (ENOBUFS): treated as a wipe */
	CTG_WATCH_NFT_GEN = 1 << 3,    /* a new nftables ruleset generation */
	CTG_WATCH_LEGACY = 1 << 4,     /* an iptables-legacy table changed */
	CTG_WATCH_MODULE = 1 << 5,     /* the conntrack module went, came or was reloaded */
	CTG_WATCH_PERIODIC = 1 << 6,   /* interval_s elapsed */
	CTG_WATCH_CT_SILENT = 1 << 7,  /* entries made before watch listened are gone */
};

/* Bursts of at least this many destroyed entries count as a wipe even without a victim. */
#define CTG_WATCH_WIPE_MIN 64

/*
 * One audit and what led to it.
 * @destroyed: destroy events of the burst; @destroyed_live: of those, entries of a live
 *   local ESTABLISHED socket (counted while the burst is small, else 0).
 * @wipe: the burst was a wipe (lost events, >= CTG_WATCH_WIPE_MIN entries, or a victim).
 * @nft_gens: generations seen; @nft_gen/@nft_pid/@nft_comm: the last one's.
 * @legacy: the legacy tables that changed ("ip/filter ip6/nat", or "").
 * @module: "unloaded", "loaded", "reloaded" or NULL.
 * @t_event/@t_audit/@t_done: CLOCK_MONOTONIC seconds: first event of the round (the
 *   round's start when there was none), audit start, end of the heal.
 * @err/@failed: the audit could not run (-errno; what could not be read), else 0.
 * @in: the inputs the audit read; @report: its findings; @heal: heal's results (n = 0
 *   without --heal).
 */
struct ctg_watch_round {
	unsigned why;
	size_t destroyed, destroyed_live;
	bool wipe;
	size_t nft_gens;
	uint32_t nft_gen, nft_pid;
	char nft_comm[17];
	char legacy[96];
	const char *module;
	double t_event, t_audit, t_done;
	int err;
	const char *failed;
	const struct ctg_inputs *in;
	struct ctg_audit_report report;
	struct ctg_heal_report heal;
};

struct ctg_watch_hooks {
	void (*round)(const struct ctg_watch_round *r, void *ctx);
	void (*tick)(void *ctx);
};

/*
 * Runs the loop until stop_fd is readable. Returns 0, or -errno when the event sockets
 * cannot be opened (-EPERM without CAP_NET_ADMIN) or polling fails.
 */
int ctg_watch_run(const struct ctg_watch_opts *o, const struct ctg_watch_hooks *h, void *ctx);

/* ---- internal: events.c ---- */

struct ctg_watch_events;

/* What one read of the event sockets found (added to). */
struct ctg_watch_batch {
	size_t destroyed;	 /* destroy events */
	bool lost;		 /* ENOBUFS on the conntrack socket */
	struct ctg_ct_table ent; /* the destroyed entries, while there are few */
	size_t nft_gens;
	uint32_t nft_gen, nft_pid;
	char nft_comm[17];
};

/* Opens the conntrack and nftables event sockets. NULL + errno. */
struct ctg_watch_events *ctg_watch_events_open(int rcvbuf);
void ctg_watch_events_close(struct ctg_watch_events *ev);
/* The two descriptors to poll. */
void ctg_watch_events_fds(const struct ctg_watch_events *ev, int fds[2]);
/*
 * Reads everything pending (non-blocking) into b; decodes destroyed entries until b->ent
 * holds keep of them. Returns the number of messages read (0: none pending) or -errno.
 */
long ctg_watch_events_read(struct ctg_watch_events *ev, struct ctg_watch_batch *b, size_t keep);
/* Decodes one NFT_MSG_NEWGEN message's attributes into b (exposed for tests). */
void ctg_watch_parse_newgen(const void *payload, size_t len, struct ctg_watch_batch *b);

/* ---- internal: polled.c ---- */

/* Fingerprints of what sends no events. */
struct ctg_watch_polled {
	uint64_t legacy[2][8]; /* [family][table index]: hash of the rules, 0 = absent */
	uint64_t module_id;    /* /sys/module/nf_conntrack identity, 0 = absent */
	bool ct_present;       /* /proc/sys/net/netfilter/nf_conntrack_count exists */
};

/* Reads the current fingerprints. */
void ctg_watch_polled_read(struct ctg_watch_polled *p);
/*
 * Compares now with before: writes the changed legacy tables into legacy ("ip/filter
 * ..."), returns the module change ("unloaded", "loaded", "reloaded") in *module.
 * Returns the ctg_watch_why bits of what changed.
 */
unsigned ctg_watch_polled_diff(const struct ctg_watch_polled *before,
			       const struct ctg_watch_polled *now, char *legacy, size_t size,
			       const char **module);
/* The hash of a legacy table's rule blob with counters masked (exposed for tests). */
uint64_t ctg_watch_hash_ipt_blob(const void *entries, size_t size, size_t counters_off,
				 size_t next_off_off);

#endif
