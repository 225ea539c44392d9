#!/bin/bash
# Short libFuzzer smoke run for CI: every fuzz target of a -Dfuzz=true build, ~20 s each by
# default, starting from its seed corpus. Usage: tests/fuzz/smoke.sh BUILD_DIR [SECONDS]
set -u
build=${1:?usage: smoke.sh FUZZ_BUILD_DIR [SECONDS]}
secs=${2:-20}
here=$(cd "$(dirname "$0")" && pwd)
fail=0 n=0
run() { # target-binary seed-dir
	local exe=$1 seeds=$2 work
	[ -x "$exe" ] || return 0
	n=$((n + 1))
	work=$(mktemp -d)
	[ -d "$seeds" ] && cp -r "$seeds"/. "$work"/
	echo "== $(basename "$exe"): ${secs}s"
	if ! "$exe" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$build/" "$work" >"$work.log" 2>&1; then
		echo "FAIL: $(basename "$exe") (artifacts in $build/)"
		fail=1
	fi
	grep -E '^(Done|==[0-9]+==|SUMMARY)' "$work.log" | tail -3
	rm -rf "$work" "$work.log"
}
run "$build/tests/fuzz/ruleset/fuzz_parse" "$here/ruleset/seeds"
run "$build/tests/fuzz/source/fuzz_ct_text" "$here/source/corpus/ct"
run "$build/tests/fuzz/source/fuzz_ss_text" "$here/source/corpus/ss"
run "$build/tests/fuzz/source/fuzz_ct_nl" "$here/source/corpus/nl"
[ $n -gt 0 ] || { echo "smoke.sh: no fuzz targets in $build (configure with -Dfuzz=true, CC=clang)"; exit 77; }
exit $fail
