#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Nagios plugin line (format, thresholds, exit codes 0-3) and the Prometheus textfile
# (promtool check metrics, atomic write) of `ctguard audit`, on offline inputs.
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(cd "$(dirname "$0")" && pwd)
d=$here/audit-basic
tmp=$(mktemp -d /tmp/ctg-audit-fmt.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
a() { "$CTGUARD" audit --rules "$d/rules.v4" --rules6 "$d/empty.v6" --sockets "$d/sockets.ss" "$@"; }
re='^CTGUARD (OK|WARNING|CRITICAL|UNKNOWN) - [^|]+ \| orphans=[0-9]+;[0-9]*;[0-9]*;0( [a-z_]+=[0-9]+;[0-9]*;[0-9]*;[0-9]*)+$'
check() { # expected-exit expected-status args...
	local want=$1 st=$2 out rc
	shift 2
	out=$(a "$@"); rc=$?
	echo "$out"
	[ "$(printf '%s\n' "$out" | wc -l)" = 1 ] || fail "nagios output is not one line"
	[[ $out =~ $re ]] || fail "nagios line format: $out"
	[[ $out == "CTGUARD $st "* ]] || fail "expected $st"
	[ $rc = "$want" ] || fail "exit $rc, expected $want"
}
check 2 CRITICAL --conntrack "$d/conntrack.txt" --nagios
check 1 WARNING --conntrack "$d/conntrack.txt" --nagios --critical 2
check 2 CRITICAL --conntrack "$d/conntrack.txt" --nagios --warning 0 --critical 1
check 1 WARNING --conntrack "$d/conntrack.txt" --nagios --warning 1 --critical 5
# Everything accepted: OK.
printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' >"$tmp/open.v4"
out=$("$CTGUARD" audit --rules "$tmp/open.v4" --rules6 "$d/empty.v6" --sockets "$d/sockets.ss" \
	--conntrack "$d/conntrack.txt" --nagios); rc=$?
echo "$out"
[ $rc = 0 ] && [[ $out =~ $re ]] && [[ $out == "CTGUARD OK "* ]] || fail "OK case"
# Unreadable input: UNKNOWN, exit 3.
out=$(a --conntrack /nonexistent --nagios 2>/dev/null); rc=$?
echo "$out"
[ $rc = 3 ] && [[ $out == "CTGUARD UNKNOWN "* ]] || fail "UNKNOWN case (exit $rc)"

# Prometheus textfile.
a --conntrack "$d/conntrack.txt" --prometheus "$tmp/ctguard.prom" >/dev/null
[ -f "$tmp/ctguard.prom" ] || fail "no metrics file"
cat "$tmp/ctguard.prom"
if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/ctguard.prom" || fail "promtool check metrics"
else
	echo "promtool not installed: format check skipped"
fi
for m in ctguard_orphaned_connections ctguard_last_run_timestamp_seconds \
	ctguard_conntrack_entries 'ctguard_at_risk_connections{service="redis"}'; do
	grep -q "^$m " "$tmp/ctguard.prom" || fail "metric $m missing"
done
grep -q '^ctguard_orphaned_connections 2$' "$tmp/ctguard.prom" || fail "orphan count"
[ "$(stat -c %a "$tmp/ctguard.prom")" = 644 ] || fail "mode"
[ "$(ls -A "$tmp" | grep -vc '^ctguard.prom$\|^open.v4$')" = 0 ] || fail "temporary file left"
echo PASS
