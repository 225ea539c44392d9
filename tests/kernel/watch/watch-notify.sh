#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 15, Must show 5: the systemd notify protocol for real, without systemd as PID 1:
# a listener on NOTIFY_SOCKET (an AF_UNIX datagram socket, as PID 1 provides) receives
# from `ctguard watch` (libsystemd's sd_notify) READY=1 only after the first audit's log
# line, WATCHDOG=1 at half of WATCHDOG_USEC (here 2 s: pings 1 s apart), and STOPPING=1
# on SIGTERM, after which watch exits 0. On the way, the iptables-legacy poll: a rule
# added and one replaced by another of the same size are changes, zeroed counters are not.
set -u
CTGUARD=${CTGUARD:-ctguard}
here=$(dirname "$0")
. "$here/lib-watch.sh"
command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
NS=ctg-watch-$$-n
D=$(mktemp -d /tmp/ctg-watch-notify.XXXXXX)
cleanup() {
	watch_stop
	[ -n "${LPID:-}" ] && kill "$LPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- notify"; cat "$D/notify"; echo "--- log"; cat "$D/log"; exit 1; }

ip netns add "$NS" && ip -n "$NS" link set lo up || fail "netns"
python3 "$here/notify-listener.py" "$D/notify.sock" "$D/notify" &
LPID=$!
for i in $(seq 1 50); do [ -S "$D/notify.sock" ] && break; sleep 0.1; done
[ -S "$D/notify.sock" ] || fail "listener did not start"

# WATCHDOG_PID must name the process sd_watchdog_enabled runs in: ip netns exec execs
# watch in place, so the PID of the background job is watch's own.
(exec env NOTIFY_SOCKET="$D/notify.sock" WATCHDOG_USEC=2000000 WATCHDOG_PID=$BASHPID \
	ip netns exec "$NS" "$CTGUARD" watch --interval 0 2>"$D/log") &
WATCH_PID=$!
WATCH_LOG=$D/log
watch_wait_log "started: first audit" 20 || fail "no first audit"
for i in $(seq 1 30); do grep -q "READY=1" "$D/notify" && break; sleep 0.1; done
grep -q " READY=1$" "$D/notify" || fail "no READY=1"
grep -q "STATUS=watching:" "$D/notify" || fail "no STATUS="
# iptables-legacy sends no events: the poll sees a rule added, then replaced by one of
# the same size (ACCEPT -> DROP), but not counters zeroed (iptables -Z replaces the table
# with the same rules)
if command -v iptables-legacy >/dev/null; then
	ip netns exec "$NS" iptables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
	watch_wait_log "iptables-legacy tables changed: ip/filter" 5 || fail "legacy rule added: not seen"
	ip netns exec "$NS" iptables-legacy -R INPUT 1 -p tcp --dport 22 -j DROP
	for i in $(seq 1 50); do
		[ "$(grep -c "iptables-legacy tables changed" "$D/log")" -ge 2 ] && break
		sleep 0.1
	done
	[ "$(grep -c "iptables-legacy tables changed" "$D/log")" = 2 ] || fail "legacy rule replaced: not seen"
	ip netns exec "$NS" iptables-legacy -Z
	sleep 2.5
	[ "$(grep -c "iptables-legacy tables changed" "$D/log")" = 2 ] || fail "counters zeroed: seen as a change"
	echo "ok: iptables-legacy: rule added and replaced seen, counters zeroed not"
else
	sleep 3
fi
watch_stop
sleep 0.3
echo "--- received"; cat "$D/notify"
echo "SIGTERM: exit $WATCH_RC after ${WATCH_STOP_S}s"
[ "$WATCH_RC" = 0 ] || fail "exit status $WATCH_RC"
grep -q " STOPPING=1$" "$D/notify" || fail "no STOPPING=1"
awk '/READY=1/ { r = NR } /STOPPING=1/ { s = NR } END { exit !(r && s && r < s) }' "$D/notify" ||
	fail "READY=1 not before STOPPING=1"
# WATCHDOG=1 every 1 s (WATCHDOG_USEC / 2): at least 3; no gap reaches WATCHDOG_USEC
# (what systemd enforces: a missed interval kills the service), the median gap is 0.5 s
# (an audit in the loop may delay one ping on a loaded machine, not by a full interval)
n=$(grep -c " WATCHDOG=1$" "$D/notify")
echo "WATCHDOG=1 pings: $n"
[ "$n" -ge 3 ] || fail "only $n WATCHDOG=1"
grep " WATCHDOG=1$" "$D/notify" | awk 'NR > 1 { d[NR - 1] = $1 - p; if (d[NR - 1] >= 2.0) bad++; printf "%.3f ", d[NR - 1] }
	{ p = $1 } END { n = asort(d); m = d[int((n + 1) / 2)]; printf "(median %.3f)\n", m; exit bad > 0 || m < 0.95 || m > 1.2 }' ||
	fail "WATCHDOG=1 not at half of WATCHDOG_USEC"

# --format json: one object per event on stdout, the first one the start
ip netns exec "$NS" "$CTGUARD" watch --format json --interval 0 >"$D/json" 2>"$D/log2" &
WATCH_PID=$!
WATCH_LOG=$D/json
watch_wait_log '"start":' 20 || fail "no JSON line"
watch_stop
[ "$WATCH_RC" = 0 ] || fail "json: exit status $WATCH_RC"
python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
o = objs[0]
assert o["start"] is True and o["wipe"] is False and o["orphans"] == [] and o["heal"] == [], o
assert isinstance(o["reaction_seconds"], float) and o["connections"] == 0, o
print("json:", json.dumps(o, sort_keys=True)[:200])' "$D/json" || fail "JSON line"
[ ! -s "$D/log2" ] || fail "json mode wrote to stderr: $(cat "$D/log2")"
echo PASS
