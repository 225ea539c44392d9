/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Internal state of the iptables-restore parser (parse.c, rule.c, rule_mod.c, commit.c). */
#ifndef CTG_PARSE_H
#define CTG_PARSE_H

#include "ir.h"
#include "lex.h"

/* A chain while its table is being read. */
struct pchain {
	const char *name; /* interned */
	bool builtin;
	bool declared; /* ":NAME" seen */
	enum ctg_hook hook;
	enum ctg_verdict policy;
	uint64_t ppkts, pbytes;
	/* The chain's rules: parser.trules[start .. start + n) while idx is NULL (rules appended
	 * in file order, the usual case: no permutation at COMMIT), else idx lists the indexes
	 * into parser.trules in chain order. */
	uint32_t *idx;
	uint32_t start;
	uint32_t n, cap;
	struct ctg_loc loc;
};

/* Hash map from chain name (keys are the interned names) to pchain index. */
struct chainmap_slot {
	const char *key;
	uint32_t hash, val;
};

struct chainmap {
	struct chainmap_slot *slots;
	size_t cap, n;
};

/* Extra state of a ruleset (the public struct is the first member). */
struct rs_priv {
	struct ctg_ruleset rs;
	void **allocs; /* malloc'd rule arrays */
	size_t nallocs, capallocs;
};

struct parser {
	struct rs_priv *priv;
	struct ctg_ruleset *rs;
	struct ctg_diags *diags;
	const char *src; /* interned source name */
	/* current line */
	uint32_t lineno;
	const char *line; /* in the input text, not NUL-terminated; CRs at its end stripped */
	size_t line_len;
	char *linebuf; /* a NUL-terminated copy when a diagnostic needs it */
	size_t linecap;
	bool line_copied;
	struct ctg_lexline lx;
	/* current table */
	int table; /* -1 when outside *table ... COMMIT */
	struct ctg_loc table_loc;
	bool seen[CTG_TABLE_MAX];
	struct pchain *chains;
	size_t nchains, capchains;
	struct chainmap map;
	/* rules of the table in parse order; COMMIT permutes them in place so that each
	 * chain's rules are contiguous, and hands the array to the ruleset */
	struct ctg_rule *trules;
	size_t ntr, captr;
	/* scratch for rule building */
	struct ctg_match *mv;
	uint8_t (*seen_opts)[32];
	size_t capm;
	int errors;
	bool strict;			       /* CTG_PARSE_STRICT */
	struct rctx *rc;		       /* reused for every rule */
	const struct ctg_match_ops *mcache[4]; /* match modules last looked up */
	const struct ctg_target_ops *tcache;   /* the target extension last looked up */
	struct ctg_arena *arena;	       /* the ruleset's: rules allocate here */
	bool uses_ct;	  /* some rule activates conntrack (ctg_ruleset.uses_ct) */
	bool nomem;	  /* out of memory: the parse fails as a whole */
	size_t size_hint; /* bytes of input (first rule array guess) */
	size_t *line_off; /* start of each line of the source, for diagnostics (commit.c) */
	size_t nline_off;
};

void ctg_parse_error(struct parser *p, const char *code, unsigned col, unsigned end_col,
		     const char *hint, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void ctg_parse_warn(struct parser *p, const char *code, unsigned col, unsigned end_col,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
struct ctg_loc ctg_parse_loc(const struct parser *p, unsigned col, unsigned end_col);
/* The current line, NUL-terminated (copied on first use), for diagnostics; NULL if none. */
const char *ctg_parse_line_text(struct parser *p);

int ctg_chainmap_get(const struct chainmap *m, const char *key);
/* The key's hash, for _get_h and _put_h (computed once by the caller). */
uint32_t ctg_chainmap_hash(const char *key);
int ctg_chainmap_get_h(const struct chainmap *m, const char *key, uint32_t h);
int ctg_chainmap_put_h(struct chainmap *m, const char *key, uint32_t h, uint32_t val);
/* Room for n keys without growing. 0 or -ENOMEM. */
int ctg_chainmap_reserve(struct chainmap *m, size_t n);
void ctg_chainmap_release(struct chainmap *m);

/* One rule as iptables-save prints it, with a newline (emit.c). */
void ctg_rule_emit(const struct ctg_rule *r, const char *chain, enum ctg_family f, unsigned flags,
		   struct ctg_strbuf *sb);

/* Parses one "-A"/"-I" rule line (already lexed into p->lx). */
void ctg_parse_rule(struct parser *p);

/* IP part helpers (ipopt.c). Return 0 or -EINVAL. */
int ctg_parse_addr_mask(enum ctg_family f, const char *s, struct ctg_addr *addr,
			struct ctg_addr *mask);
int ctg_parse_proto(const char *s, uint8_t *proto);
const char *ctg_proto_name(uint8_t proto); /* NULL when it has no name */
int ctg_parse_iface(const char *s, struct ctg_iface *ifc);

/* ------------------------------------------------------------ one rule */

#define CTG_MAX_ADDRS 64

struct rctx {
	struct parser *p;
	const struct ctg_word *w;
	size_t n, i;
	struct pchain *chain;
	struct ctg_rule r;
	size_t nm; /* matches so far, in p->mv */
	struct ctg_mctx mc;
	bool inv;	  /* pending "!" */
	unsigned inv_col; /* its column */
	int unk;	  /* collecting raw options for: match index, -2 target, -1 nobody */
	unsigned raw_col, raw_end;
	bool target_set;
	uint8_t tseen[32];
	bool err;
	bool ignore; /* -4 in ip6tables input or -6 in iptables input */
	size_t ns, nd;
	const struct ctg_word *in_w, *out_w; /* the -i / -o words */
	/* not reset between rules: */
	struct ctg_addr saddr[CTG_MAX_ADDRS], daddr[CTG_MAX_ADDRS];
	struct ctg_addr smask[CTG_MAX_ADDRS], dmask[CTG_MAX_ADDRS];
};

/* rule_mod.c: -m, -j/-g, and "--option" words of modules. */
void ctg_rule_match(struct rctx *rc, const struct ctg_word *opt, const char *name);
void ctg_rule_jump(struct rctx *rc, const struct ctg_word *opt, const char *name, bool go);
void ctg_rule_module_option(struct rctx *rc);
void ctg_rule_close_unknown(struct rctx *rc);
/* Runs final callbacks and table/hook checks. */
void ctg_rule_finish_modules(struct rctx *rc);
/* Error helpers that also abort the rule. */
void ctg_rule_error(struct rctx *rc, const char *code, const struct ctg_word *w, const char *hint,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Next argument word for an option (legacy "opt ! arg" negation sets *inv). NULL + error. */
const struct ctg_word *ctg_rule_arg(struct rctx *rc, const struct ctg_word *opt, bool *inv);

#endif
