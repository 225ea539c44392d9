// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The TCP tracker's state table and flag classes (nf_conntrack_proto_tcp.c:
 * tcp_conntracks, get_conntrack_index, tcp_valid_flags).
 */
#include "model.h"

enum { SYN, SYNACK, FIN, ACK, RST, NONE };

#define sNO CTG_TCP_NONE
#define sSS CTG_TCP_SYN_SENT
#define sSR CTG_TCP_SYN_RECV
#define sES CTG_TCP_ESTABLISHED
#define sFW CTG_TCP_FIN_WAIT
#define sCW CTG_TCP_CLOSE_WAIT
#define sLA CTG_TCP_LAST_ACK
#define sTW CTG_TCP_TIME_WAIT
#define sCL CTG_TCP_CLOSE
#define sS2 CTG_TCP_SYN_SENT2
#define sIV CTG_CT_TCP_IV
#define sIG CTG_CT_TCP_IG

/* [dir][class][state]; columns NO SS SR ES FW CW LA TW CL S2 (netfilter-semantics.md 6). */
static const uint8_t table[2][5][CTG_TCP_MAX] = {
	{
		/* orig */
		[SYN] = {sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2},
		[SYNACK] = {sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR},
		[FIN] = {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
		[ACK] = {sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV},
		[RST] = {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
	},
	{
		/* reply */
		[SYN] = {sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2},
		[SYNACK] = {sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR},
		[FIN] = {sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV},
		[ACK] = {sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG},
		[RST] = {sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
	},
};

/* tcp_error: flag combinations (FIN SYN RST ACK URG; PSH ECE CWR ignored) allowed. */
static bool valid_flags(uint8_t f)
{
	switch (f & (CTG_TH_FIN | CTG_TH_SYN | CTG_TH_RST | CTG_TH_ACK | CTG_TH_URG)) {
	case CTG_TH_SYN:
	case CTG_TH_SYN | CTG_TH_URG:
	case CTG_TH_SYN | CTG_TH_ACK:
	case CTG_TH_RST:
	case CTG_TH_RST | CTG_TH_ACK:
	case CTG_TH_FIN | CTG_TH_ACK:
	case CTG_TH_FIN | CTG_TH_ACK | CTG_TH_URG:
	case CTG_TH_ACK:
	case CTG_TH_ACK | CTG_TH_URG:
		return true;
	default:
		return false;
	}
}

int ctg_ct_tcp_flag_class(uint8_t f)
{
	if (!valid_flags(f))
		return -1;
	if (f & CTG_TH_RST)
		return RST;
	if (f & CTG_TH_SYN)
		return (f & CTG_TH_ACK) ? SYNACK : SYN;
	if (f & CTG_TH_FIN)
		return FIN;
	if (f & CTG_TH_ACK)
		return ACK;
	return NONE;
}

uint8_t ctg_ct_tcp_next(bool reply_dir, int cls, uint8_t state)
{
	if (cls < SYN || cls > RST || state >= CTG_TCP_MAX)
		return sIV;
	return table[reply_dir ? 1 : 0][cls][state];
}
