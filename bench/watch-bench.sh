#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# watch-bench: how fast `ctguard watch --heal` gives an orphaned connection its entry back
# (issue 15, Must show 3). Root; two namespaces of its own (ctg-wbench-$$-*), 10.200.74.x.
# A local client (classic firewall) holds an idle connection; for each table size (0, 50k,
# 200k unrelated entries, ct-bulk-insert) and each of RUNS wipes (conntrack -F):
# watch-probe runs the wipe and looks the connection's entry up every 0.5 ms. Latency =
# from the entry's first absence to its return for good; printed with the flush's own
# duration (the baseline: what the kernel spends wiping that table, measured in the same
# run) and the ratio. Then the CPU time of an idle watch over IDLE seconds.
#   bench/watch-bench.sh [BUILD_DIR]    (RUNS=20 IDLE=60 SIZES="0 50000 200000")
set -u
B=${1:-build}
CTGUARD=$B/cli/ctguard PROBE=$B/bench/watch-probe BULK=$B/tools/ct-bulk-insert
RUNS=${RUNS:-20} IDLE=${IDLE:-60} SIZES=${SIZES:-0 50000 200000}
L=ctg-wbench-$$-l P=ctg-wbench-$$-p LA=10.200.74.2 PA=10.200.74.1
here=$(cd "$(dirname "$0")" && pwd)
agent=$here/../tests/kernel/analysis/heal-agent.py
tmp=$(mktemp -d /tmp/ctg-wbench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$L" 2>/dev/null; ip netns del "$P" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
inl() { ip netns exec "$L" "$@"; }
ip netns add "$L" && ip netns add "$P" || exit 1
ip -n "$L" link add eth0 type veth peer name eth0 netns "$P"
ip -n "$L" addr add $LA/24 dev eth0 && ip -n "$P" addr add $PA/24 dev eth0
for n in "$L" "$P"; do ip -n "$n" link set lo up; ip -n "$n" link set eth0 up; done
inl iptables-restore <<'EOR'
*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
COMMIT
EOR
inl ip addr add 10.201.255.1/32 dev lo # the bulk entries' address: local, accepted
ip netns exec "$L" "$CTGUARD" watch --heal --interval 0 2>"$tmp/log" & pids+=($!)
wpid=$!
mkfifo "$tmp/fifo"
ip netns exec "$P" python3 "$agent" server $PA 3306 "$tmp/fifo" >/dev/null 2>&1 & pids+=($!)
sleep 1
ip netns exec "$L" python3 "$agent" client $PA 3306 "$tmp/recv" >/dev/null 2>&1 & pids+=($!)
for _ in $(seq 1 100); do inl ss -tnH state established | grep -q ':3306' && break; sleep 0.1; done
sport=$(inl ss -tnH state established | awk '$4 ~ /:3306$/ { split($3, a, ":"); print a[2] }')
[ -n "$sport" ] || { echo "no connection"; exit 1; }
for _ in $(seq 1 100); do grep -q "started" "$tmp/log" && break; sleep 0.1; done

stats() { sort -n | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f %.1f", m, v[NR] }'; }
printf "%-8s %5s %12s %12s %14s %8s\n" entries wipes "median ms" "worst ms" "flush median" ratio
for n in $SIZES; do
	: >"$tmp/lat"
	: >"$tmp/flush"
	for r in $(seq 1 "$RUNS"); do
		[ "$n" -gt 0 ] && inl "$BULK" -n "$n" >/dev/null
		out=$(inl "$PROBE" tcp $LA "$sport" $PA 3306 -- conntrack -F 2>/dev/null) || { echo "run $r: entry not back ($out)"; continue; }
		set -- $out
		echo "$3" >>"$tmp/lat"
		echo "$4" >>"$tmp/flush"
		sleep 0.3
	done
	read -r med worst < <(stats <"$tmp/lat")
	read -r fmed _ < <(stats <"$tmp/flush")
	printf "%-8s %5s %12s %12s %14s %8s\n" "$n" "$(grep -c . "$tmp/lat")" "$med" "$worst" "$fmed" \
		"$(awk -v a="$med" -v b="$fmed" 'BEGIN { if (b > 0) printf "%.3f", a / b; else printf "-" }')"
done
grep -c "healed 1" "$tmp/log" | sed 's/^/heal log lines: /'

kill -TERM "$wpid"; wait "$wpid"; echo "watch exit after SIGTERM: $?"

# Idle CPU: a watch as the unit runs it (--heal, full audit every 60 s) with the idle
# connection, CPU time from /proc/PID/schedstat (ns) over IDLE seconds, against one core.
ip netns exec "$L" "$CTGUARD" watch --heal 2>"$tmp/log2" & pids+=($!)
wpid=$!
for _ in $(seq 1 100); do grep -q "started" "$tmp/log2" && break; sleep 0.1; done
cpu() { awk '{ print $1 }' "/proc/$wpid/schedstat"; }
c0=$(cpu); t0=$(date +%s.%N)
sleep "$IDLE"
c1=$(cpu); t1=$(date +%s.%N)
awk -v c="$((c1 - c0))" -v a="$t0" -v b="$t1" \
	'BEGIN { printf "idle watch: %.1f ms CPU in %.0f s = %.3f%% of one core\n", c / 1e6, b - a, 100 * c / 1e9 / (b - a) }'
echo "its audits: $(grep -c . "$tmp/log2") log line(s)"
kill -TERM "$wpid"; wait "$wpid"; echo "watch exit after SIGTERM: $?"
