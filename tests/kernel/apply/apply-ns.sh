#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# ctguard apply in a network namespace, one backend (nft or legacy, $1):
#  - a candidate with a syntax error changes nothing (exit 2, file:line);
#  - a candidate that cuts an idle client connection (a replica of 10.200.71.2:3306) is
#    refused (exit 1, unchanged); with --fix it is applied and the connection carries data;
#  - an unconfirmed apply rolls back to an identical iptables-save (v4 and v6);
#  - SIGKILL of apply during the wait still rolls back (detached guard);
#  - `ctguard apply --confirm` from another shell keeps the new rules;
#  - a connection standing in for SSH (cli -> srv:22) carries data after every case.
set -u
BACKEND=${1:-nft}
CTGUARD=${CTGUARD:-ctguard}
HERE=$(cd "$(dirname "$0")" && pwd)
SRV=ctg-apply-$$-srv
CLI=ctg-apply-$$-cli
T=$(mktemp -d /tmp/ctg-apply.XXXXXX)
fail=0
. "$HERE/lib-apply.sh"

apply_backend_tools "$BACKEND"

apply_netns ctgap 10.200.71
S ip addr add fd00:200::71:1/64 dev ctgap$$a nodad; C ip addr add fd00:200::71:2/64 dev ctgap$$b nodad

cat >"$T/base.v4" <<'R'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A INPUT -p icmp -j ACCEPT
COMMIT
R
cat >"$T/base.v6" <<'R'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A INPUT -p ipv6-icmp -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
R
# safe candidate: base + a web port (v4) / a comment rule (v6)
sed 's/^COMMIT/-A INPUT -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT/' "$T/base.v4" >"$T/safe.v4"
sed 's/^COMMIT/-A INPUT -p tcp -m tcp --dport 443 -j ACCEPT\nCOMMIT/' "$T/base.v6" >"$T/safe.v6"
# cutting candidate: no ESTABLISHED rule, the replica's inbound packets are dropped
grep -v ctstate "$T/base.v4" >"$T/cut.v4"
# syntax error on line 6
sed '6s/.*/-A INPUT -p tcp --dport-typo 22 -j ACCEPT/' "$T/safe.v4" >"$T/bad.v4"

S $RESTORE4 <"$T/base.v4" || { echo "SKIP: cannot load rules with $RESTORE4"; exit 77; }
S $RESTORE6 <"$T/base.v6" || exit 1

