package io.k8scap.analysis;

/**
 * Decodes one frame by hand, in place, into {@link Decoder.Packet}'s fields (no allocation per packet): the
 * link layer, IPv4/IPv6, tunnels down to the innermost IP packet, then TCP, UDP or ICMP/ICMPv6 and, for ICMP
 * errors, the header of the packet they quote.
 *
 * <p>Link types: 0 null and 108 loopback (BSD/macOS, a 4-byte address family), 1 Ethernet (VLAN and QinQ
 * tags), 9 and 50 PPP (with or without the HDLC address/control bytes), 101, 228, 229, 12, 14 raw IP, 113
 * Linux cooked v1, 276 Linux cooked v2. Tunnels: VXLAN (UDP 4789 and Linux/Flannel's 8472), Geneve (UDP 6081),
 * IP in IP (IPv4 and IPv6 in either), GRE (IP, transparent Ethernet bridging, ERSPAN type I, II and III).
 *
 * <p>Lengths come from the headers, as tshark reads them: a TCP segment's length is the IP length minus the
 * headers even when the capture cut the payload ({@code -s}); an IPv4 length of 0 (segmentation offload) means
 * "as captured". A frame whose headers contradict each other or end before the transport header is
 * {@link Result#MALFORMED}; non-first fragments and fragments still to come are {@link Result#FRAGMENT}.
 */
final class Decoder {
    static final int MAX_TUNNELS = 4;

    enum Result { OK, NOT_IP, UNKNOWN_LINK, MALFORMED, FRAGMENT }

    /** Tunnel kinds, as indexes into a source's tunnel counters. */
    static final int VXLAN = 0, GENEVE = 1, IPIP = 2, GRE = 3, ERSPAN = 4;
    static final String[] TUNNEL_NAMES = {"vxlan", "geneve", "ipip", "gre", "erspan"};

    /** The decoded fields of the innermost packet; reused for every frame. */
    static final class Packet {
        int ipVersion;
        /** Addresses: IPv4 as {@code hi=0, lo=0xFFFF_0000_0000L | addr} (v4-mapped), IPv6 as two longs. */
        long srcHi, srcLo, dstHi, dstLo;
        int proto;
        int sport, dport;
        // TCP
        int flags;
        int seq, ack;
        int window;
        int wscale; // -1: no window-scale option (only read on SYNs)
        int seglen;
        // UDP / TCP payload as captured
        int payloadOff, payloadLen;
        // ICMP / ICMPv6
        int icmpType, icmpCode, mtu;
        boolean quoted;
        int qProto, qsport, qdport;
        long qsrcHi, qsrcLo, qdstHi, qdstLo;
        /** Bit per tunnel kind crossed on the way in. */
        int tunnels;

        void reset() {
            ipVersion = 0;
            proto = 0;
            sport = dport = 0;
            flags = 0;
            seglen = 0;
            wscale = -1;
            payloadOff = payloadLen = 0;
            quoted = false;
            mtu = 0;
            tunnels = 0;
        }
    }

    static final int FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08, ACK = 0x10;

    private Decoder() {
    }

    static Result decode(int linkType, byte[] b, int off, int len, Packet p) {
        p.reset();
        int end = off + len;
        try {
            switch (linkType) {
                case 1:
                    return ether(b, off, end, p, 0);
                case 113:
                    if (len < 16) {
                        return Result.MALFORMED;
                    }
                    return ethertype(u16(b, off + 14), b, off + 16, end, p, 0);
                case 276:
                    if (len < 20) {
                        return Result.MALFORMED;
                    }
                    return ethertype(u16(b, off), b, off + 20, end, p, 0);
                case 101, 228, 229, 12, 14:
                    return ip(b, off, end, p, 0);
                case 0, 108:
                    if (len < 5) {
                        return Result.MALFORMED;
                    }
                    return ipByVersion(b, off + 4, end, p, 0);
                case 9, 50:
                    return ppp(b, off, end, p);
                default:
                    return Result.UNKNOWN_LINK;
            }
        } catch (ArrayIndexOutOfBoundsException e) {
            return Result.MALFORMED; // a length check missed: count it, never stop
        }
    }

    private static Result ppp(byte[] b, int off, int end, Packet p) {
        if (end - off < 2) {
            return Result.MALFORMED;
        }
        if ((b[off] & 0xFF) == 0xFF && (b[off + 1] & 0xFF) == 0x03) {
            off += 2;
        }
        if (end - off < 1) {
            return Result.MALFORMED;
        }
        int proto;
        if ((b[off] & 1) == 1) { // protocol-field compression: one byte
            proto = b[off] & 0xFF;
            off += 1;
        } else {
            if (end - off < 2) {
                return Result.MALFORMED;
            }
            proto = u16(b, off);
            off += 2;
        }
        return switch (proto) {
            case 0x21 -> ip4(b, off, end, p, 0);
            case 0x57 -> ip6(b, off, end, p, 0);
            default -> Result.NOT_IP;
        };
    }

