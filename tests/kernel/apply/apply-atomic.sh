#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Atomicity of ctguard apply ($1 = nft | legacy): a counted UDP stream (one datagram per
# 0.5 ms) to a port that both the old and the new 5000-rule ruleset allow, and that nothing
# else lets through (INPUT policy DROP, no conntrack rule), loses no datagram while apply
# replaces the ruleset. Control: flush-then-add of the same ruleset loses datagrams, so
# the counter can see a gap.
set -u
BACKEND=${1:-nft}
CTGUARD=${CTGUARD:-ctguard}
HERE=$(cd "$(dirname "$0")" && pwd)
SRV=ctg-apatom-$$-srv
CLI=ctg-apatom-$$-cli
T=$(mktemp -d /tmp/ctg-apatom.XXXXXX)
N=${CTG_ATOMIC_RULES:-5000}
fail=0
. "$HERE/lib-apply.sh"

if [ "$BACKEND" = legacy ]; then RESTORE=iptables-legacy-restore; IPT=iptables-legacy
else RESTORE=iptables-nft-restore; IPT=iptables-nft; fi

apply_netns ctgat 10.200.72

# $1: second octet of the blocked sources (201 old, 202 new)
gen() {
	echo '*filter'
	echo ':INPUT DROP [0:0]'
	echo ':FORWARD DROP [0:0]'
	echo ':OUTPUT ACCEPT [0:0]'
	awk -v o="$1" -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
		printf "-A INPUT -s 10.%d.%d.%d/32 -p tcp -m tcp --dport 8080 -j DROP\n", o, int(i / 250), i % 250 + 1 }'
	echo '-A INPUT -p udp -m udp --dport 5000 -j ACCEPT'
	echo 'COMMIT'
}
gen 201 >"$T/old.v4"
gen 202 >"$T/new.v4"

# one run: $1 = label, rest = command that replaces the ruleset; prints the loss
run() {
	local label=$1 d="$T/$1"
	shift
	mkdir -p "$d"
	S $RESTORE <"$T/old.v4" || { echo "SKIP: $RESTORE cannot load"; exit 77; }
	ip netns exec "$SRV" /usr/bin/python3 "$HERE/stream.py" recv 10.200.72.1 5000 "$d" &
	for i in $(seq 50); do [ -e "$d/recv-ready" ] && break; sleep 0.1; done
	ip netns exec "$CLI" /usr/bin/python3 "$HERE/stream.py" send 10.200.72.1 5000 "$d" &
	sleep 1
	local t0=$(date +%s.%N)
	"$@" >"$d/out" 2>&1
	local rc=$? t1=$(date +%s.%N)
	sleep 1
	touch "$d/stop"
	for i in $(seq 100); do [ -e "$d/received" ] && break; sleep 0.1; done
	local sent=$(cat "$d/sent" 2>/dev/null || echo 0) got=$(cat "$d/received" 2>/dev/null || echo 0)
	echo "$label: rc=$rc, load $(echo "$t1 - $t0" | bc) s, sent $sent, received $got, lost $((sent - got))"
	LOST=$((sent - got)); RC=$rc; SENT=$sent
	S $IPT -S INPUT | grep -c -- "-s 10.202" >"$d/newrules"
}

run apply S "$CTGUARD" apply --backend "$BACKEND" --rules "$T/new.v4" --yes
if [ "$RC" != 0 ] || [ "$(cat "$T/apply/newrules")" != "$N" ]; then
	echo "FAIL: apply did not load the $N new rules (rc=$RC)"; cat "$T/apply/out"; fail=1
fi
[ "$SENT" -gt 1000 ] || { echo "FAIL: stream too short ($SENT)"; fail=1; }
[ "$LOST" = 0 ] && echo "ok: atomic apply of $N rules lost no datagram" ||
	{ echo "FAIL: apply lost $LOST datagrams"; fail=1; }

# control: flush-then-add (what apply must never do)
run flush-then-add sh -c "ip netns exec $SRV $IPT -F INPUT && ip netns exec $SRV $RESTORE --noflush <$T/new.v4"
[ "$LOST" -gt 0 ] && echo "ok: control: flush-then-add lost $LOST datagrams (the counter sees gaps)" ||
	{ echo "FAIL: control lost nothing: the test cannot see a gap"; fail=1; }
exit $fail
