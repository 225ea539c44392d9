# SPDX-License-Identifier: GPL-2.0-or-later
# lib-watch.sh: start and stop `ctguard watch` inside a namespace (sourced by the watch
# kernel tests). Usage:
#   watch_start NS LOGFILE [watch options]   # waits for the first audit's line
#   watch_stop                               # SIGTERM; sets WATCH_RC and WATCH_STOP_S
# WATCH_PID is the watch process (ip netns exec execs it: same PID).

watch_start() {
	local ns=$1 log=$2 i
	shift 2
	ip netns exec "$ns" "$CTGUARD" watch "$@" 2>"$log" &
	WATCH_PID=$!
	WATCH_LOG=$log
	for i in $(seq 1 150); do
		grep -q "started: first audit" "$log" 2>/dev/null && return 0
		grep -q '"start":true' "$log" 2>/dev/null && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# SIGTERM, then wait up to 5 s: WATCH_RC is the exit status (124: still running).
watch_stop() {
	local t0 i
	[ -n "${WATCH_PID:-}" ] || return 0
	t0=$(date +%s.%N)
	kill -TERM "$WATCH_PID" 2>/dev/null
	WATCH_RC=124
	for i in $(seq 1 50); do
		if ! kill -0 "$WATCH_PID" 2>/dev/null; then
			wait "$WATCH_PID"
			WATCH_RC=$?
			break
		fi
		sleep 0.1
	done
	WATCH_STOP_S=$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f\n", a - b }')
	[ "$WATCH_RC" = 124 ] && kill -9 "$WATCH_PID" 2>/dev/null
	WATCH_PID=
	return 0
}

# watch_wait_log PATTERN SECONDS: the log has a line matching PATTERN (grep -E) in time.
watch_wait_log() {
	local i
	for i in $(seq 1 $(($2 * 10))); do
		grep -Eq "$1" "$WATCH_LOG" && return 0
		sleep 0.1
	done
	return 1
}
