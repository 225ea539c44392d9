#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package: built from a copy of the source tree with the standard tools
# (dpkg-buildpackage -us -uc -b: debhelper, meson), `lintian` reports no error, the package
# holds the binary in /usr/sbin, the man page, the bash completion, the systemd units and the
# Prometheus rules; its Depends are what the binary links (shlibs) and runs; the installed
# files work: the units pass `systemd-analyze verify`, the completion completes
# `ctguard ch<Tab>` and `ctguard check --me<Tab>`, `ctguard --version` prints the changelog's
# version and `ctguard demo` plays its story.
# Installed into a scratch root with `dpkg -x` (not into the host's package database); with
# CTG_DEB_CHROOT=DIR (a Debian 12 chroot, e.g. from debootstrap) it is also installed there
# with dpkg -i + apt-get -f install and `ctguard demo` runs inside it.
# Root (demo uses network namespaces). Usage: deb.sh (CTG_SRCDIR, CTGUARD from meson).
set -u
src=${CTG_SRCDIR:?}
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (ctguard demo)"; exit 77; }
for t in dpkg-buildpackage dh lintian systemd-analyze; do
	command -v $t >/dev/null || { echo "SKIP: $t not installed (tools/install-deps.sh --test)"; exit 77; }
done
tmp=$(mktemp -d /tmp/ctg-package-deb.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# 1. build from a clean copy of the tree (no build directories, no VCS)
mkdir "$tmp/ctguard"
tar -C "$src" --exclude=./.git --exclude='./build*' --exclude='./obj-*' \
	--exclude=./debian/ctguard --exclude=./debian/.debhelper --exclude=./debian/tmp \
	--exclude='./debian/*.log' --exclude='./debian/*.substvars' --exclude=./debian/files \
	-cf - . | tar -C "$tmp/ctguard" -xf -
start=$(date +%s)
(cd "$tmp/ctguard" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
	dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) || { tail -40 "$tmp/build.log"; fail "dpkg-buildpackage"; }
version=$(sed -n '1s/^ctguard (\([^)]*\)).*/\1/p' "$src/debian/changelog")
deb=$(ls "$tmp"/ctguard_"$version"_*.deb) || fail "no .deb for $version"
echo "built $(basename "$deb") in $(($(date +%s) - start)) s, $(stat -c %s "$deb") bytes"

# 2. lintian: no errors (warnings and infos are printed)
lintian --info "$tmp"/ctguard_"$version"_*.changes >"$tmp/lintian.txt" 2>&1
sed 's/^/lintian: /' "$tmp/lintian.txt"
! grep -q '^E: ' "$tmp/lintian.txt" || fail "lintian errors"

# 3. contents and dependencies
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/files"
for f in /usr/sbin/ctguard /usr/share/man/man8/ctguard.8.gz \
	/usr/share/bash-completion/completions/ctguard \
	/usr/share/ctguard/prometheus/ctguard.rules.yml; do
	grep -qx "$f" "$tmp/files" || fail "$f not in the package"
done
for u in ctguard-audit.service ctguard-audit.timer ctguard-watch.service; do
	grep -qE "^/(usr/)?lib/systemd/system/$u$" "$tmp/files" || fail "$u not in the package"
done
# the maintainer scripts enable the audit timer (debhelper); in the chroot (below): not watch
dpkg-deb -e "$deb" "$tmp/control"
grep -q "ctguard-audit.timer" "$tmp/control/postinst" || fail "postinst does not handle ctguard-audit.timer"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# every shared library the binary links (DT_NEEDED) comes from a package in Depends
dpkg-deb -x "$deb" "$tmp/root"
needed=$(objdump -p "$tmp/root/usr/sbin/ctguard" | awk '$1 == "NEEDED" { print $2 }')
echo "NEEDED: $(echo $needed)"
for lib in $(ldd "$tmp/root/usr/sbin/ctguard" | awk '/=> \// { print $1 "=" $3 }'); do
	echo "$needed" | grep -qx "${lib%%=*}" || continue
	lib=${lib#*=}
	pkg=$(dpkg -S "$(readlink -f "$lib")" 2>/dev/null | head -1 | cut -d: -f1)
	[ -z "$pkg" ] && pkg=$(dpkg -S "$lib" 2>/dev/null | head -1 | cut -d: -f1)
	[ -n "$pkg" ] || fail "no package owns $lib"
	echo "$depends" | grep -qE "(^|, )$pkg( |,|$)" || fail "links $lib ($pkg), not in Depends"
done
! ldd "$tmp/root/usr/sbin/ctguard" | grep -q netfilter_conntrack || fail "links libnetfilter_conntrack"
for t in iptables conntrack iproute2 nftables; do # the programs it runs
	echo "$depends" | grep -qE "(^|, )$t( |,|$)" || fail "runs $t, not in Depends"
done

# 4. the installed files work
r=$tmp/root
"$r/usr/sbin/ctguard" --version | grep -qF " ${version%-*}" || fail "--version"
mkdir -p "$tmp/man/man8" && cp "$r/usr/share/man/man8/ctguard.8.gz" "$tmp/man/man8/"
udir=$(dirname "$(grep -E '/systemd/system/ctguard-audit.service$' "$tmp/files")")
mkdir "$tmp/units"
for u in "$r$udir"/ctguard-*; do
	sed "s|/usr/sbin/ctguard|$r/usr/sbin/ctguard|" "$u" >"$tmp/units/$(basename "$u")"
done
out=$(cd "$tmp/units" && MANPATH="$tmp/man" systemd-analyze verify ./ctguard-* 2>&1) ||
	fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"
echo "systemd-analyze verify: $(ls "$tmp/units" | tr '\n' ' ')ok"
bash "$src/tests/package/completion.sh" "$r/usr/share/bash-completion/completions/ctguard" \
	"$r/usr/sbin/ctguard" >"$tmp/completion.txt" || { cat "$tmp/completion.txt"; fail "completion"; }
grep -E 'ctguard (ch|check --me)<Tab>' "$tmp/completion.txt"
"$r/usr/sbin/ctguard" demo >"$tmp/demo.txt" 2>&1 || { tail -30 "$tmp/demo.txt"; fail "ctguard demo (installed files)"; }
echo "ctguard demo from the package: exit 0 ($(wc -l <"$tmp/demo.txt") lines)"

# 5. optionally: a clean Debian 12 chroot
if [ -n "${CTG_DEB_CHROOT:-}" ]; then
	c=$CTG_DEB_CHROOT
	cp "$deb" "$c/tmp/"
	# the chroot's / must be a mount point for `ip netns add` (it makes / a slave mount)
	cleanup_chroot() {
		local m
		while m=$(findmnt -rn -o TARGET | grep -F "$c" | tail -1) && [ -n "$m" ]; do
			umount -l "$m" || break
		done
	}
	trap 'cleanup_chroot; rm -rf "$tmp"' EXIT
	mount --bind "$c" "$c" && mount -t proc proc "$c/proc" && mount -t sysfs sys "$c/sys" ||
		fail "mounts for the chroot"
	[ -s "$c/etc/resolv.conf" ] || cp /etc/resolv.conf "$c/etc/resolv.conf"
	# clean: a previous run's package and the dependencies it pulled in are removed first
	chroot "$c" sh -c 'dpkg --purge ctguard; apt-get -qq autoremove --purge -y' >/dev/null 2>&1
	chroot "$c" dpkg -s ctguard >/dev/null 2>&1 && fail "ctguard still installed in the chroot"
	chroot "$c" sh -c "dpkg -i /tmp/$(basename "$deb") >/dev/null 2>&1; DEBIAN_FRONTEND=noninteractive apt-get -qq -f install -y >/dev/null && dpkg -s ctguard | grep -q 'Status: install ok installed'" ||
		fail "install in the chroot"
	chroot "$c" /usr/sbin/ctguard --version
	[ -L "$c/etc/systemd/system/timers.target.wants/ctguard-audit.timer" ] || fail "audit timer not enabled"
	[ -e "$c/etc/systemd/system/multi-user.target.wants/ctguard-watch.service" ] && fail "watch enabled"
	echo "chroot: ctguard-audit.timer enabled, ctguard-watch.service not"
	chroot "$c" /usr/sbin/ctguard demo >"$tmp/demo-chroot.txt" 2>&1 || { tail -30 "$tmp/demo-chroot.txt"; fail "ctguard demo in the chroot"; }
	echo "ctguard demo in the Debian 12 chroot: exit 0"
	chroot "$c" bash -c 'source /usr/share/bash-completion/completions/ctguard; COMP_WORDS=(ctguard ch); COMP_CWORD=1; _ctguard; echo "chroot: ctguard ch<Tab> -> ${COMPREPLY[*]}"; COMP_WORDS=(ctguard check --me); COMP_CWORD=2; _ctguard; echo "chroot: ctguard check --me<Tab> -> ${COMPREPLY[*]}"'
fi
echo PASS
