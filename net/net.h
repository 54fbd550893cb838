/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * net: host networking for kvmbox. Tap devices for VMs, bridges (the lab's
 * br0, private "isolated" bridges, VLANs) through netlink (libnl-3), a DHCP
 * client for the host's bridge, link watching, Wake-on-LAN, and the status
 * file the menu reads.
 */
#ifndef KVMBOX_NET_H
#define KVMBOX_NET_H

#include <net/if.h>
#include <netinet/in.h>

#include "core/core.h"

/* ---- taps (net/tap.c) ---------------------------------------------------- */

/*
 * Creates (or opens, if it exists and is ours to open) the tap @name, with
 * IFF_VNET_HDR so the VMM can pass virtio-net headers (offloads) through.
 * @name may be "" or a pattern like "kvmbox%d": the kernel picks, and the
 * real name lands in @ifname. Returns the tap fd or -errno. The tap goes
 * away when the fd is closed (the VM ends) unless it was made persistent.
 */
int net_tap_open(const char *name, char ifname[IFNAMSIZ], struct errmsg *err);
/* Makes the tap behind @fd outlive it (true) or not (false). */
int net_tap_persist(int fd, bool persist, struct errmsg *err);
/*
 * Brings @ifname up and makes it a port of the existing bridge @bridge:
 * "BR", or "BR,vlan=N" for an access port of VLAN N (see net_vlan_join).
 */
int net_bridge_add_port(const char *bridge, const char *ifname,
			struct errmsg *err);

/* ---- netlink: links, bridges, addresses (net/nl.c, bridge.c, addr.c) ---- */

struct net_nl; /* one rtnetlink socket (libnl-route-3) */

int net_nl_open(struct net_nl **out, struct errmsg *err);
void net_nl_close(struct net_nl *nl);

/* Facts about one link, as the kernel reports them. */
struct net_link_info {
	int ifindex;
	int master;      /* ifindex of the bridge it is a port of, or 0 */
	bool up;         /* IFF_UP */
	bool carrier;    /* IFF_LOWER_UP */
	bool is_bridge;
	char kind[16];   /* "bridge", "veth", "tun", "" for a physical NIC */
	uint8_t mac[6];
};
/* -ENODEV when there is no link @name. */
int net_link_get(struct net_nl *nl, const char *name,
		 struct net_link_info *info, struct errmsg *err);
int net_link_set_up(struct net_nl *nl, const char *name, bool up,
		    struct errmsg *err);
/* Deleting a link that does not exist is not an error (idempotent). */
int net_link_delete(struct net_nl *nl, const char *name, struct errmsg *err);

struct net_bridge_config {
	const char *name;   /* e.g. "br0" */
	/*
	 * NULL: no uplink (an isolated bridge); "": the first physical
	 * Ethernet NIC with carrier (else without); else that NIC.
	 */
	const char *uplink;
	bool vlan_filtering; /* needed for per-appliance VLANs */
};
/*
 * Creates the bridge or adopts an existing one, enslaves the uplink, moves
 * the uplink's IPv4 addresses and default route to the bridge, gives the
 * bridge the uplink's MAC (so DHCP reservations keep working) and brings
 * both up. Running it twice changes nothing the second time. Fails with a
 * one-line reason when @name exists but is not a bridge (-EEXIST), the
 * uplink is a port of another bridge (-EBUSY), or no NIC exists (-ENODEV).
 * The uplink chosen lands in @uplink_out ("" for none).
 */
int net_bridge_setup(struct net_nl *nl, const struct net_bridge_config *c,
		     char uplink_out[IFNAMSIZ], struct errmsg *err);
/* Makes @port a port of @bridge (and up); nothing to do if it already is. */
int net_bridge_enslave(struct net_nl *nl, const char *bridge, const char *port,
		       struct errmsg *err);
/* Turns VLAN filtering of @bridge on or off (IFLA_BR_VLAN_FILTERING). */
int net_bridge_vlan_filtering(struct net_nl *nl, const char *bridge, bool on,
			      struct errmsg *err);
/*
 * VLANs (bridge VLAN filtering must be on): @port carries @vid as an access
 * port (untagged, PVID; VLAN 1 removed) or as a trunk (tagged) port.
 */
