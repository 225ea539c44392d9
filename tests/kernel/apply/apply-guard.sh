#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The rollback guard cannot fail open and cannot hurt ($1 = nft | legacy), in a network
# namespace (issue 14, must-show 2):
#  A. the guard SIGKILLed while apply waits: apply takes over, the previous rules are back
#     within a few seconds of the timeout, apply exits 1;
#  B. the guard SIGKILLed and its PID file naming another process (a reused PID), then
#     `apply --confirm`: the other process is untouched, the apply is confirmed;
#  C. guard and apply both SIGKILLed: the apply is unresolved, a new apply refuses (rules
#     untouched) until `apply --rollback` restores the saved rules;
#  D. a read-only state directory: apply refuses before loading anything;
#  E. a rule added by another program between the check and the load (through the
#     library's apply session, tests/kernel/apply/ctg-apply-drv): detected, nothing
#     loaded, the guard withdrawn; after the deadline the rule is still there.
set -u
BACKEND=${1:-nft}
CTGUARD=${CTGUARD:-ctguard}
DRV=${CTG_BUILDDIR:-.}/tests/kernel/apply/ctg-apply-drv
HERE=$(cd "$(dirname "$0")" && pwd)
SRV=ctg-apply-$$-gsrv
CLI=ctg-apply-$$-gcli
T=$(mktemp -d /tmp/ctg-applyguard.XXXXXX)
fail=0
. "$HERE/lib-apply.sh"

apply_backend_tools "$BACKEND"
[ -x "$DRV" ] || { echo "FAIL: $DRV not built"; exit 1; }