    private static Result ether(byte[] b, int off, int end, Packet p, int depth) {
        if (end - off < 14) {
            return Result.MALFORMED;
        }
        return ethertype(u16(b, off + 12), b, off + 14, end, p, depth);
    }

    private static Result ethertype(int type, byte[] b, int off, int end, Packet p, int depth) {
        for (int i = 0; i < 3 && (type == 0x8100 || type == 0x88A8 || type == 0x9100); i++) {
            if (end - off < 4) {
                return Result.MALFORMED;
            }
            type = u16(b, off + 2);
            off += 4;
        }
        return switch (type) {
            case 0x0800 -> ip4(b, off, end, p, depth);
            case 0x86DD -> ip6(b, off, end, p, depth);
            default -> Result.NOT_IP;
        };
    }

    private static Result ipByVersion(byte[] b, int off, int end, Packet p, int depth) {
        if (off >= end) {
            return Result.MALFORMED;
        }
        return switch ((b[off] & 0xFF) >>> 4) {
            case 4 -> ip4(b, off, end, p, depth);
            case 6 -> ip6(b, off, end, p, depth);
            default -> Result.NOT_IP;
        };
    }

    private static Result ip(byte[] b, int off, int end, Packet p, int depth) {
        if (off >= end) {
            return Result.MALFORMED;
        }
        return switch ((b[off] & 0xFF) >>> 4) {
            case 4 -> ip4(b, off, end, p, depth);
            case 6 -> ip6(b, off, end, p, depth);
            default -> Result.MALFORMED;
        };
    }

    private static Result ip4(byte[] b, int off, int end, Packet p, int depth) {
        if (end - off < 20 || (b[off] & 0xF0) != 0x40) {
            return Result.MALFORMED;
        }
        int ihl = (b[off] & 0x0F) * 4;
        int total = u16(b, off + 2);
        if (ihl < 20 || end - off < ihl) {
            return Result.MALFORMED;
        }
        if (total == 0) {
            total = end - off; // segmentation offload: the kernel leaves the length 0
        } else if (total < ihl) {
            return Result.MALFORMED;
        }
        int frag = u16(b, off + 6);
        p.ipVersion = 4;
        p.srcHi = 0;
        p.srcLo = 0xFFFF_0000_0000L | (u32(b, off + 12) & 0xFFFF_FFFFL);
        p.dstHi = 0;
        p.dstLo = 0xFFFF_0000_0000L | (u32(b, off + 16) & 0xFFFF_FFFFL);
        int proto = b[off + 9] & 0xFF;
        p.proto = proto;
        if ((frag & 0x3FFF) != 0) {
            return Result.FRAGMENT; // MF set or an offset: tshark reassembles, k8scap counts them
        }
        int l4 = off + ihl;
        int l4len = total - ihl;
        int l4end = Math.min(end, off + total);
        return transport(proto, b, l4, l4end, l4len, p, depth);
    }

    private static Result ip6(byte[] b, int off, int end, Packet p, int depth) {
        if (end - off < 40 || (b[off] & 0xF0) != 0x60) {
            return Result.MALFORMED;
        }
        int plen = u16(b, off + 4);
        p.ipVersion = 6;
        p.srcHi = u64(b, off + 8);
        p.srcLo = u64(b, off + 16);
        p.dstHi = u64(b, off + 24);
        p.dstLo = u64(b, off + 32);
        int nh = b[off + 6] & 0xFF;
        int at = off + 40;
        int left = plen == 0 ? end - at : plen; // jumbogram or offload: as captured
        for (int i = 0; i < 8; i++) {
            switch (nh) {
                case 0, 43, 60 -> {
                    if (end - at < 8) {
                        return Result.MALFORMED;
                    }
                    int l = ((b[at + 1] & 0xFF) + 1) * 8;
                    nh = b[at] & 0xFF;
                    at += l;
                    left -= l;
                }
                case 44 -> {
                    if (end - at < 8) {
                        return Result.MALFORMED;
                    }
                    int fo = u16(b, at + 2);
                    nh = b[at] & 0xFF;
                    at += 8;
                    left -= 8;
                    if ((fo & 0xFFF9) != 0) {
                        p.proto = nh;
                        return Result.FRAGMENT;
                    }
                }
                default -> {
                    if (left < 0) {
                        return Result.MALFORMED;
                    }
                    p.proto = nh;
                    return transport(nh, b, at, Math.min(end, at + left), left, p, depth);
                }
            }
        }
        return Result.MALFORMED;
    }