int net_port_vlan(struct net_nl *nl, const char *port, uint16_t vid,
		  bool access, struct errmsg *err);
/*
 * A VM's port joins VLAN @vid: VLAN filtering on @bridge (turned on when
 * off), @port an access port of @vid, and the bridge's uplink (the port
 * net_bridge_setup adopted, if any) a trunk carrying @vid tagged.
 */
int net_vlan_join(struct net_nl *nl, const char *bridge, const char *port,
		  uint16_t vid, struct errmsg *err);
/*
 * The wired NIC to use: one already a port of @bridge_ifindex (0: none),
 * else the first free physical Ethernet NIC with carrier, else without.
 */
int net_uplink_pick(struct net_nl *nl, int bridge_ifindex, char out[IFNAMSIZ],
		    struct errmsg *err);

/*
 * IPv4 addresses and the default route. A @lifetime_s of 0 is forever;
 * otherwise the kernel itself drops the address when the lease ends.
 */
int net_addr_set(struct net_nl *nl, int ifindex, struct in_addr addr,
		 int prefix, uint32_t lifetime_s, struct errmsg *err);
int net_addr_del(struct net_nl *nl, int ifindex, struct in_addr addr,
		 int prefix, struct errmsg *err);
/* Removes every IPv4 address of @ifindex (and so its routes). */
int net_addr_flush(struct net_nl *nl, int ifindex, struct errmsg *err);
int net_route_default(struct net_nl *nl, int ifindex, struct in_addr gw,
		      struct errmsg *err);
/*
 * The first IPv4 address of @ifindex with a finite lifetime (one a DHCP
 * client put there, e.g. before a restart): 0, or -ENOENT when none.
 */
int net_addr_find_dynamic(struct net_nl *nl, int ifindex, struct in_addr *addr,
			  int *prefix, uint32_t *valid_s);

/* ---- DHCP wire format (net/dhcp_msg.c): pure, fuzzed --------------------- */

enum dhcp_type {
	DHCP_DISCOVER = 1, DHCP_OFFER, DHCP_REQUEST, DHCP_DECLINE, DHCP_ACK,
	DHCP_NAK, DHCP_RELEASE, DHCP_INFORM,
};

#define DHCP_MAX_DNS 3
/* What a server said (addresses in network byte order). */
struct dhcp_reply {
	enum dhcp_type type;
	uint32_t xid;
	uint8_t chaddr[6];
	struct in_addr yiaddr, server_id, netmask, router;
	struct in_addr dns[DHCP_MAX_DNS];
	int ndns;
	uint32_t lease_s, t1_s, t2_s; /* 0 when absent */
	char hostname[64], domain[64];
	char message[64]; /* option 56, e.g. a NAK's reason */
};
/*
 * Parses the BOOTP/DHCP payload of a UDP datagram from a server. Every
 * length is checked; anything malformed is -EBADMSG with the reason.
 */
int dhcp_parse(const uint8_t *p, size_t len, struct dhcp_reply *out,
	       struct errmsg *err);

struct dhcp_request {
	enum dhcp_type type;
	uint32_t xid;
	uint16_t secs;
	uint8_t mac[6];
	struct in_addr ciaddr;    /* renewing/rebinding */
	struct in_addr requested; /* option 50 (selecting, init-reboot) */
	struct in_addr server_id; /* option 54 (selecting) */
	const char *hostname;     /* option 12, may be NULL */
};
#define DHCP_MSG_MAX 576
/* Writes the payload into @buf (≥ DHCP_MSG_MAX bytes); returns its length. */
size_t dhcp_build(uint8_t *buf, const struct dhcp_request *r);
/* Prefix length of a netmask, -1 if the mask has holes. */
int dhcp_mask_prefix(struct in_addr mask);

/* ---- IPv4/UDP framing for the packet socket (net/dhcp_sock.c) ------------ */

/* Wraps @payload in IPv4 + UDP headers (checksums included). */
size_t udp4_frame(uint8_t *out, size_t size, struct in_addr src,
		  uint16_t sport, struct in_addr dst, uint16_t dport,
		  const uint8_t *payload, size_t len);
/*
 * Checks an IPv4 packet (headers, lengths, checksums; the UDP checksum only
 * with @check_udp_sum) carrying UDP to @dport; on success points @payload
 * into @pkt. -EBADMSG otherwise.
 */