save() { { S $SAVE4; echo "## v6"; S $SAVE6; } | grep -v '^#[^#]' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/g'; }
before=$(save)
apply() { S "$CTGUARD" apply --backend "$BACKEND" --state-dir "$T/state" "$@"; }

# --- connections: SSH stand-in (cli -> srv:22, echo) and an idle replica (srv -> cli:3306)
mkdir -p "$T/ssh-s" "$T/ssh-c" "$T/pri" "$T/rep"
S /usr/bin/python3 "$HERE/endpoint.py" listen 10.200.71.1 22 "$T/ssh-s" --echo &
C /usr/bin/python3 "$HERE/endpoint.py" listen 10.200.71.2 3306 "$T/pri" &
for i in $(seq 50); do [ -e "$T/ssh-s/listening" ] && [ -e "$T/pri/listening" ] && break; sleep 0.1; done
C /usr/bin/python3 "$HERE/endpoint.py" connect 10.200.71.1 22 "$T/ssh-c" &
S /usr/bin/python3 "$HERE/endpoint.py" connect 10.200.71.2 3306 "$T/rep" &
for i in $(seq 50); do [ -e "$T/ssh-c/ready" ] && [ -e "$T/rep/ready" ] && break; sleep 0.1; done
[ -e "$T/rep/ready" ] && [ -e "$T/ssh-c/ready" ] || { echo "FAIL: connections not up"; exit 1; }

# sends $3 from endpoint dir $1, expects it in $2/recv within 3 s
carries() {
	echo "$3" >"$1/send.tmp" && mv "$1/send.tmp" "$1/send"
	for i in $(seq 30); do grep -q "$3" "$2/recv" 2>/dev/null && return 0; sleep 0.1; done
	return 1
}
ssh_alive() { carries "$T/ssh-c" "$T/ssh-c" "ssh-$1" && ok "ssh stand-in alive ($1)" || bad "ssh stand-in dead ($1)"; }
ssh_alive start
carries "$T/pri" "$T/rep" "rep-start" || bad "replica not carrying data at start"

# 1. syntax error: exit 2, file:line, nothing changed
apply --rules "$T/bad.v4" --yes >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "bad.v4:6" "$T/err" && ok "syntax error refused (exit 2, bad.v4:6)" ||
	{ bad "syntax error: rc=$rc"; cat "$T/err"; }
[ "$(save)" = "$before" ] && ok "syntax error changed nothing" || bad "syntax error changed the rules"
ssh_alive syntax

# 2. cutting candidate: refused, nothing changed
apply --rules "$T/cut.v4" --yes >"$T/out" 2>&1; rc=$?
[ $rc = 1 ] && grep -q "refused" "$T/out" && grep -q ":3306" "$T/out" && ok "cutting candidate refused" ||
	{ bad "cutting candidate: rc=$rc"; cat "$T/out"; }
[ "$(save)" = "$before" ] && ok "refusal changed nothing" || bad "refusal changed the rules"
ssh_alive refused

# 3. unconfirmed apply (no terminal, short timeout): rolled back to an identical save
apply --rules "$T/safe.v4" --rules6 "$T/safe.v6" --timeout 2 --no-prompt >"$T/out" 2>&1 </dev/null; rc=$?
[ $rc = 1 ] && grep -q "rolled back" "$T/out" && ok "unconfirmed apply rolled back (exit 1)" ||
	{ bad "unconfirmed: rc=$rc"; cat "$T/out"; }
[ "$(save)" = "$before" ] && ok "rollback: iptables-save v4+v6 identical" ||
	{ bad "rollback differs"; diff <(echo "$before") <(save); }
ssh_alive rollback

# 4. SIGKILL during the wait: the detached guard still rolls back
# (ip netns exec execs ctguard: $! is the apply process itself)
ip netns exec "$SRV" "$CTGUARD" apply --backend "$BACKEND" --state-dir "$T/state" \
	--rules "$T/safe.v4" --rules6 "$T/safe.v6" --timeout 3 --no-prompt >"$T/out" 2>&1 </dev/null &
ap=$!
for i in $(seq 100); do grep -q -- "--confirm" "$T/out" && break; sleep 0.1; done
S $SAVE4 | grep -q "dport 80" && ok "new rules loaded while waiting" || bad "new rules not loaded"
grep -q ctguard /proc/$ap/comm && kill -9 $ap || bad "apply process not found"
wait $ap 2>/dev/null
grep -q "rolled back" "$T/out" && bad "the killed apply process printed a rollback itself"
kill -0 $ap 2>/dev/null && bad "apply survived SIGKILL"
sleep 4.5
for i in $(seq 50); do [ "$(save)" = "$before" ] && break; sleep 0.1; done
[ "$(save)" = "$before" ] && grep -q rolled-back "$T/state/status" &&
	ok "SIGKILLed apply rolled back by the detached guard (identical v4+v6)" ||
	{ bad "SIGKILL: not rolled back"; diff <(echo "$before") <(save); }
ssh_alive sigkill

# 5. confirmation from another shell
apply --rules "$T/safe.v4" --rules6 "$T/safe.v6" --timeout 20 --no-prompt >"$T/out" 2>&1 </dev/null &
ap=$!
for i in $(seq 100); do grep -q -- "--confirm" "$T/out" && break; sleep 0.1; done
S "$CTGUARD" apply --confirm --state-dir "$T/state" >/dev/null; crc=$?
wait $ap; rc=$?
[ $crc = 0 ] && [ $rc = 0 ] && S $SAVE4 | grep -q "dport 80" && S $SAVE6 | grep -q "dport 443" &&
	ok "confirmed from another shell: kept" || { bad "confirm: crc=$crc rc=$rc"; cat "$T/out"; }
[ -e "$T/state/status" ] && ! ls "$T/state" | grep -qE "^(rules\.v[46]|backend|deadline|pid)$" &&
	ok "resolved: the saved rules are removed from the state directory (status kept)" ||
	bad "resolved apply left its state: $(ls "$T/state")"
ssh_alive confirm
S $RESTORE4 <"$T/base.v4"; S $RESTORE6 <"$T/base.v6"

# 6. heal after the load: an entry lost during the load (deleted here by the test, between
# the load and the heal, through the library's apply session: the installed ctguard runs no
# hook) is an orphan of the audit after the load and is re-inserted by the heal
DRV=${CTG_BUILDDIR:-.}/tests/kernel/apply/ctg-apply-drv
S "$DRV" --backend "$BACKEND" --rules "$T/safe.v4" \
	--after-load "conntrack -D -p tcp --orig-port-dst 3306 >/dev/null 2>&1" >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && grep -q "heal: orphans=1 inserted=1 refused=0 failed=0" "$T/out" &&
	ok "heal re-inserted the lost replica entry" || { bad "heal: rc=$rc"; cat "$T/out"; }
carries "$T/pri" "$T/rep" "rep-after-heal" && ok "replica carries data after heal" ||
	bad "replica cut after heal"
ssh_alive heal
S $RESTORE4 <"$T/base.v4"
# the installed binary honours no test hook from the environment
S env CTGUARD_APPLY_AFTER_LOAD="touch $T/hook-ran" "$CTGUARD" apply --backend "$BACKEND" \
	--state-dir "$T/state" --rules "$T/safe.v4" --yes >"$T/out" 2>&1
[ -e "$T/hook-ran" ] && bad "ctguard ran a command named by the environment" ||
	ok "no command from the environment runs"
grep -q "heal: 0 orphaned after the load" "$T/out" && ok "apply's own heal: nothing lost, nothing to do" ||
	{ bad "apply heal line"; cat "$T/out"; }
S $RESTORE4 <"$T/base.v4"

# 7. --fix: applied with the fix rules; the idle replica keeps carrying data
apply --rules "$T/cut.v4" --fix --yes >"$T/out" 2>&1; rc=$?
[ $rc = 0 ] && ok "--fix applied" || { bad "--fix: rc=$rc"; cat "$T/out"; }
S $SAVE4 | grep -q ctstate && bad "--fix loaded the old rules?"
S $SAVE4 | grep -q -- "--sport 3306" && ok "fix rule present" || { bad "no fix rule"; S $SAVE4; }
carries "$T/pri" "$T/rep" "rep-after-fix" && ok "replica carries data after --fix" ||
	bad "replica cut after --fix"
ssh_alive fix
# control: the same candidate with --force cuts the replica (the test can fail)
apply --rules "$T/cut.v4" --force --yes >"$T/out" 2>&1; rc=$?
carries "$T/pri" "$T/rep" "rep-after-force" && bad "control: --force did not cut (test is blind)" ||
	ok "control: --force cuts the replica, as predicted"
ssh_alive force
echo "--- last apply output:"; cat "$T/out"
touch "$T/ssh-s/stop" "$T/ssh-c/stop" "$T/pri/stop" "$T/rep/stop"
exit $fail
