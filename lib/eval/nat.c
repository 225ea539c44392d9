// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * NAT as the walk sees it (nf_nat_core.c): nf_nat_setup_info for a new conntrack taken
 * by a DNAT/REDIRECT/SNAT/MASQUERADE rule (get_unique_tuple without clashes), and
 * nf_nat_packet, which rewrites the packet from the entry's binding at every nat hook.
 * Not modelled: tuple clashes (nf_nat_used_tuple), the hash-chosen address of a range,
 * random ports, the inner packet of ICMP errors (nf_nat_icmp_reply_translation).
 */
#include <string.h>

#include "walk_int.h"

#include "../target/target_nat.h"

static bool has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132 || proto == 33 || proto == 136;
}

/* HOOK2MANIP: destination at PREROUTING/OUTPUT, source at INPUT/POSTROUTING. */
static bool manip_dst(uint8_t hook)
{
	return hook == CTG_HOOK_PREROUTING || hook == CTG_HOOK_OUTPUT;
}

void ctg_nat_fix(struct ctg_nat_state *ns, struct ctg_pkt *p)
{
	if (ns->own)
		p->ct = &ns->ct;
}

static const struct ctg_addr *iface_addr(const struct ctg_eval_env *env, const char *name,
					 uint8_t family)
{
	if (!name || !*name)
		return NULL;
	for (size_t i = 0; i < env->nifaddr; i++)
		if (env->ifaddr[i].family == family && env->ifaddr[i].ifname &&
		    !strcmp(env->ifaddr[i].ifname, name))
			return &env->ifaddr[i].addr;
	return NULL;
}

static void loopback(uint8_t family, struct ctg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (family == 2) {
		a->b[0] = 127;
		a->b[3] = 1;
	} else {
		a->b[15] = 1;
	}
}

static bool addr_in(const struct ctg_addr *a, const struct ctg_addr *lo, const struct ctg_addr *hi)
{
	return memcmp(a->b, lo->b, sizeof(a->b)) >= 0 && memcmp(a->b, hi->b, sizeof(a->b)) <= 0;
}

/*
 * New address for the manip: find_best_ips_proto (one address: that one; SNAT keeps an
 * address already in range). Returns false when the address cannot be known.
 */
static bool new_addr(const struct ctg_eval_env *env, const struct ctg_pkt *p, enum ctg_nat_kind k,
		     const struct ctg_nat_range *r, bool dst, struct ctg_addr *a)
{
	const struct ctg_addr *ia;

	switch (k) {
	case CTG_NATK_REDIRECT:
		if (p->hook == CTG_HOOK_OUTPUT) {
			loopback(p->family, a);
			return true;
		}
		ia = iface_addr(env, p->iif, p->family);
		if (ia)
			*a = *ia;
		return ia != NULL;
	case CTG_NATK_MASQUERADE:
		ia = iface_addr(env, p->oif, p->family);
		if (ia)
			*a = *ia;
		return ia != NULL;
	default:
		break;
	}
	if (!r->map_ips)
		return true;
	if (ctg_addr_eq(&r->min_addr, &r->max_addr)) {
		*a = r->min_addr;
		return true;
	}
	return !dst && addr_in(a, &r->min_addr, &r->max_addr);
}

/* New port (nf_nat_l4proto_unique_tuple with no used tuple); false when random. */
static bool new_port(const struct ctg_nat_range *r, bool dst, bool random, uint16_t *port)
{
	uint32_t size;

	if (!r->proto_specified)
		return dst || !random;
	size = (uint32_t)r->max_port - r->min_port + 1;
	if (r->has_base) {
		*port = (uint16_t)(r->min_port + (uint16_t)(*port - r->base_port) % size);
		return true;
	}
	if (!random && *port >= r->min_port && *port <= r->max_port)
		return true;
	if (dst && !random) {
		*port = r->min_port;
		return true;
	}
	return false;
}

