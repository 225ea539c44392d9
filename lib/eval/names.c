// SPDX-License-Identifier: GPL-2.0-or-later
/* Evaluator names and small helpers: paths, verdicts, ctstates, environment, trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eval.h"

int ctg_eval_path_parse(const char *s)
{
	if (!strcasecmp(s, "input") || !strcasecmp(s, "in") || !strcasecmp(s, "local-in"))
		return CTG_PATH_LOCAL_IN;
	if (!strcasecmp(s, "forward") || !strcasecmp(s, "fwd"))
		return CTG_PATH_FORWARD;
	if (!strcasecmp(s, "output") || !strcasecmp(s, "out") || !strcasecmp(s, "local-out"))
		return CTG_PATH_LOCAL_OUT;
	return -1;
}

const char *ctg_eval_path_name(enum ctg_eval_path p)
{
	switch (p) {
	case CTG_PATH_LOCAL_IN:
		return "input";
	case CTG_PATH_FORWARD:
		return "forward";
	case CTG_PATH_LOCAL_OUT:
		return "output";
	}
	return "?";
}

void ctg_eval_env_init(struct ctg_eval_env *env)
{
	memset(env, 0, sizeof(*env));
	ctg_sysctls_default(&env->sysctls);
	env->ct_active = -1;
}

enum ctg_tri ctg_eval_env_is_local(const struct ctg_eval_env *env, uint8_t family,
				   const struct ctg_addr *addr)
{
	if (family == 2 && (addr->b[0] == 127))
		return CTG_TRUE;
	if (family == 10 && !addr->w[0] && !addr->w[1] && !addr->w[2] && addr->b[15] == 1 &&
	    !addr->b[12] && !addr->b[13] && !addr->b[14])
		return CTG_TRUE;
	for (size_t i = 0; i < env->nlocal; i++)
		if (env->local[i].family == family && ctg_addr_eq(&env->local[i].addr, addr))
			return CTG_TRUE;
	return env->local_known ? CTG_FALSE : CTG_UNKNOWN;
}

void ctg_trace_init(struct ctg_trace *t)
{
	memset(t, 0, sizeof(*t));
}

void ctg_trace_release(struct ctg_trace *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void ctg_trace_reset(struct ctg_trace *t)
{
	t->n = 0;
	t->oom = false;
}

const char *ctg_verdict_name(enum ctg_verdict v)
{
	static const char *const names[] = {
		[CTG_V_CONTINUE] = "CONTINUE", [CTG_V_ACCEPT] = "ACCEPT", [CTG_V_DROP] = "DROP",
		[CTG_V_REJECT] = "REJECT",     [CTG_V_RETURN] = "RETURN", [CTG_V_JUMP] = "JUMP",
		[CTG_V_GOTO] = "GOTO",	       [CTG_V_QUEUE] = "QUEUE",
	};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}

static void join(char *buf, size_t size, size_t *len, const char *word)
{
	int n = snprintf(buf + *len, size - *len, "%s%s", *len ? "|" : "", word);

	if (n > 0 && (size_t)n < size - *len)
		*len += (size_t)n;
}

const char *ctg_verdict_bits_format(unsigned bits, char *buf, size_t size)
{
	static const char *const names[] = {"ACCEPT", "DROP", "REJECT", "QUEUE"};
	size_t len = 0;

	if (!size)
		return buf;
	buf[0] = 0;
	for (unsigned i = 0; i < 4; i++)
		if (bits & (1u << i))
			join(buf, size, &len, names[i]);
	if (!len)
		snprintf(buf, size, "NONE");
	return buf;
}

static const char *const ctstate_names[] = {"INVALID",	 "NEW",	 "ESTABLISHED", "RELATED",
					    "UNTRACKED", "SNAT", "DNAT"};

const char *ctg_ctstate_format(uint8_t ctstate, char *buf, size_t size)
{
	size_t len = 0;

	if (!size)
		return buf;
	buf[0] = 0;
	for (unsigned i = 0; i < 7; i++) {
		if (!(ctstate & (1u << i)))
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", ctstate_names[i]);

		if (n > 0 && (size_t)n < size - len)
			len += (size_t)n;
	}
	return buf;
}

int ctg_ctstate_parse(const char *s)
{
	int bits = 0;
	char word[16];

	while (*s) {
		size_t n = strcspn(s, ",");
		unsigned i;

		if (!n || n >= sizeof(word))
			return -1;
		memcpy(word, s, n);
		word[n] = 0;
		for (i = 0; i < 7; i++)
			if (!strcasecmp(word, ctstate_names[i]))
				break;
		if (i == 7)
			return -1;
		bits |= 1 << i;
		s += n;
		if (*s == ',')
			s++;
	}
	return bits ? bits : -1;
}
