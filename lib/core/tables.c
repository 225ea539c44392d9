// SPDX-License-Identifier: GPL-2.0-or-later
/* Flat growable tables of conntrack entries and sockets. */
#include <ctguard/ct.h>
#include <ctguard/sock.h>

#include <stdlib.h>
#include <string.h>

#define DEFINE_TABLE(prefix, tstruct, estruct)                                                     \
	void prefix##_init(struct tstruct *t)                                                      \
	{                                                                                          \
		memset(t, 0, sizeof(*t));                                                          \
	}                                                                                          \
	void prefix##_release(struct tstruct *t)                                                   \
	{                                                                                          \
		free(t->v);                                                                        \
		memset(t, 0, sizeof(*t));                                                          \
	}                                                                                          \
	struct estruct *prefix##_push(struct tstruct *t)                                           \
	{                                                                                          \
		if (t->n == t->cap) {                                                              \
			size_t ncap = t->cap ? t->cap * 2 : 256;                                   \
			struct estruct *nv = realloc(t->v, ncap * sizeof(*nv));                    \
			if (!nv)                                                                   \
				return NULL;                                                       \
			t->v = nv;                                                                 \
			t->cap = ncap;                                                             \
		}                                                                                  \
		memset(&t->v[t->n], 0, sizeof(t->v[0]));                                           \
		return &t->v[t->n++];                                                              \
	}

DEFINE_TABLE(ctg_ct_table, ctg_ct_table, ctg_ct_entry)
DEFINE_TABLE(ctg_sock_table, ctg_sock_table, ctg_sock)

const char *ctg_tcp_state_name(enum ctg_tcp_state s)
{
	static const char *const names[] = {
		"NONE",      "SYN_SENT",  "SYN_RECV", "ESTABLISHED", "FIN_WAIT",
		"CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE",      "SYN_SENT2",
	};
	return s < CTG_TCP_MAX ? names[s] : "UNKNOWN";
}