    /** {@code l4len}: the transport length the IP header claims; {@code end}: what was captured of it. */
    private static Result transport(int proto, byte[] b, int off, int end, int l4len, Packet p, int depth) {
        switch (proto) {
            case 6:
                return tcp(b, off, end, l4len, p);
            case 17:
                return udp(b, off, end, l4len, p, depth);
            case 1:
                return icmp(b, off, end, p, false);
            case 58:
                return icmp(b, off, end, p, true);
            case 4, 41:
                if (depth >= MAX_TUNNELS) {
                    return Result.OK;
                }
                p.tunnels |= 1 << IPIP;
                return proto == 4 ? ip4(b, off, end, p, depth + 1) : ip6(b, off, end, p, depth + 1);
            case 47:
                return depth >= MAX_TUNNELS ? Result.OK : gre(b, off, end, p, depth);
            default:
                return Result.OK;
        }
    }

    private static Result tcp(byte[] b, int off, int end, int l4len, Packet p) {
        if (end - off < 20) {
            return Result.MALFORMED;
        }
        int doff = ((b[off + 12] & 0xFF) >>> 4) * 4;
        if (doff < 20 || doff > l4len) {
            return Result.MALFORMED;
        }
        p.sport = u16(b, off);
        p.dport = u16(b, off + 2);
        p.seq = u32(b, off + 4);
        p.ack = u32(b, off + 8);
        p.flags = b[off + 13] & 0xFF;
        p.window = u16(b, off + 14);
        p.seglen = l4len - doff;
        p.payloadOff = off + doff;
        p.payloadLen = Math.max(0, Math.min(end, off + l4len) - p.payloadOff);
        if ((p.flags & SYN) != 0) {
            int o = off + 20;
            int oend = Math.min(end, off + doff);
            while (o < oend) {
                int kind = b[o] & 0xFF;
                if (kind == 0) {
                    break;
                }
                if (kind == 1) {
                    o++;
                    continue;
                }
                if (o + 1 >= oend) {
                    break;
                }
                int l = b[o + 1] & 0xFF;
                if (l < 2) {
                    break;
                }
                if (kind == 3 && l == 3 && o + 2 < oend) {
                    p.wscale = Math.min(14, b[o + 2] & 0xFF);
                }
                o += l;
            }
        }
        return Result.OK;
    }

    private static Result udp(byte[] b, int off, int end, int l4len, Packet p, int depth) {
        if (end - off < 8 || l4len < 8) {
            return Result.MALFORMED;
        }
        p.sport = u16(b, off);
        p.dport = u16(b, off + 2);
        int ulen = u16(b, off + 4);
        int plen = (ulen >= 8 && ulen <= l4len ? ulen : l4len) - 8;
        p.payloadOff = off + 8;
        p.payloadLen = Math.max(0, Math.min(end, p.payloadOff + plen) - p.payloadOff);
        if (depth < MAX_TUNNELS) {
            int po = p.payloadOff;
            int pend = po + p.payloadLen;
            if ((p.dport == 4789 || p.dport == 8472) && pend - po >= 8 + 14 && (b[po] & 0x08) != 0) {
                int save = p.tunnels | 1 << VXLAN;
                Result r = ether(b, po + 8, pend, p, depth + 1);
                p.tunnels |= save;
                return r == Result.NOT_IP ? Result.OK : r;
            }
            if (p.dport == 6081 && pend - po >= 8 && (b[po] & 0xC0) == 0) {
                int optLen = (b[po] & 0x3F) * 4;
                int type = u16(b, po + 2);
                int inner = po + 8 + optLen;
                if (inner <= pend) {
                    int save = p.tunnels | 1 << GENEVE;
                    Result r = type == 0x6558 ? ether(b, inner, pend, p, depth + 1) : ethertype(type, b, inner, pend, p, depth + 1);
                    p.tunnels |= save;
                    return r == Result.NOT_IP ? Result.OK : r;
                }
            }
        }
        return Result.OK;
    }

