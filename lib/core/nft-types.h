/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft's numbers for the things fwgen writes and reads back: its datatypes
 * (a set's key type), expression and protocol ids in set userdata. One
 * home, for nft-build, diff and the live set updates alike.
 */
#ifndef FWGEN_NFT_TYPES_H
#define FWGEN_NFT_TYPES_H

/*
 * nft's own numbering, which it records in the userdata of the sets it
 * creates (enum datatypes, enum expr_types and enum proto_desc_id in
 * nftables' headers). The kernel stores these bytes verbatim and `nft
 * list` reads them back, so they are part of the state we must match.
 */
enum {
	NFT_TYPE_IPADDR = 7,
	NFT_TYPE_IP6ADDR = 8,
	NFT_TYPE_ETHERADDR = 9,
	NFT_TYPE_INET_PROTOCOL = 12,
	NFT_TYPE_INET_SERVICE = 13,
	NFT_TYPE_ICMP_TYPE = 14,
	NFT_TYPE_MARK = 19,
	NFT_TYPE_ICMP6_TYPE = 29,
	NFT_TYPE_VERDICT = 0xffffff00,
	NFT_TYPE_BITS = 6, /* concatenated types: 6 bits each */
};

enum {
	NFT_EXPRTYPE_VERDICT = 1,
	NFT_EXPRTYPE_PAYLOAD = 7,
	NFT_EXPRTYPE_META = 9,
	NFT_EXPRTYPE_CONCAT = 13,
};

enum {
	NFT_PROTODESC_ICMP = 4,
	NFT_PROTODESC_UDP = 6,
	NFT_PROTODESC_TCP = 8,
	NFT_PROTODESC_TH = 11,
	NFT_PROTODESC_ICMPV6 = 14,
};

/* Field numbers within a header description, as nft counts them. */
enum {
	NFT_FIELD_ICMP_TYPE = 1,
	NFT_FIELD_TH_DPORT = 2,
};

enum {
	NFT_BYTEORDER_BIG_ENDIAN = 2, /* nft's enum byteorder */
};

#endif
