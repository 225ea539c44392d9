#!/bin/sh
# Installs what ctguard needs on Debian 12 (as root). With --test, also what the test
# suite needs (MariaDB for the replication tests, scapy for crafted packets, clang for the
# fuzz smoke run, promtool for the Prometheus format check and the alerting rules'
# tests, dpkg-dev + debhelper + lintian + binutils for the Debian package test, systemd for
# systemd-analyze).
set -eu
run_pkgs="meson ninja-build pkg-config gcc libc6-dev libmnl-dev
libjansson-dev libcmocka-dev libsystemd-dev iptables conntrack iproute2 nftables procps"
test_pkgs="mariadb-server mariadb-client python3 python3-scapy clang libclang-rt-14-dev
prometheus socat systemd python3-jsonschema dpkg-dev debhelper lintian binutils
libcap2-bin"
pkgs=$run_pkgs
[ "${1:-}" = "--test" ] && pkgs="$run_pkgs $test_pkgs"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
# Services the package scripts might have started are not wanted: tests start their own.
if command -v systemctl >/dev/null 2>&1; then
	systemctl stop mariadb prometheus prometheus-node-exporter 2>/dev/null || true
fi
exit 0