int udp4_unframe(const uint8_t *pkt, size_t len, uint16_t dport,
		 bool check_udp_sum, const uint8_t **payload, size_t *plen,
		 struct in_addr *src);

/* A packet socket on one interface that sees DHCP replies (UDP to port 68). */
int dhcp_sock_open(int ifindex, struct errmsg *err);
/* Sends @payload from @src:68 to @dst:67, through Ethernet @dst_mac. */
int dhcp_sock_send(int fd, int ifindex, const uint8_t dst_mac[6],
		   struct in_addr src, struct in_addr dst,
		   const uint8_t *payload, size_t len);
/*
 * One datagram's DHCP payload (copied into @buf) and its sender's MAC;
 * -EAGAIN when drained, -EBADMSG for a bad IP/UDP packet, -ENOMSG for one
 * that is not for us (skip it and read on).
 */
ssize_t dhcp_sock_recv(int fd, uint8_t *buf, size_t size, uint8_t from_mac[6]);

/* ---- DHCP client state machine (net/dhcp_client.c) ----------------------- */

enum dhcp_state {
	DHCP_S_IDLE, DHCP_S_SELECTING, DHCP_S_REQUESTING, DHCP_S_BOUND,
	DHCP_S_RENEWING, DHCP_S_REBINDING, DHCP_S_REBOOTING,
};

struct dhcp_lease {
	struct in_addr addr, router, server;
	struct in_addr dns[DHCP_MAX_DNS];
	int ndns;
	int prefix;
	uint32_t lease_s;
	uint64_t obtained_ns, t1_ns, t2_ns, expiry_ns; /* CLOCK_MONOTONIC */
	uint8_t server_mac[6];
	char hostname[64], domain[64];
};

/* What the client asks of its owner; @ctx is dhcp_client.ctx. */
struct dhcp_client_ops {
	/* Broadcast (dst INADDR_BROADCAST) or unicast to the lease's server. */
	int (*send)(void *ctx, const uint8_t *payload, size_t len,
		    struct in_addr src, struct in_addr dst,
		    const uint8_t dst_mac[6]);
	void (*bound)(void *ctx, const struct dhcp_lease *l, bool renewed);
	void (*unbound)(void *ctx, const char *why);
};

/*
 * The client is driven from outside: dhcp_client_input() with each reply,
 * dhcp_client_tick() when dhcp_client_next() is reached, and the link's
 * carrier changes. No sockets or clocks of its own, so tests drive it with
 * a fake clock.
 */
struct dhcp_client {
	const struct dhcp_client_ops *ops;
	void *ctx;
	uint8_t mac[6];
	char hostname[64];
	enum dhcp_state state;
	bool have_lease;
	struct dhcp_lease lease;
	struct dhcp_lease offer;  /* while REQUESTING */
	uint32_t xid;
	uint64_t rng;
	uint64_t started_ns;      /* start of the current exchange (secs) */
	uint64_t next_ns;         /* next retransmission or lease event */
	unsigned tries;
	unsigned naks;            /* in a row: slows a NAK-ing server down */
	uint64_t (*now)(void);    /* clock_now_ns, or a test's fake clock */
};

void dhcp_client_init(struct dhcp_client *c, const uint8_t mac[6],
		      const char *hostname, const struct dhcp_client_ops *ops,
		      void *ctx, uint64_t (*now)(void));
/* Starts (DISCOVER) or, with a lease still valid, verifies it (REBOOTING). */
void dhcp_client_start(struct dhcp_client *c);
/*
 * Takes over a lease found on the interface (the daemon restarted): it is
 * confirmed (init-reboot) by the next dhcp_client_start().
 */
void dhcp_client_assume(struct dhcp_client *c, struct in_addr addr, int prefix,
			uint32_t valid_s);
/* Carrier lost: stops sending; the lease is kept until it expires. */
void dhcp_client_pause(struct dhcp_client *c);
void dhcp_client_input(struct dhcp_client *c, const struct dhcp_reply *r,
		       const uint8_t from_mac[6]);
void dhcp_client_tick(struct dhcp_client *c);
/* When dhcp_client_tick() is next due; 0 when nothing is scheduled. */
uint64_t dhcp_client_next(const struct dhcp_client *c);
/* Sends a RELEASE (best effort) and forgets the lease. */
void dhcp_client_release(struct dhcp_client *c);
const char *dhcp_state_name(enum dhcp_state s);

