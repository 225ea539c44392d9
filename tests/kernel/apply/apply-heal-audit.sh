#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The audit and the heal after an apply are `ctguard audit`'s and `ctguard heal`'s
# (issue 14, must-show 1), through the library's apply session (ctg-apply-drv: the steps
# of `apply --yes`, with the test acting between them). Host H (10.200.75.1, secondary .3
# on eth0) and peer P (.2):
#   A  H's client -> P:5000, source-NATed by `-o eth0 ... -j SNAT --to-source .3`: deciding
#      it needs H's interfaces (the -o of a NAT rule);
#   C  H's client -> P:6000 and D  H's client -> P:6001: plain.
# After the load the test wipes conntrack (as a reload on an unlucky kernel would) and runs
# `ctguard audit`; the apply's own audit must decide exactly the same (A nat-lost for
# certain, 3 orphans). Then the test kills C's process (its socket leaves ESTABLISHED)
# before the heal: the heal re-inserts D, refuses C (no live local socket), leaves A
# (a plain entry cannot restore a NAT mapping) - and D carries data again.
set -u
CTGUARD=${CTGUARD:-ctguard}
DRV=${CTG_BUILDDIR:-.}/tests/kernel/apply/ctg-apply-drv
HERE=$(cd "$(dirname "$0")" && pwd)
SRV=ctg-apply-$$-hh
CLI=ctg-apply-$$-hp
T=$(mktemp -d /tmp/ctg-applyheal.XXXXXX)
fail=0
. "$HERE/lib-apply.sh"
command -v conntrack >/dev/null || { echo "SKIP: conntrack missing"; exit 77; }
[ -x "$DRV" ] || { echo "FAIL: $DRV not built"; exit 1; }

ip netns add "$SRV" && ip netns add "$CLI" || exit 1
ip -n "$SRV" link add eth0 type veth peer name eth0 netns "$CLI" || exit 1
S ip addr add 10.200.75.1/24 dev eth0; S ip addr add 10.200.75.3/24 dev eth0
C ip addr add 10.200.75.2/24 dev eth0
for n in "$SRV" "$CLI"; do ip -n "$n" link set lo up; ip -n "$n" link set eth0 up; done
S sysctl -qw net.netfilter.nf_conntrack_tcp_loose=1 2>/dev/null

cat >"$T/base.v4" <<'R'
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -d 10.200.75.2/32 -o eth0 -p tcp -m tcp --dport 5000 -j SNAT --to-source 10.200.75.3
COMMIT
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
R
sed 's/--dport 22 -j ACCEPT/&\n-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT/' "$T/base.v4" >"$T/new.v4"
S iptables-restore <"$T/base.v4" || { echo "SKIP: iptables-restore cannot load"; exit 77; }
BACKEND=nft
iptables -V | grep -q legacy && BACKEND=legacy

for c in a:5000 c:6000 d:6001; do
	mkdir -p "$T/p${c%%:*}" "$T/h${c%%:*}"
	C /usr/bin/python3 "$HERE/endpoint.py" listen 10.200.75.2 "${c#*:}" "$T/p${c%%:*}" &
done
for i in $(seq 50); do [ -e "$T/pa/listening" ] && [ -e "$T/pc/listening" ] && [ -e "$T/pd/listening" ] && break; sleep 0.1; done
for c in a:5000 c:6000 d:6001; do
	S /usr/bin/python3 "$HERE/endpoint.py" connect 10.200.75.2 "${c#*:}" "$T/h${c%%:*}" &
	eval "pid_${c%%:*}=$!"
done
for i in $(seq 50); do [ -e "$T/ha/ready" ] && [ -e "$T/hc/ready" ] && [ -e "$T/hd/ready" ] && break; sleep 0.1; done
[ -e "$T/hd/ready" ] || { echo "FAIL: connections not up"; exit 1; }
C ss -tnH state established | grep -q "10.200.75.2:5000 *10.200.75.3:" || { echo "FAIL: A not source-NATed"; exit 1; }
# sends $3 from endpoint dir $1, expects it in $2/recv within 3 s
carries() {
	echo "$3" >"$1/send.tmp" && mv "$1/send.tmp" "$1/send"
	for i in $(seq 30); do grep -q "$3" "$2/recv" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
carries "$T/pd" "$T/hd" "d-start" || bad "D not carrying data at start"

# the process of C: the python whose parent is the `ip netns exec` of C's connect
cpid=$(pgrep -f "endpoint.py connect 10.200.75.2 6000" | head -1)
S "$DRV" --backend "$BACKEND" --rules "$T/new.v4" \
	--after-load "conntrack -F >/dev/null 2>&1; '$CTGUARD' audit --nagios >'$T/cli-audit'" \
	--after-audit "kill $cpid; sleep 0.3" >"$T/out" 2>&1; rc=$?
cat "$T/out" "$T/cli-audit"
drv=$(grep "^audit:" "$T/out" | sed 's/^audit: //')
cli=$(sed -n 's/^CTGUARD [A-Z]* - \([0-9]*\) orphaned[^;]*; \([0-9]*\) at risk, \([0-9]*\) possibly orphaned, \([0-9]*\) nat-lost.*/orphans=\1 at_risk=\2 possible=\3 nat_lost=\4/p' "$T/cli-audit")
echo "apply's audit: $drv"
echo "ctguard audit: $cli"
[ -n "$cli" ] && [ "$drv" = "$cli" ] && ok "the audit after the apply decides as ctguard audit ($drv)" ||
	bad "audits differ"
grep -q "^finding nat-lost certain 10.200.75.1:[0-9]*->10.200.75.2:5000 SNAT" "$T/out" &&
	ok "A (SNAT with -o eth0) decided: nat-lost for certain" || bad "A not decided"
grep -q "10.200.75.1:[0-9]*->10.200.75.2:5000 (python3) nat-lost by SNAT" "$T/cli-audit" ||
	bad "ctguard audit does not name A as nat-lost"
grep -q "heal: orphans=3 inserted=1 refused=1 failed=0" "$T/out" &&
	ok "heal after the apply: D re-inserted, C refused (no live local socket), A left alone" ||
	bad "heal counts"
[ $rc = 0 ] || bad "driver exit $rc"
S conntrack -L -p tcp --dport 6000 2>/dev/null | grep -q ASSURED &&
	bad "an entry was inserted for C, whose socket is gone"
carries "$T/pd" "$T/hd" "d-after-heal" && ok "D carries data after the heal" || bad "D cut"
touch "$T"/p?/stop "$T"/h?/stop
exit $fail
