# SPDX-License-Identifier: GPL-2.0-or-later
# lib-mariadb.sh: a real MariaDB primary/replica pair in two network namespaces.
# Sourced shell library (bash), shared by mariadb-heal.sh (audit/heal) and the check
# engineer's tests: reuse it, don't copy it. Usage:
#
#   . "$CTG_SRCDIR/tests/kernel/analysis/lib-mariadb.sh"
#   mdb_init ctg-mytest-$$ 10.200.61        # names + a /24 of your own
#   trap mdb_cleanup EXIT
#   mdb_up || exit 1     # netns + veth + both servers + replica firewall + replication
#   mdb_sql_p "INSERT INTO ctg.t VALUES (1)"; mdb_wait_rows 1 10
#
# mdb_up loads the classic replica firewall (mdb_replica_firewall: INPUT DROP + lo +
# ESTABLISHED,RELATED + ssh) BEFORE replication connects; set MDB_NO_FIREWALL=1 to skip
# it. Loading a conntrack-using ruleset after the connection exists orphans it at once.
#
# Variables after mdb_init: MDB_NS_P / MDB_NS_R (namespaces), MDB_IP_P / MDB_IP_R
# (10.200.N.1 primary, .2 replica), MDB_DIR (datadirs, sockets, logs).
# Needs: mariadbd, mariadb-install-db, mariadb (Debian mariadb-server, mariadb-client).
# The replica's replication connection is the replica's TCP socket to MDB_IP_P:3306,
# owned by process mariadbd; the replica user is repl/replpw.

mdb_init() {
	MDB_PREFIX=$1
	MDB_NET=$2
	MDB_NS_P=$MDB_PREFIX-p
	MDB_NS_R=$MDB_PREFIX-r
	MDB_IP_P=$MDB_NET.1
	MDB_IP_R=$MDB_NET.2
	MDB_DIR=$(mktemp -d /tmp/"$MDB_PREFIX".XXXXXX)
	chmod 755 "$MDB_DIR"
}

mdb_have() {
	command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || return 1
	command -v mariadb-install-db >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1
}

mdb_cleanup() {
	local f
	for f in "$MDB_DIR"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	sleep 0.5
	for f in "$MDB_DIR"/*.pid; do
		[ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null
	done
	ip netns del "$MDB_NS_P" 2>/dev/null
	ip netns del "$MDB_NS_R" 2>/dev/null
	[ -n "$MDB_DIR" ] && rm -rf "$MDB_DIR"
	return 0
}

mdb_net() {
	ip netns add "$MDB_NS_P" && ip netns add "$MDB_NS_R" || return 1
	ip -n "$MDB_NS_P" link add eth0 type veth peer name eth0 netns "$MDB_NS_R" || return 1
	ip -n "$MDB_NS_P" addr add "$MDB_IP_P/24" dev eth0
	ip -n "$MDB_NS_R" addr add "$MDB_IP_R/24" dev eth0
	ip -n "$MDB_NS_P" link set lo up && ip -n "$MDB_NS_P" link set eth0 up
	ip -n "$MDB_NS_R" link set lo up && ip -n "$MDB_NS_R" link set eth0 up
}

# mdb_start NS NAME ADDR SERVER_ID [extra mariadbd options]
mdb_start() {
	local ns=$1 name=$2 addr=$3 id=$4 i
	shift 4
	local d=$MDB_DIR/$name
	mkdir -p "$d"
	mariadb-install-db --no-defaults --user=root --datadir="$d/data" \
		--auth-root-authentication-method=socket --skip-test-db >"$MDB_DIR/$name.install.log" 2>&1 ||
		return 1
	ip netns exec "$ns" /usr/sbin/mariadbd --no-defaults --user=root --datadir="$d/data" \
		--socket="$d/sock" --pid-file="$MDB_DIR/$name.pid" --port=3306 \
		--bind-address="$addr" --server-id="$id" --skip-name-resolve \
		--log-error="$MDB_DIR/$name.err" --innodb-buffer-pool-size=16M \
		--performance-schema=off "$@" >/dev/null 2>&1 &
	for i in $(seq 1 100); do
		[ -S "$d/sock" ] && mariadb --no-defaults -S "$d/sock" -uroot -e 'SELECT 1' \
			>/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

mdb_sql_p() { mariadb --no-defaults -S "$MDB_DIR/primary/sock" -uroot -N -B -e "$1"; }
mdb_sql_r() { mariadb --no-defaults -S "$MDB_DIR/replica/sock" -uroot -N -B -e "$1"; }

mdb_up() {
	mdb_have || return 1
	mdb_net || return 1
	mdb_start "$MDB_NS_P" primary "$MDB_IP_P" 1 --log-bin=mysql-bin --binlog-format=ROW ||
		return 1
	mdb_start "$MDB_NS_R" replica "$MDB_IP_R" 2 --relay-log=relay-bin --read-only=0 || return 1
	mdb_sql_p "CREATE USER 'repl'@'%' IDENTIFIED BY 'replpw';
		GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%';
		CREATE DATABASE ctg; CREATE TABLE ctg.t (id INT PRIMARY KEY);" || return 1
	# The firewall must be in place before replication connects: conntrack only tracks
	# connections opened while a rule uses it (a rule loaded later orphans the flow).
	if [ -z "${MDB_NO_FIREWALL:-}" ]; then mdb_replica_firewall || return 1; fi
	mdb_sql_r "CHANGE MASTER TO MASTER_HOST='$MDB_IP_P', MASTER_PORT=3306,
		MASTER_USER='repl', MASTER_PASSWORD='replpw', MASTER_USE_GTID=slave_pos,
		MASTER_CONNECT_RETRY=1; START SLAVE;" || return 1
	mdb_wait_table 20
}

# The replica has the table created on the primary within N seconds.
mdb_wait_table() {
	local i
	for i in $(seq 1 $(($1 * 5))); do
		mdb_sql_r "SELECT COUNT(*) FROM ctg.t" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

mdb_rows_r() { mdb_sql_r "SELECT COUNT(*) FROM ctg.t" 2>/dev/null; }

# mdb_wait_rows N SECONDS: the replica holds N rows within SECONDS; prints the time taken.
mdb_wait_rows() {
	local want=$1 secs=$2 t0 i
	t0=$(date +%s.%N)
	for i in $(seq 1 $((secs * 10))); do
		if [ "$(mdb_rows_r)" = "$want" ]; then
			awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { printf "%.2f\n", a - b }'
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# The classic replica firewall: INPUT DROP, accept lo + ESTABLISHED,RELATED (+ ssh).
mdb_replica_firewall() {
	ip netns exec "$MDB_NS_R" iptables-restore <<-'EOF'
		*filter
		:INPUT DROP [0:0]
		:FORWARD DROP [0:0]
		:OUTPUT ACCEPT [0:0]
		-A INPUT -i lo -j ACCEPT
		-A INPUT -m state --state RELATED,ESTABLISHED -j ACCEPT
		-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
		COMMIT
	EOF
}

mdb_slave_status() { mariadb --no-defaults -S "$MDB_DIR/replica/sock" -uroot -e "SHOW SLAVE STATUS\G" | grep -E "Slave_(IO|SQL)_Running:|Seconds_Behind"; }