/* ---- link watching (net/linkwatch.c) ------------------------------------- */

struct linkwatch_event {
	int ifindex;
	char ifname[IFNAMSIZ];
	bool is_link;  /* link change (else an IPv4 address change) */
	bool removed;  /* link deleted / address removed */
	bool up, carrier;
};
/*
 * A netlink socket subscribed to link and IPv4 address changes; its fd is
 * registered with an event loop by the owner, which calls
 * linkwatch_read() when readable: @fn runs once per event.
 */
struct linkwatch;
int linkwatch_open(struct linkwatch **out, struct errmsg *err);
int linkwatch_fd(const struct linkwatch *w);
int linkwatch_read(struct linkwatch *w,
		   void (*fn)(void *ctx, const struct linkwatch_event *e),
		   void *ctx);
void linkwatch_close(struct linkwatch *w);

/* ---- the status file /run/kvmbox/net.status (net/status.c) --------------- */

#define NET_STATUS_PATH "/run/kvmbox/net.status"

struct net_status {
	const char *state;     /* online | offline | configuring */
	char bridge[IFNAMSIZ], uplink[IFNAMSIZ];
	bool carrier;
	char address[24];      /* A.B.C.D/PREFIX or "" */
	char router[16];
	char dns[DHCP_MAX_DNS * 16];
	uint32_t lease_seconds; /* remaining, 0 for none or static */
};
/* Writes [net] atomically (temp file + rename); creates the folder. */
int net_status_write(const char *path, const struct net_status *s);

/* ---- the network daemon (net/daemon.c) ----------------------------------- */

enum net_mode { NET_MODE_DHCP, NET_MODE_OFF, NET_MODE_STATIC };

struct net_daemon_config {
	const char *bridge;       /* "br0" */
	const char *uplink;       /* NULL or "": pick one */
	enum net_mode mode;
	struct in_addr addr, gw;  /* static mode */
	int prefix;
	const char *status_path;
	const char *hostname;     /* sent to the DHCP server, may be NULL */
	const char *resolv_conf;  /* written with the lease's DNS, or NULL */
};
/* Parses "dhcp", "off" or "static:A.B.C.D/N[,GW]". */
int net_mode_parse(const char *s, struct net_daemon_config *c,
		   struct errmsg *err);
/*
 * Runs until SIGTERM/SIGINT: keeps the bridge set up, the address
 * configured and the status file current. Never gives up on a missing
 * server or NIC: it reports "offline" and keeps trying.
 */
int net_daemon_run(const struct net_daemon_config *c, struct errmsg *err);

/* ---- Wake-on-LAN (net/wol.c) --------------------------------------------- */

/* "aa:bb:cc:dd:ee:ff" (or with '-') into 6 bytes. */
int net_mac_parse(const char *s, uint8_t mac[6]);
/* A SecureOn password: 6 or 4 bytes written like a MAC address. */
int wol_password_parse(const char *s, uint8_t pw[6], size_t *len);
/*
 * The magic packet: 6 x 0xff, 16 x @mac, then the SecureOn password if
 * @password_len is 4 or 6. Returns its length (102, 106 or 108).
 */
size_t wol_build(uint8_t out[108], const uint8_t mac[6],
		 const uint8_t *password, size_t password_len);
/* Broadcasts it as UDP to port @port (9), out of @iface if not NULL. */
int wol_send(const uint8_t *pkt, size_t len, const char *iface, uint16_t port,
	     struct errmsg *err);
/* Turns on magic-packet wake on @iface through the ethtool ioctl. */
int wol_enable(const char *iface, struct errmsg *err);

/* ---- `kvmbox net status` (net/show.c) ------------------------------------ */

/* Interfaces, bridge ports, addresses, carrier, then the daemon's status. */
int net_show(int fd, const char *status_path, struct errmsg *err);

/* ==== multicast deployment (net/mcast*.c, format in net/MCAST.md) ======== */
/*
 * One sender streams a file to any number of receivers on the LAN (IPv4
 * multicast, UDP, TTL 1). The file is cut into numbered chunks (the
 * manifest's), each chunk into packets of a fixed payload size; packets
 * carry chunk and offset, so order does not matter. Receivers ask for what
 * they miss with NAK bitmaps at the end of each pass; the sender resends
 * the union in the next pass, pacing itself by the loss receivers report.
 * net/ moves opaque chunks: the caller verifies and stores them.
 */