static void own_ct(struct ctg_nat_state *ns, struct ctg_pkt *p)
{
	if (!ns->own) {
		ns->ct = *p->ct;
		ns->own = true;
	}
	p->ct = &ns->ct;
}

static void put_tuple(struct ctg_pkt *p, const struct ctg_tuple *t)
{
	if (!ctg_addr_eq(&p->dst, &t->dst))
		p->dst_type = 0;
	if (!ctg_addr_eq(&p->src, &t->src))
		p->src_type = 0;
	p->src = t->src;
	p->dst = t->dst;
	if (has_ports(p->l4proto)) {
		p->sport = t->sport;
		p->dport = t->dport;
	}
}

int ctg_nat_setup(const struct ctg_eval_env *env, struct ctg_nat_state *ns, struct ctg_pkt *p,
		  const struct ctg_target *t)
{
	struct ctg_nat_range r;
	struct ctg_tuple cur, nt;
	bool random = false, dst = manip_dst(p->hook), known = true;
	enum ctg_nat_kind k = ctg_target_nat_info(t, &r, &random);

	if (k == CTG_NATK_NONE)
		return 0;
	/* "Can't setup nat info for confirmed ct": an entry of the table keeps its binding. */
	if (p->ct ? (p->ct->status & CTG_IPS_CONFIRMED) != 0 : !(p->ctstate & CTG_CTS_NEW))
		return 0;
	ctg_ct_pkt_tuple(p, &cur);
	nt = cur;
	if (dst)
		known = new_addr(env, p, k, &r, true, &nt.dst);
	else
		known = new_addr(env, p, k, &r, false, &nt.src);
	if (!known) {
		if (dst)
			ns->dst_unknown = true;
		else
			ns->src_unknown = true;
		if (dst && k != CTG_NATK_REDIRECT)
			ns->inexact = true; /* an address of a range: -d tests would be guesses */
	}
	if (has_ports(p->l4proto) && !new_port(&r, dst, random, dst ? &nt.dport : &nt.sport) && dst)
		ns->inexact = true;
	if (!memcmp(&nt, &cur, sizeof(nt)))
		return 0;
	ns->translated = true;
	if (!p->ct) {
		put_tuple(p, &nt);
		return 0;
	}
	own_ct(ns, p);
	ctg_ct_invert_tuple(p->l4proto, &nt, &ns->ct.reply);
	ns->ct.status |= dst ? CTG_IPS_DST_NAT : CTG_IPS_SRC_NAT;
	ns->ct_set = true;
	return 0;
}

void ctg_nat_packet(struct ctg_nat_state *ns, struct ctg_pkt *p)
{
	const struct ctg_ct_entry *ct = p->ct;
	const struct ctg_tuple *other;
	bool dst = manip_dst(p->hook);
	uint32_t bit = dst ? CTG_IPS_DST_NAT : CTG_IPS_SRC_NAT;
	struct ctg_tuple t;

	if (!ct || (p->ctstate & (CTG_CTS_INVALID | CTG_CTS_UNTRACKED)))
		return;
	if (p->ct_reply_dir)
		bit = bit == CTG_IPS_DST_NAT ? CTG_IPS_SRC_NAT : CTG_IPS_DST_NAT;
	if (!(ct->status & bit))
		return;
	/* nf_nat_manip_pkt: target = invert(tuple of the other direction). */
	other = p->ct_reply_dir ? &ct->orig : &ct->reply;
	ctg_ct_pkt_tuple(p, &t);
	if (dst) {
		t.dst = other->src;
		t.dport = other->sport;
	} else {
		t.src = other->dst;
		t.sport = other->dport;
	}
	if (ctg_addr_eq(&t.src, &p->src) && ctg_addr_eq(&t.dst, &p->dst) &&
	    (!has_ports(p->l4proto) || (t.sport == p->sport && t.dport == p->dport)))
		return;
	put_tuple(p, &t);
	ns->translated = true;
}
