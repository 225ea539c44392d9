/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Heal: the conntrack entry the kernel would have had for an orphaned TCP connection or
 * connected UDP socket,
 * built from its live local socket (pure). Its insertion over ctnetlink is apply/heal_nl.h.
 */
#ifndef CTG_ANALYSIS_HEAL_H
#define CTG_ANALYSIS_HEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctguard/ct.h>
#include <ctguard/sock.h>

#include "../core/strbuf.h"

/*
 * Fills out with the entry the kernel holds for an established connection: ORIGINAL =
 * the opener (local->peer when !local_is_server, else peer->local; the caller takes the
 * role from ctg_conns_join, which knows the listeners), status
 * SEEN_REPLY|ASSURED|CONFIRMED, timeout seconds (0: the kernel default of the sysctl
 * model, ct/model.h). TCP: state
 * ESTABLISHED, BE_LIBERAL|SACK_PERM both ways. UDP: a connected socket (a UDP "stream").
 * Returns 0, or -EINVAL when sk is neither an ESTABLISHED TCP socket nor a connected UDP one.
 */
int ctg_heal_entry_for_sock(const struct ctg_sock *sk, bool local_is_server, uint32_t timeout,
			    struct ctg_ct_entry *out);

/* Appends the equivalent `conntrack -I ...` command line (no newline) to sb. */
void ctg_heal_format_cmd(const struct ctg_ct_entry *e, struct ctg_strbuf *sb);

#endif
