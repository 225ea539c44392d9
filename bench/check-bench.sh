#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/check-bench.sh [BUILDDIR]: `ctguard check --method all` on 1M generated conntrack
# entries against (1) a generated 10k-rule ruleset with user chains (tools/gen-ct.py) and
# (2) a 100k-rule kube-proxy-like ruleset (tools/gen-kube-proxy.py). Prints, per case, the
# memoised analysis time and the plain linear evaluator's (sample, extrapolated), one run.
# Inputs are cached in $CTG_BENCH_DIR (default /tmp/ctg-check-bench). Figures, no asserts.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
bin=$build/bench/check-bench
dir=${CTG_BENCH_DIR:-/tmp/ctg-check-bench}
mkdir -p "$dir"
if [ ! -s "$dir/ct-1m.txt" ] || [ ! -s "$dir/rules-10k.v4" ]; then
	echo "generating 1M conntrack entries + 10k rules in $dir ..."
	/usr/bin/python3 "$src/tools/gen-ct.py" --conns 1000000 --rules 10000 \
		--ct "$dir/ct-1m.txt" --ruleset "$dir/rules-10k.v4"
fi
if [ ! -s "$dir/kube-100k.v4" ] && [ -f "$src/tools/gen-kube-proxy.py" ]; then
	/usr/bin/python3 "$src/tools/gen-kube-proxy.py" --rules 100000 >"$dir/kube-100k.v4"
fi
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== 10k rules, user chains; memo on every CPU =="
"$bin" "$dir/rules-10k.v4" "$dir/ct-1m.txt" 10.50.0.1 20000
echo
echo "== 10k rules, user chains; memo on one thread (CTGUARD_THREADS=1) =="
CTGUARD_THREADS=1 "$bin" "$dir/rules-10k.v4" "$dir/ct-1m.txt" 10.50.0.1 20000
if [ -s "$dir/kube-100k.v4" ]; then
	echo
	echo "== 100k rules, kube-proxy-like =="
	"$bin" "$dir/kube-100k.v4" "$dir/ct-1m.txt" 10.50.0.1 2000
fi
