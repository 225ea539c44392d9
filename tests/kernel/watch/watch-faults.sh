#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, Must show 4: faults. A local client (classic firewall: INPUT DROP +
# ESTABLISHED,RELATED) holds an idle connection to a peer that sends only when told, so a
# wipe orphans it until its entry is back; `ctguard watch --heal` runs in the local
# namespace.
#  a. ENOBUFS forced (--rcvbuf 4096, test-only): a wipe of 5,000 entries overflows the
#     event socket; the log says events were lost and the connection is healed anyway.
#  b. ten firewall restarts in a row (rules flushed and replaced, conntrack wiped): watch
#     survives and the connection works after each.
#  c. never an entry without a live ESTABLISHED local socket: a half-closed connection
#     (peer closed its side: CLOSE_WAIT) and a connection attempt the peer never answers
#     (SYN_SENT) lose their entries in a wipe and get none back; nothing but the idle
#     connection's entry is inserted.
#  d. a conntrack module reload is noticed, when the module can be reloaded here: it is
#     skipped (with the reason) when nf_conntrack is built in or in use.
set -u
CTGUARD=${CTGUARD:-ctguard}
BULK=${CTG_BUILDDIR:?}/tools/ct-bulk-insert
L=ctg-watch-$$-l P=ctg-watch-$$-p LA=10.200.73.2 PA=10.200.73.1
here=$(dirname "$0")
. "$here/../analysis/lib-heal.sh"
. "$here/lib-watch.sh"
heal_netns watchf 24
cleanup_all() { watch_stop; cleanup; }
trap cleanup_all EXIT
fail() { echo "FAIL: $*"; echo "--- watch log"; cat "$WATCH_LOG" 2>/dev/null | cut -c1-400; exit 1; }
cat >"$tmp/rules.v4" <<'EOR'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
COMMIT
EOR
inl iptables-restore <"$tmp/rules.v4" || fail "iptables-restore"
# the peer never answers SYNs to port 9 (for the SYN_SENT socket of c)
inp iptables -A INPUT -p tcp --dport 9 -j DROP

# Watch first: entries made from now on send destroy events.
watch_start "$L" "$tmp/log" --heal --interval 0 --rcvbuf 4096 || fail "watch did not start"

mkfifo "$tmp/fifo"
ip netns exec "$P" python3 "$agent" server $PA 3306 "$tmp/fifo" >/dev/null 2>&1 & pids+=($!)
sleep 0.5
ip netns exec "$L" python3 "$agent" client $PA 3306 "$tmp/recv" >/dev/null 2>&1 & pids+=($!)
wait_for "inl ss -tnH state established | grep -q ':3306'" || fail "no connection"
n=0
say() { n=$((n + 1)); timeout 5 sh -c "echo line$n >$tmp/fifo" || fail "peer agent gone"; }
got() { wait_for "grep -q line$n $tmp/recv" || wait_for "grep -q line$n $tmp/recv"; }
say; got || fail "data before the wipes"

# a. ENOBUFS
inl "$BULK" -n 5000 | grep -q "inserted 5000" || fail "bulk insert"
inl conntrack -F 2>/dev/null
say; got || fail "a: data did not flow after the wipe (ENOBUFS)"
watch_wait_log "events lost: ENOBUFS.*healed 1: tcp $LA:[0-9]+->$PA:3306" 3 ||
	fail "a: no ENOBUFS line with the heal"
echo "ok a: ENOBUFS: $(grep -c 'events lost: ENOBUFS' "$WATCH_LOG") burst(s) with lost events, healed"

# b. ten firewall restarts in a row
heals=$(grep -c "healed 1:" "$WATCH_LOG")
for i in $(seq 1 10); do
	inl iptables -P INPUT ACCEPT && inl iptables -F
	inl iptables-restore <"$tmp/rules.v4"
	inl conntrack -F 2>/dev/null
done
kill -0 "$WATCH_PID" 2>/dev/null || fail "b: watch died"
say; got || fail "b: data did not flow after ten restarts"
now=$(grep -c "healed 1:" "$WATCH_LOG")
echo "ok b: ten restarts: watch alive, $((now - heals)) heal(s), data flows"
[ "$now" -gt "$heals" ] || fail "b: no heal during the restarts"

# c. CLOSE_WAIT and SYN_SENT lose their entries and get none back
ip netns exec "$P" python3 -c '
import socket, time
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("'$PA'", 4444)); ls.listen(1); c, _ = ls.accept(); c.shutdown(socket.SHUT_WR); time.sleep(60)' & pids+=($!)
sleep 0.5
ip netns exec "$L" python3 -c '
import socket, time
s = socket.create_connection(("'$PA'", 4444)); time.sleep(60)' & pids+=($!)
ip netns exec "$L" python3 -c '
import socket, time
s = socket.socket(); s.setblocking(False)
try: s.connect(("'$PA'", 9))
except BlockingIOError: pass
time.sleep(60)' & pids+=($!)
cw() { inl ss -tnH state close-wait | grep -q ':4444'; }
ss_() { inl ss -tnH state syn-sent | grep -qE ':9( |$)'; }
wait_for cw || wait_for cw || fail "c: no CLOSE_WAIT socket"
wait_for ss_ || wait_for ss_ || fail "c: no SYN_SENT socket"
inl conntrack -L 2>/dev/null | grep -E "dport=(4444|9) " | cut -c1-120
inl conntrack -F 2>/dev/null
say; got || fail "c: data did not flow after the wipe"
sleep 1.5 # a poll and its lookups
inl conntrack -L 2>/dev/null >"$tmp/ct"
cat "$tmp/ct" | cut -c1-140
grep -qE "dport=(4444|9) .*ESTABLISHED|ESTABLISHED.*dport=(4444|9) " "$tmp/ct" &&
	grep -E "sport=[0-9]+ dport=(4444|9) " "$tmp/ct" | grep -q "ASSURED" &&
	fail "c: an entry was inserted for a socket that is not ESTABLISHED"
tail -2 "$WATCH_LOG" | grep -E ":(4444|9) " | grep -q healed && fail "c: watch healed a non-ESTABLISHED socket"
grep -E "healed [0-9]+:" "$WATCH_LOG" | grep -vE "healed 1: tcp $LA:[0-9]+->$PA:3306 \(python3\)" &&
	fail "c: watch healed something other than the idle connection"
echo "ok c: CLOSE_WAIT and SYN_SENT sockets got no entry; only the idle connection was healed"

# d. module reload
if [ ! -e /sys/module/nf_conntrack/refcnt ]; then
	echo "skip d: nf_conntrack is built into this kernel: it cannot be unloaded"
elif [ "$(cat /sys/module/nf_conntrack/refcnt)" != 0 ]; then
	echo "skip d: nf_conntrack is in use (refcnt $(cat /sys/module/nf_conntrack/refcnt)):" \
		"unloading it would break every other namespace on this host"
else
	modprobe -r nf_conntrack_netlink nf_conntrack && modprobe nf_conntrack_netlink ||
		fail "d: module reload"
	watch_wait_log "conntrack module (reloaded|unloaded|loaded)" 3 || fail "d: reload not noticed"
	echo "ok d: module reload noticed"
fi

watch_stop
[ "$WATCH_RC" = 0 ] || fail "exit status $WATCH_RC after SIGTERM"
echo PASS