#define MCAST_MAGIC 0x434d564bu	   /* "KVMC" little-endian */
#define MCAST_VERSION 1
#define MCAST_HDR_LEN 16	   /* magic, version, type, reserved, session */
#define MCAST_MAX_PKT 1472	   /* one Ethernet frame: 1500 - IPv4 - UDP */
#define MCAST_DEFAULT_PORT 9077
#define MCAST_DEFAULT_GROUP "239.255.77.1"
#define MCAST_MAX_MANIFEST (64u << 20)
#define MCAST_MAX_CHUNK (64u << 20)

enum mcast_type {
	MCAST_ANNOUNCE = 1, /* sender: geometry + a piece of the manifest */
	MCAST_DATA = 2,	    /* sender: payload of one packet of one chunk */
	MCAST_ROUND = 3,    /* sender: pass N ended; answer with NAKs */
	MCAST_END = 4,	    /* sender: the session is over */
	MCAST_NAK = 5,	    /* receiver: bitmap of missing packets */
	MCAST_STATUS = 6,   /* receiver: progress, loss seen, done */
};

/* One parsed packet; pointers point into the datagram. */
struct mcast_pkt {
	enum mcast_type type;
	uint64_t session;
	union {
		struct {
			uint64_t file_size;
			uint32_t chunk_size;
			uint16_t payload; /* bytes of data per DATA packet */
			uint32_t manifest_len;
			uint8_t manifest_digest[32];
			uint32_t piece_off;
			const uint8_t *piece;
			uint16_t piece_len;
		} announce;
		struct {
			uint32_t seq;	   /* counts every DATA the sender sent */
			uint32_t chunk;
			uint32_t offset;   /* within the chunk */
			const uint8_t *data;
			uint16_t len;
		} data;
		struct {
			uint32_t pass;
			uint32_t seq;	   /* of the last DATA before it */
		} round;
		struct {
			uint32_t receiver; /* random id of the receiver */
			uint32_t pass;
			uint64_t first;	   /* packet index of bit 0 */
			uint32_t nbits;
			const uint8_t *bits; /* (nbits + 7) / 8 bytes, LSB first */
		} nak;
		struct {
			uint32_t receiver;
			uint32_t pass;	   /* last ROUND seen */
			uint32_t flags;	   /* MCAST_ST_* */
			uint32_t got;	   /* DATA received in this report's span */
			uint32_t expected; /* DATA sent in that span (by seq) */
			uint64_t missing;  /* packets still missing */
			uint32_t last_seq; /* of the last DATA it took in */
		} status;
	};
};
#define MCAST_ST_DONE 1u	/* every chunk verified */
#define MCAST_ST_MANIFEST 2u	/* the manifest arrived */

/* Checks every field of a datagram (-EBADMSG + a line when wrong). */
int mcast_pkt_parse(const uint8_t *p, size_t len, struct mcast_pkt *out,
		    struct errmsg *err);
/*
 * Writes @m (the pointed-to bytes included) into @buf; its length, 0 if it
 * does not fit in @size. A DATA packet with data NULL gets its header only
 * (the payload is sent from elsewhere with scatter-gather).
 */
size_t mcast_pkt_build(uint8_t *buf, size_t size, const struct mcast_pkt *m);

/* How a file is cut: chunks of chunk_size, packets of payload bytes. */
struct mcast_geometry {
	uint64_t file_size;
	uint32_t chunk_size;
	uint16_t payload;
	uint64_t nchunks;
	uint32_t chunk_pkts;	/* packets of a full chunk */
	uint64_t npkts;		/* of the whole file */
};
/* Fills @g; -EINVAL when sizes are zero, too large or do not fit. */
int mcast_geometry_init(struct mcast_geometry *g, uint64_t file_size,
			uint32_t chunk_size, uint16_t payload);
/* Packet index <-> (chunk, offset), and the bytes packet @i carries. */
uint64_t mcast_pkt_index(const struct mcast_geometry *g, uint64_t chunk,
			 uint32_t offset);
