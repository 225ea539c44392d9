#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# check's candidate as iptables-restore leaves the kernel (offline inputs):
#  - a candidate that names only *nat keeps the current filter table (INPUT DROP): a
#    restart still cuts the idle client (analysed with an empty filter table it would be
#    a wrong "safe"), and check names the kept table;
#  - an empty candidate is an error (exit 2), a warning with --force;
#  - a candidate iptables-restore refuses (CRLF) is analysed but "would not load", exit 2.
set -u
CTGUARD=${CTGUARD:-ctguard}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
printf '%s\n' '*nat' ':PREROUTING ACCEPT [0:0]' ':INPUT ACCEPT [0:0]' ':OUTPUT ACCEPT [0:0]' \
	':POSTROUTING ACCEPT [0:0]' \
	'-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.1.0.2:8080' 'COMMIT' \
	'*filter' ':INPUT DROP [0:0]' ':FORWARD DROP [0:0]' ':OUTPUT ACCEPT [0:0]' \
	'-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT' \
	'-A INPUT -p tcp -m tcp --dport 8080 -j ACCEPT' 'COMMIT' >"$tmp/current.v4"
# the candidate edits only the nat table (another port published)
printf '%s\n' '*nat' ':PREROUTING ACCEPT [0:0]' ':INPUT ACCEPT [0:0]' ':OUTPUT ACCEPT [0:0]' \
	':POSTROUTING ACCEPT [0:0]' \
	'-A PREROUTING -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.1.0.2:8080' \
	'-A PREROUTING -p tcp -m tcp --dport 443 -j DNAT --to-destination 10.1.0.2:8443' \
	'COMMIT' >"$tmp/nat-only.v4"
# an idle replica-style client of 10.1.0.9:3306
echo 'tcp      6 431999 ESTABLISHED src=10.1.0.2 dst=10.1.0.9 sport=40001 dport=3306 src=10.1.0.9 dst=10.1.0.2 sport=3306 dport=40001 [ASSURED] mark=0 use=1' >"$tmp/ct"
echo 'tcp   ESTAB 0      0      10.1.0.2:40001   10.1.0.9:3306 users:(("mariadbd",pid=600,fd=5))' >"$tmp/ss"
in=(--current "$tmp/current.v4" --conntrack "$tmp/ct" --sockets "$tmp/ss" --local 10.1.0.2 --method restart)

out=$("$CTGUARD" check --rules "$tmp/nat-only.v4" "${in[@]}" 2>&1)
rc=$?
echo "$out"
echo "$out" | grep -q 'tables not in the candidate keep their current rules.*: filter' || fail "kept filter not named"
[ $rc = 1 ] || fail "restart with the kept INPUT DROP must cut the idle client (exit $rc, want 1)"

: >"$tmp/empty.v4"
"$CTGUARD" check --rules "$tmp/empty.v4" "${in[@]}" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q 'names no table' "$tmp/err" || fail "empty candidate: want exit 2 (got $rc)"
"$CTGUARD" check --force --rules "$tmp/empty.v4" "${in[@]}" >/dev/null 2>"$tmp/err"
rc=$?
grep -q 'warning: the candidate names no table' "$tmp/err" && [ $rc != 2 ] || fail "--force: want a warning (got $rc)"

sed 's/$/\r/' "$tmp/nat-only.v4" >"$tmp/crlf.v4"
"$CTGUARD" check --rules "$tmp/crlf.v4" "${in[@]}" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q 'would not load' "$tmp/err" || fail "CRLF candidate: want 'would not load', exit 2 (got $rc)"
echo PASS