    private static Result gre(byte[] b, int off, int end, Packet p, int depth) {
        if (end - off < 4) {
            return Result.MALFORMED;
        }
        int fl = u16(b, off);
        if ((fl & 0x7) != 0) {
            return Result.OK; // GRE version 1 is PPTP's enhanced GRE: PPP inside, not decoded
        }
        int type = u16(b, off + 2);
        int at = off + 4;
        if ((fl & 0x8000) != 0) {
            at += 4; // checksum + reserved
        }
        if ((fl & 0x2000) != 0) {
            at += 4; // key
        }
        boolean seq = (fl & 0x1000) != 0;
        if (seq) {
            at += 4;
        }
        if (at > end) {
            return Result.MALFORMED;
        }
        int save = p.tunnels | 1 << GRE;
        Result r;
        switch (type) {
            case 0x0800 -> r = ip4(b, at, end, p, depth + 1);
            case 0x86DD -> r = ip6(b, at, end, p, depth + 1);
            case 0x6558 -> r = ether(b, at, end, p, depth + 1);
            case 0x88BE -> {
                save |= 1 << ERSPAN;
                // type I has no ERSPAN header (and no GRE sequence number); type II has 8 bytes
                r = ether(b, seq ? at + 8 : at, end, p, depth + 1);
            }
            case 0x22EB -> {
                save |= 1 << ERSPAN;
                if (end - at < 12) {
                    return Result.MALFORMED;
                }
                boolean platform = (b[at + 11] & 0x01) != 0; // the O flag: an 8-byte platform sub-header
                r = ether(b, at + 12 + (platform ? 8 : 0), end, p, depth + 1);
            }
            default -> {
                return Result.OK;
            }
        }
        p.tunnels |= save;
        return r == Result.NOT_IP ? Result.OK : r;
    }

    private static Result icmp(byte[] b, int off, int end, Packet p, boolean v6) {
        if (end - off < 4) {
            return Result.MALFORMED;
        }
        p.icmpType = b[off] & 0xFF;
        p.icmpCode = b[off + 1] & 0xFF;
        boolean error = v6 ? p.icmpType >= 1 && p.icmpType <= 4 : p.icmpType == 3 || p.icmpType == 11 || p.icmpType == 12
                || p.icmpType == 4 || p.icmpType == 5;
        if (!error || end - off < 8) {
            return Result.OK;
        }
        if (!v6 && p.icmpType == 3 && p.icmpCode == 4) {
            p.mtu = u16(b, off + 6);
        } else if (v6 && p.icmpType == 2) {
            p.mtu = u32(b, off + 4);
        }
        int q = off + 8;
        if (end - q >= 20 && (b[q] & 0xF0) == 0x40) {
            int ihl = (b[q] & 0x0F) * 4;
            p.qProto = b[q + 9] & 0xFF;
            p.qsrcHi = 0;
            p.qsrcLo = 0xFFFF_0000_0000L | (u32(b, q + 12) & 0xFFFF_FFFFL);
            p.qdstHi = 0;
            p.qdstLo = 0xFFFF_0000_0000L | (u32(b, q + 16) & 0xFFFF_FFFFL);
            p.quoted = true;
            quotedPorts(b, q + ihl, end, p);
        } else if (end - q >= 40 && (b[q] & 0xF0) == 0x60) {
            int nh = b[q + 6] & 0xFF;
            int at = q + 40;
            for (int i = 0; i < 8 && (nh == 0 || nh == 43 || nh == 60 || nh == 44) && end - at >= 8; i++) {
                int l = nh == 44 ? 8 : ((b[at + 1] & 0xFF) + 1) * 8;
                nh = b[at] & 0xFF;
                at += l;
            }
            p.qProto = nh;
            p.qsrcHi = u64(b, q + 8);
            p.qsrcLo = u64(b, q + 16);
            p.qdstHi = u64(b, q + 24);
            p.qdstLo = u64(b, q + 32);
            p.quoted = true;
            quotedPorts(b, at, end, p);
        }
        return Result.OK;
    }

    private static void quotedPorts(byte[] b, int at, int end, Packet p) {
        p.qsport = 0;
        p.qdport = 0;
        if ((p.qProto == 6 || p.qProto == 17 || p.qProto == 132) && end - at >= 4) {
            p.qsport = u16(b, at);
            p.qdport = u16(b, at + 2);
        }
    }

    static int u16(byte[] b, int o) {
        return (b[o] & 0xFF) << 8 | (b[o + 1] & 0xFF);
    }

    static int u32(byte[] b, int o) {
        return (b[o] & 0xFF) << 24 | (b[o + 1] & 0xFF) << 16 | (b[o + 2] & 0xFF) << 8 | (b[o + 3] & 0xFF);
    }

    static long u64(byte[] b, int o) {
        return (u32(b, o) & 0xFFFF_FFFFL) << 32 | (u32(b, o + 4) & 0xFFFF_FFFFL);
    }

    /** An address as text: dotted IPv4 for v4-mapped values, else RFC 5952 IPv6. */
    static String address(long hi, long lo) {
        if (hi == 0 && (lo >>> 32) == 0xFFFF) {
            return ((lo >>> 24) & 0xFF) + "." + ((lo >>> 16) & 0xFF) + "." + ((lo >>> 8) & 0xFF) + "." + (lo & 0xFF);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xFFFF;
            g[i + 4] = (int) (lo >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestAt = -1, bestLen = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] == 0) {
                int j = i;
                while (j < 8 && g[j] == 0) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestAt = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                s.append("::");
                i += bestLen - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(g[i]));
        }
        return s.toString();
    }
}
