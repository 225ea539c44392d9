#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Differential test of `ctguard trace` against the kernel (CI subset: fixed seed).
# Usage: run-diff.sh [difftest.py options]   e.g. --seed 1 --cases 300
# Needs root, iptables (nft backend), nft, conntrack, /usr/bin/python3.
set -u
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
for t in ip iptables-nft-restore ip6tables-nft-restore iptables-legacy-restore nft conntrack; do
	command -v $t >/dev/null 2>&1 || { echo "missing tool: $t"; exit 77; }
done
ip netns add ctg-evaldiff-$$-probe 2>/dev/null || { echo "no network namespaces"; exit 77; }
ip netns del ctg-evaldiff-$$-probe
# difftest.py names its namespaces ctg-evaldiff-<its pid>-{a,r,b} and removes them on
# exit (also on SIGTERM); this trap catches the case where it is killed harder.
pid=
cleanup() {
	[ -n "$pid" ] && for n in a r b; do ip netns del ctg-evaldiff-$pid-$n 2>/dev/null; done
	return 0
}
trap cleanup EXIT
trap 'kill -TERM $pid 2>/dev/null; exit 1' INT TERM
/usr/bin/python3 -B "$here/difftest.py" "$@" &
pid=$!
wait $pid
