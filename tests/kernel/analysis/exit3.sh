#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Environment errors are exit 3 and say so, never an I/O or parse error blamed on a valid
# file: every live command run without CAP_NET_ADMIN (capsh --drop) in a namespace says
# "needs root / CAP_NET_ADMIN" and exits 3 (audit --nagios: UNKNOWN); audit --prometheus
# that cannot write its file exits 3 (--nagios: UNKNOWN) after a correct analysis.
set -u
CTGUARD=${CTGUARD:-ctguard}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v capsh >/dev/null || { echo "SKIP: capsh missing"; exit 77; }
N=ctg-udpfix-$$-e
tmp=$(mktemp -d /tmp/ctg-exit3.XXXXXX)
cleanup() { ip netns del "$N" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
ip netns add "$N" || exit 1
ip -n "$N" link set lo up
ip netns exec "$N" iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT || exit 1
printf '*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n' >"$tmp/rules.v4"
n=0
for cmd in "audit" "audit --nagios" "heal --dry-run" "check" "check --rules $tmp/rules.v4" \
	"conns" "trace tcp 10.200.0.1:1 10.200.0.2:2" "apply --rules $tmp/rules.v4 --dry-run" \
	"apply --rules $tmp/rules.v4 --yes"; do
	ip netns exec "$N" capsh --drop=cap_net_admin -- -c "$CTGUARD $cmd" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	echo "[$cmd] exit $rc: $(tr '\n' ' ' <"$tmp/err")"
	[ $rc = 3 ] || fail "$cmd without CAP_NET_ADMIN exited $rc (want 3)"
	grep -q 'needs root / CAP_NET_ADMIN' "$tmp/err" || fail "$cmd: no 'needs root / CAP_NET_ADMIN'"
	grep -q "rules.v4:[0-9]" "$tmp/err" && fail "$cmd blamed the valid file"
	case "$cmd" in *--nagios*) grep -q '^CTGUARD UNKNOWN' "$tmp/out" || fail "$cmd: want UNKNOWN" ;; esac
	n=$((n + 1))
done
# the rules are untouched
ip netns exec "$N" iptables -S INPUT | grep -q -- '-P INPUT ACCEPT' || fail "apply changed the rules"

# --prometheus to a file that cannot be written: the analysis is printed, exit 3.
: >"$tmp/ct" && : >"$tmp/ss" && : >"$tmp/empty.v6"
in=(--rules "$tmp/rules.v4" --rules6 "$tmp/empty.v6" --conntrack "$tmp/ct" --sockets "$tmp/ss")
"$CTGUARD" audit "${in[@]}" --prometheus "$tmp/no/such/dir/ctguard.prom" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc = 3 ] || fail "audit --prometheus unwritable exited $rc (want 3)"
grep -q '0 orphaned' "$tmp/out" || fail "the analysis should still be printed"
"$CTGUARD" audit "${in[@]}" --nagios --prometheus "$tmp/no/such/dir/ctguard.prom" >"$tmp/out" 2>"$tmp/err"
rc=$?
cat "$tmp/out"
[ $rc = 3 ] && grep -q '^CTGUARD UNKNOWN - cannot write' "$tmp/out" || fail "--nagios: want UNKNOWN, exit 3 (got $rc)"
"$CTGUARD" audit "${in[@]}" --nagios --prometheus "$tmp/ok.prom" >/dev/null
rc=$?
[ $rc = 0 ] && grep -q '^ctguard_orphaned_connections 0' "$tmp/ok.prom" || fail "writable: want OK and the file"
echo "PASS: $n commands without CAP_NET_ADMIN exit 3 with the reason; prometheus write failure exit 3 / UNKNOWN"
