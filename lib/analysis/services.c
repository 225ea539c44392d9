// SPDX-License-Identifier: GPL-2.0-or-later
/* Well-known service ports, for naming connections. Sorted by port for bsearch. */
#include <ctguard/conns.h>

#include <stdlib.h>

struct service {
	uint16_t port;
	uint8_t protos; /* 1 tcp, 2 udp */
	const char *name;
};

static const struct service services[] = {
	{21, 1, "ftp"},
	{22, 1, "ssh"},
	{25, 1, "smtp"},
	{53, 3, "dns"},
	{67, 2, "dhcp"},
	{80, 1, "http"},
	{110, 1, "pop3"},
	{111, 3, "rpcbind"},
	{123, 2, "ntp"},
	{143, 1, "imap"},
	{161, 2, "snmp"},
	{389, 1, "ldap"},
	{443, 3, "https"},
	{445, 1, "smb"},
	{465, 1, "smtps"},
	{514, 2, "syslog"},
	{587, 1, "submission"},
	{636, 1, "ldaps"},
	{873, 1, "rsync"},
	{993, 1, "imaps"},
	{995, 1, "pop3s"},
	{1433, 1, "mssql"},
	{1521, 1, "oracle"},
	{1883, 1, "mqtt"},
	{2049, 3, "nfs"},
	{2181, 1, "zookeeper"},
	{2379, 1, "etcd"},
	{2380, 1, "etcd"},
	{3000, 1, "grafana"},
	{3128, 1, "squid"},
	{3306, 1, "mysql"},
	{3389, 1, "rdp"},
	{4369, 1, "epmd"},
	{4444, 1, "galera-sst"},
	{4567, 3, "galera"},
	{4568, 1, "galera-ist"},
	{5044, 1, "beats"},
	{5060, 3, "sip"},
	{5432, 1, "postgresql"},
	{5671, 1, "amqps"},
	{5672, 1, "amqp"},
	{5900, 1, "vnc"},
	{5984, 1, "couchdb"},
	{6379, 1, "redis"},
	{6443, 1, "kube-apiserver"},
	{6514, 1, "syslog-tls"},
	{7000, 1, "cassandra"},
	{8080, 1, "http-alt"},
	{8443, 1, "https-alt"},
	{9042, 1, "cassandra"},
	{9090, 1, "prometheus"},
	{9092, 1, "kafka"},
	{9100, 1, "node-exporter"},
	{9200, 1, "elasticsearch"},
	{9300, 1, "elasticsearch"},
	{10250, 1, "kubelet"},
	{11211, 3, "memcached"},
	{15672, 1, "rabbitmq-mgmt"},
	{27017, 1, "mongodb"},
};

static int cmp(const void *k, const void *e)
{
	return (int)*(const uint16_t *)k - (int)((const struct service *)e)->port;
}

const char *ctg_service_name(int l4proto, uint16_t port)
{
	const struct service *s = bsearch(&port, services, sizeof(services) / sizeof(services[0]),
					  sizeof(services[0]), cmp);
	unsigned bit = l4proto == 6 ? 1 : l4proto == 17 ? 2 : 0;

	return s && (s->protos & bit) ? s->name : NULL;
}