apply_netns ctgag 10.200.74
cat >"$T/base.v4" <<'R'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
R
sed 's/^COMMIT/-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT/' "$T/base.v4" >"$T/safe.v4"
S $RESTORE4 <"$T/base.v4" || { echo "SKIP: cannot load rules with $RESTORE4"; exit 77; }
save() { S $SAVE4 | grep -v '^#' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/g'; }
before=$(save)
ST="$T/state"

# starts a background apply (timeout $1) in $SRV; sets AP; waits until it waits
apply_bg() {
	ip netns exec "$SRV" "$CTGUARD" apply --backend "$BACKEND" --state-dir "$ST" \
		--rules "$T/safe.v4" --timeout "$1" --no-prompt >"$T/out" 2>&1 </dev/null &
	AP=$!
	for i in $(seq 100); do grep -q -- "--confirm" "$T/out" && break; sleep 0.1; done
	grep -q -- "--confirm" "$T/out" || { bad "apply did not start waiting"; cat "$T/out"; }
}
guard_pid() {
	local p
	p=$(cat "$ST/pid" 2>/dev/null)
	[ -n "$p" ] && grep -q ctguard "/proc/$p/comm" 2>/dev/null && echo "$p"
}

# A. the guard SIGKILLed during the wait
t0=$(date +%s.%N)
apply_bg 4
S $SAVE4 | grep -q "dport 80" && ok "A: new rules loaded while waiting" || bad "A: not loaded"
gp=$(guard_pid)
[ -n "$gp" ] && kill -9 "$gp" || bad "A: guard process not found"
wait $AP; rc=$?
late=$(echo "$(date +%s.%N) - $t0 - 4" | bc)
echo "A: apply exited $rc, $late s after the timeout"
[ $rc = 1 ] && [ "$(save)" = "$before" ] && grep -q rolled-back "$ST/status" &&
	ok "A: guard SIGKILLed: previous rules back (exit 1, status rolled-back)" ||
	{ bad "A: rc=$rc status=$(cat "$ST/status")"; cat "$T/out"; diff <(echo "$before") <(save); }
[ "$(echo "$late < 5" | bc)" = 1 ] && ok "A: restored within a few seconds of the timeout" ||
	bad "A: restored $late s after the timeout"

# B. guard SIGKILLed, its PID reused by another process, then --confirm
apply_bg 30
gp=$(guard_pid)
[ -n "$gp" ] && kill -9 "$gp" || bad "B: guard process not found"
sleep 1000 &
victim=$!
echo "$victim" >"$ST/pid" # the PID file now names another process
S "$CTGUARD" apply --confirm --state-dir "$ST" >"$T/confirm" 2>&1; crc=$?
wait $AP; rc=$?
sleep 0.2
if kill -0 $victim 2>/dev/null && [ "$(awk '{print $3}' /proc/$victim/stat)" != T ]; then
	ok "B: the process behind the reused PID is untouched"
else
	bad "B: the other process was signalled"
fi
kill $victim 2>/dev/null
[ $crc = 0 ] && [ $rc = 0 ] && S $SAVE4 | grep -q "dport 80" && grep -q confirmed "$ST/status" &&
	ok "B: confirmed through the state directory (exit 0, new rules kept)" ||
	{ bad "B: crc=$crc rc=$rc"; cat "$T/confirm" "$T/out"; }
S $RESTORE4 <"$T/base.v4"

# C. both killed: unresolved; a new apply refuses; --rollback restores
apply_bg 30
gp=$(guard_pid)
kill -9 "$gp" $AP 2>/dev/null
wait $AP 2>/dev/null
grep -q pending "$ST/status" && ok "C: guard and apply killed: status stays pending" ||
	bad "C: status $(cat "$ST/status")"
loaded=$(save)
S "$CTGUARD" apply --backend "$BACKEND" --state-dir "$ST" --rules "$T/base.v4" --yes \
	>"$T/out" 2>&1; rc=$?
[ $rc = 3 ] && grep -q unresolved "$T/out" && [ "$(save)" = "$loaded" ] &&
	ok "C: a new apply refuses while the earlier one is unresolved (rules untouched)" ||
	{ bad "C: new apply rc=$rc"; cat "$T/out"; }
S "$CTGUARD" apply --rollback --state-dir "$ST" >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && [ "$(save)" = "$before" ] && grep -q rolled-back "$ST/status" &&
	ok "C: apply --rollback restored the saved rules" || { bad "C: rollback rc=$rc"; cat "$T/out"; }
S "$CTGUARD" apply --backend "$BACKEND" --state-dir "$ST" --rules "$T/safe.v4" --yes \
	>"$T/out" 2>&1 && ok "C: resolved: the next apply runs" || { bad "C: next apply"; cat "$T/out"; }
S $RESTORE4 <"$T/base.v4"

# D. a read-only state directory: refused before loading
mkdir -p "$T/ro"
S unshare -m --propagation private sh -c "mount -t tmpfs -o ro tmpfs '$T/ro' &&
	exec '$CTGUARD' apply --backend '$BACKEND' --state-dir '$T/ro' --rules '$T/safe.v4' \
	--timeout 5 --no-prompt" >"$T/out" 2>&1 </dev/null; rc=$?
[ $rc = 3 ] && grep -q "cannot start the rollback guard" "$T/out" && [ "$(save)" = "$before" ] &&
	ok "D: read-only state directory: refused, nothing loaded" || { bad "D: rc=$rc"; cat "$T/out"; }

# E. another program adds a rule between the check and the load
OTHER="$IPT -A INPUT -s 10.200.99.99/32 -p tcp -m tcp --dport 9999 -j ACCEPT"
S "$DRV" --backend "$BACKEND" --rules "$T/safe.v4" --guard "$T/st-e" 2 \
	--after-check "$OTHER" >"$T/out" 2>&1
cat "$T/out"
grep -q "load=ESTALE" "$T/out" && grep -q "guard=cancelled" "$T/out" &&
	ok "E: the change since the check is detected: nothing loaded, guard withdrawn" ||
	bad "E: change not detected"
sleep 3 # past the guard's deadline
S $SAVE4 | grep -q "10.200.99.99" && ok "E: the other program's rule is still there after the deadline" ||
	bad "E: the other program's rule was deleted"
S $SAVE4 | grep -q "dport 80" && bad "E: the candidate was loaded anyway"
exit $fail
