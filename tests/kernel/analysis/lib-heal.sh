# SPDX-License-Identifier: GPL-2.0-or-later
# lib-heal.sh: the two namespaces of the heal tests (heal-security.sh, heal-server.sh,
# heal-v6.sh). Sourced shell library (bash). Usage:
#
#   L=ctg-heal-$$-l P=ctg-heal-$$-p LA=10.200.62.2 PA=10.200.62.1
#   . "$here/lib-heal.sh"
#   heal_netns sec 24       # $tmp, trap cleanup EXIT, $L/$P joined by veth eth0, $LA/$PA
#
# heal_netns TAG PREFIXLEN [ip addr options...] makes $tmp (/tmp/ctg-heal-TAG.XXXXXX), sets
# the EXIT trap, then the namespaces. Helpers: fail MSG, inl CMD / inp CMD (run in $L / $P),
# wait_for 'SHELL TEST' (5 s), $agent (heal-agent.py); add background pids to pids+=().
CTGUARD=${CTGUARD:-ctguard}
agent=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/heal-agent.py
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	ip netns del "$L" 2>/dev/null; ip netns del "$P" 2>/dev/null
	rm -rf "$tmp"
}
fail() { echo "FAIL: $*"; exit 1; }
inl() { ip netns exec "$L" "$@"; }
inp() { ip netns exec "$P" "$@"; }
wait_for() { for _ in $(seq 1 50); do eval "$1" && return 0; sleep 0.1; done; return 1; }

heal_netns() {
	tmp=$(mktemp -d /tmp/ctg-heal-"$1".XXXXXX)
	trap cleanup EXIT
	ip netns add "$L" && ip netns add "$P" || fail "netns"
	ip -n "$L" link add eth0 type veth peer name eth0 netns "$P"
	ip -n "$L" addr add "$LA/$2" dev eth0 "${@:3}" && ip -n "$P" addr add "$PA/$2" dev eth0 "${@:3}"
	for n in "$L" "$P"; do ip -n "$n" link set lo up; ip -n "$n" link set eth0 up; done
}
