# SPDX-License-Identifier: GPL-2.0-or-later
# lib-apply.sh: the two namespaces of the apply tests (apply-atomic.sh, apply-ns.sh).
# Sourced shell library (bash). The caller sets SRV and CLI (namespace names) and T (its
# temporary directory) first; sourcing defines cleanup (kills what runs in both namespaces,
# deletes them and $T) and sets it as the EXIT trap, S CMD / C CMD (run in $SRV / $CLI), and
# ok/bad (a test's result lines; bad sets fail=1).
# apply_netns VETH NET: the namespaces joined by the veth pair VETH$$a (SRV) / VETH$$b (CLI)
# with NET.1/24 (SRV) and NET.2/24 (CLI); exits 1 when they cannot be made.
cleanup() {
	for ns in "$SRV" "$CLI"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null; done
	done
	ip netns del "$SRV" 2>/dev/null
	ip netns del "$CLI" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
S() { ip netns exec "$SRV" "$@"; }
C() { ip netns exec "$CLI" "$@"; }
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# apply_backend_tools BACKEND: SAVE4/SAVE6/RESTORE4/RESTORE6/IPT for nft or legacy; exits 77
# (skip) when that backend's restore tool is not installed.
apply_backend_tools() {
	local v=nft
	[ "$1" = legacy ] && v=legacy
	SAVE4=iptables-$v-save SAVE6=ip6tables-$v-save IPT=iptables-$v
	RESTORE4=iptables-$v-restore RESTORE6=ip6tables-$v-restore
	command -v "$RESTORE4" >/dev/null || { echo "SKIP: $RESTORE4 missing"; exit 77; }
}

apply_netns() {
	ip netns add "$SRV" && ip netns add "$CLI" || exit 1
	ip link add "$1$$a" netns "$SRV" type veth peer name "$1$$b" netns "$CLI" || exit 1
	S ip link set lo up; C ip link set lo up
	S ip link set "$1$$a" up; C ip link set "$1$$b" up
	S ip addr add "$2.1/24" dev "$1$$a"; C ip addr add "$2.2/24" dev "$1$$b"
}
