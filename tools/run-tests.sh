#!/bin/bash
# The whole test suite: build with -Werror, run every suite (unit, golden, kernel), then
# again under AddressSanitizer + UBSan, then a short fuzz smoke run. Root is needed for the
# kernel tests (network namespaces). Prints "N passed, N failed, N skipped" at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
# Sanitizer findings are failures, not log lines.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
status=0
timeout_mult="" # per suite, see the ASan suite below
total_pass=0 total_fail=0 total_skip=0

count() { # testlog.json → pass/fail/skip totals
	python3 - "$1" <<'PY'
import json, sys
p = f = s = 0
for line in open(sys.argv[1]):
    r = json.loads(line).get("result", "")
    if r in ("OK", "EXPECTEDFAIL"): p += 1
    elif r == "SKIP": s += 1
    else: f += 1
print(p, f, s)
PY
}

suite() { # name builddir meson-setup-args...
	local name=$1 dir=$2
	shift 2
	echo "=== $name: setup and build ($dir)"
	if [ ! -d "$dir" ]; then
		meson setup "$dir" "$@" >/dev/null || { status=1; return; }
	fi
	ninja -C "$dir" -j"$jobs" >/dev/null || { ninja -C "$dir" -j1 | tail -40; status=1; return; }
	echo "=== $name: tests"
	meson test -C "$dir" --print-errorlogs --num-processes 1 ${timeout_mult:+--timeout-multiplier "$timeout_mult"} \
		${TEST_ARGS:-} || status=1
	read -r p f s < <(count "$dir/meson-logs/testlog.json")
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
}

suite "release build" build-test --buildtype=debugoptimized
# The sanitizers run every ctguard process 3-10x slower (about 90 ms to start instead of 8):
# the same tests, with their timeouts scaled.
timeout_mult=3
suite "ASan+UBSan" build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug
if command -v clang >/dev/null 2>&1; then
	echo "=== fuzz smoke (libFuzzer, ASan+UBSan)"
	if { [ -d build-fuzz ] || CC=clang meson setup build-fuzz -Dfuzz=true \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null; } &&
		ninja -C build-fuzz -j"$jobs" >/dev/null; then
		if bash tests/fuzz/smoke.sh build-fuzz "${FUZZ_SECONDS:-20}"; then
			total_pass=$((total_pass + 1))
		else
			total_fail=$((total_fail + 1))
		fi
	else
		echo "fuzz build failed"
		total_fail=$((total_fail + 1))
	fi
fi
echo
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ "$total_fail" -eq 0 ] || status=1
exit $status