void mcast_pkt_where(const struct mcast_geometry *g, uint64_t index,
		     uint64_t *chunk, uint32_t *offset, uint32_t *len);
uint32_t mcast_chunk_len(const struct mcast_geometry *g, uint64_t chunk);

/*
 * Sending rate: multiplicative decrease when receivers report more loss
 * than the background loss of the link (the least seen lately), gentle
 * increase otherwise; bytes per second within [min, max].
 */
struct mcast_rate {
	uint64_t rate, min, max;
	uint32_t floor_permille[8]; /* least loss of recent windows */
	unsigned nwin;
};
void mcast_rate_init(struct mcast_rate *r, uint64_t start, uint64_t min,
		     uint64_t max);
/* One window's worst reported loss; returns the new rate. */
uint64_t mcast_rate_update(struct mcast_rate *r, uint32_t loss_permille);

struct mcast_addr {
	struct in_addr group;
	uint16_t port;
	char iface[IFNAMSIZ];	/* "" : the kernel's choice */
};
/* "239.1.2.3:9000", "239.1.2.3" (default port) or ":9000". */
int mcast_addr_parse(const char *s, struct mcast_addr *a, struct errmsg *err);

struct mcast_send_config {
	struct mcast_addr addr;
	int fd;			/* the file, read with mmap */
	const struct mcast_geometry *geo;
	const uint8_t *manifest;
	size_t manifest_len;
	uint64_t max_rate;	/* bytes/s; 0: 1 GB/s */
	unsigned wait_receivers; /* start when this many said hello */
	unsigned wait_s;	/* ... or after this long (0: 60 s) */
	unsigned idle_s;	/* a receiver silent this long is dropped (30) */
	unsigned max_passes;	/* 0: 100 */
	bool quiet;
};
struct mcast_send_stats {
	uint64_t session;
	uint64_t data_pkts, resent_pkts, bytes;
	uint64_t window_waits;	/* times it waited for slow receivers */
	unsigned passes, receivers, done, dropped;
	uint64_t ns;		/* first DATA to END */
	uint64_t final_rate;
};
/* Runs a whole session; 0 when every receiver that joined is done. */
int mcast_send_run(const struct mcast_send_config *c,
		   struct mcast_send_stats *st, struct errmsg *err);

struct mcast_recv_stats {
	uint64_t session;
	uint64_t data_pkts, dup_pkts, foreign_pkts, bad_pkts;
	uint64_t chunks, bad_chunks, have_chunks;
	uint64_t missing_chunks;	/* at return */
	uint64_t bytes;
	bool ended;			/* the sender said END */
	uint64_t ns;
	uint64_t other_image;		/* announces of another manifest (pinned) */
};
struct mcast_recv_ops {
	/*
	 * The manifest, whole and matching the announced digest. 0 accepts;
	 * a -errno (with @err set) aborts the session.
	 */
	int (*manifest)(void *ctx, const uint8_t *text, size_t len,
			const struct mcast_geometry *g, struct errmsg *err);
	/* A chunk already stored before (resume): not asked for again. */
	bool (*have)(void *ctx, uint64_t chunk);
	/*
	 * A whole chunk: 0 kept, -EBADMSG rejected (its packets are asked
	 * for again), other -errno abort the session.
	 */
	int (*chunk)(void *ctx, uint64_t chunk, const void *data, size_t len,
		     struct errmsg *err);
};
struct mcast_recv_config {
	struct mcast_addr addr;
	int spool_fd;		/* scratch file for partial chunks (-1: none) */
	uint64_t mem_spool_max;	/* files up to this size: in memory instead */
	unsigned timeout_s;	/* give up after this long without the session */
	bool quiet;
	/* NULL: follow the first session; else only one announcing this
	 * manifest digest (SHA-256 of the manifest text). */
	const uint8_t *want_digest;
};
/*
 * Receives one session. 0 when every chunk was kept; -ETIMEDOUT or
 * -ECONNRESET (sender ended) with chunks missing: st->missing_chunks says
 * how many, and the caller may complete them another way.
 */
int mcast_recv_run(const struct mcast_recv_config *c,
		   const struct mcast_recv_ops *ops, void *ctx,
		   struct mcast_recv_stats *st, struct errmsg *err);

/* ==== end of multicast deployment ======================================== */

#endif
