package io.k8scap.pcap;

import org.pcap4j.packet.DnsPacket;
import org.pcap4j.packet.DnsQuestion;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.LinuxSllPacket;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * What looks wrong in captured traffic, decoded with pcap4j 1.8.2 record by record.
 *
 * <p>Link types: 1 Ethernet ({@link EthernetPacket}), 113 Linux cooked v1 ({@link LinuxSllPacket}), 276
 * Linux cooked v2 (pcap4j has no decoder: the 20-byte header is read by hand, then the IP packet is decoded
 * by pcap4j), 101/228/229 raw IP. Other link types and notIp packets are counted per source only.
 *
 * <p>What it tracks (per source, i.e. per pod: the same flow seen from two pods is two conversations):
 * <ul>
 *   <li>packets and bytes per source ({@code origLen} when given, else the captured length);</li>
 *   <li>conversations (TCP/UDP 5-tuple; the client is the sender of the first packet seen, or of the SYN):
 *       top 10 by bytes;</li>
 *   <li>TCP SYNs never answered: a SYN from the client and neither a SYN-ACK nor a RST back within the capture
 *       (a RST is an answer: the port is closed; it shows under resets);</li>
 *   <li>RSTs per conversation and direction;</li>
 *   <li>ICMP destination unreachable (type 3) and ICMPv6 destination unreachable (type 1), with the code,
 *       who sent it and the destination of the packet it refers to (read from the quoted header);</li>
 *   <li>DNS over UDP port 53: NXDOMAIN, SERVFAIL, REFUSED responses by question name, and queries (matched by
 *       client address/port, server and id) with no response within the capture;</li>
 *   <li>TCP retransmissions: a segment with payload whose (seq, payload length) was already seen in the same
 *       direction among the last 8 such segments. A capture that sees each packet twice (e.g. {@code -i any}
 *       across a bridge and a veth) would count every segment; k8scap captures one interface per pod.</li>
 * </ul>
 * Memory is bounded: at most {@code maxFlows} conversations (default 100,000), as many pending DNS queries
 * and as many aggregated ICMP/DNS error rows; beyond that new entries are not tracked, and the report says
 * so ({@link Limits#capped()}, {@link Limits#untrackedPackets()}). Not thread-safe: feed it from one thread.
 */
public final class TrafficSummary {
    public static final int DEFAULT_MAX_FLOWS = 100_000;
    static final int TOP_CONVERSATIONS = 10;
    static final int MAX_LISTED = 50;
    private static final int RING = 8;

    private final int maxFlows;
    private final Map<String, SourceCounter> sources = new LinkedHashMap<>();
    private final Map<FlowKey, Conv> conversations = new HashMap<>();
    private final Map<DnsKey, DnsPending> dnsPending = new HashMap<>();
    private final Map<DnsErrorKey, long[]> dnsErrors = new LinkedHashMap<>();
    private final Map<UnreachKey, long[]> unreachable = new LinkedHashMap<>();
    private boolean capped;
    private long untracked;

    public TrafficSummary() {
        this(DEFAULT_MAX_FLOWS);
    }

    public TrafficSummary(int maxFlows) {
        if (maxFlows < 1) {
            throw new IllegalArgumentException("maxFlows must be >= 1");
        }
        this.maxFlows = maxFlows;
    }

    /** One packet: {@code len} captured bytes at {@code buf[off]} (no pcap record header), counted as {@code len} bytes. */
    public void accept(String source, int linkType, long tsNanos, byte[] buf, int off, int len) {
        accept(source, linkType, tsNanos, len, buf, off, len);
    }

    /** One packet with its original (wire) length. */
    public void accept(String source, int linkType, long tsNanos, int origLen, byte[] buf, int off, int len) {
        SourceCounter sc = sources.computeIfAbsent(source, SourceCounter::new);
        sc.packets++;
        sc.bytes += origLen;
        Packet ip;
        try {
            ip = decodeIp(linkType, buf, off, len);
        } catch (IllegalRawDataException | RuntimeException e) {
            ip = null;
        }
        if (!(ip instanceof IpPacket)) {
            sc.notIp++;
            return;
        }
        IpPacket ipp = (IpPacket) ip;
        InetAddress src = ipp.getHeader().getSrcAddr();
        InetAddress dst = ipp.getHeader().getDstAddr();
        Packet l4 = ipp.getPayload();
        if (ipp instanceof IpV6Packet) {
            while (l4 != null && !(l4 instanceof TcpPacket || l4 instanceof UdpPacket)
                    && isExtension(l4)) {
                l4 = l4.getPayload();
            }
        }
        if (l4 instanceof TcpPacket tcp) {
            tcp(source, tsNanos, origLen, src, dst, tcp);
        } else if (l4 instanceof UdpPacket udp) {
            udp(source, tsNanos, origLen, src, dst, udp);
        } else if (l4 instanceof IcmpV4CommonPacket icmp) {
            byte[] raw = icmp.getRawData();
            if ((raw[0] & 0xFF) == 3) {
                unreachable(source, src, false, raw[1] & 0xFF, raw, 8);
            }
        } else if (ipp instanceof IpV6Packet) {
            // ICMPv6 by hand: pcap4j 1.8.2 mis-decodes ICMPv6 behind a hop-by-hop header (MLD reports come
            // out as "destination unreachable"), so walk the extension headers ourselves.
            byte[] raw = ipp.getRawData();
            int at = icmpV6Offset(raw);
            if (at >= 0 && raw.length >= at + 8 && (raw[at] & 0xFF) == 1) {
                unreachable(source, src, true, raw[at + 1] & 0xFF, java.util.Arrays.copyOfRange(raw, at, raw.length), 8);
            }
        }
    }

    /** Offset of the ICMPv6 header in an IPv6 packet, after extension headers; -1 if it is not ICMPv6. */
    static int icmpV6Offset(byte[] raw) {
        if (raw.length < 40) {
            return -1;
        }
        int nh = raw[6] & 0xFF;
        int off = 40;
        for (int i = 0; i < 8 && off + 8 <= raw.length; i++) {
            switch (nh) {
                case 58:
                    return off;
                case 0, 43, 60:
                    nh = raw[off] & 0xFF;
                    off += ((raw[off + 1] & 0xFF) + 1) * 8;
                    break;
                case 44:
                    nh = raw[off] & 0xFF;
                    off += 8;
                    break;
                default:
                    return -1;
            }
        }
        return nh == 58 && off < raw.length ? off : -1;
    }

    private static boolean isExtension(Packet p) {
        String n = p.getClass().getSimpleName();
        return n.startsWith("IpV6Ext");
    }

    static Packet decodeIp(int linkType, byte[] buf, int off, int len) throws IllegalRawDataException {
        switch (linkType) {
            case 1:
                return ipOf(EthernetPacket.newPacket(buf, off, len));
            case 113:
                return ipOf(LinuxSllPacket.newPacket(buf, off, len));
            case 276: {
                if (len < 20) {
                    return null;
                }
                int proto = Bytes.u16BE(buf, off);
                return proto == 0x0800 || proto == 0x86DD ? rawIp(buf, off + 20, len - 20) : null;
            }
            case 101:
            case 228:
            case 229:
            case 12:
            case 14:
                return rawIp(buf, off, len);
            default:
                return null;
        }
    }

    private static Packet ipOf(Packet link) {
        Packet p = link.getPayload();
        while (p != null && !(p instanceof IpPacket)) {
            p = p.getPayload(); // VLAN tags
        }
        return p;
    }

    private static Packet rawIp(byte[] buf, int off, int len) throws IllegalRawDataException {
        if (len < 1) {
            return null;
        }
        int v = (buf[off] & 0xFF) >>> 4;
        return v == 4 ? IpV4Packet.newPacket(buf, off, len) : v == 6 ? IpV6Packet.newPacket(buf, off, len) : null;
    }

    // ---- TCP / UDP conversations -----------------------------------------------------------------

    private Conv conv(String source, String proto, InetAddress src, int sport, InetAddress dst, int dport,
                      long ts, boolean reverseIfNew) {
        FlowKey k = new FlowKey(source, proto, src, sport, dst, dport);
        Conv c = conversations.get(k);
        if (c != null) {
            return c;
        }
        FlowKey r = k.reverse();
        c = conversations.get(r);
        if (c != null) {
            return c;
        }
        if (conversations.size() >= maxFlows) {
            capped = true;
            untracked++;
            return null;
        }
        c = new Conv(reverseIfNew ? r : k, ts);
        conversations.put(c.key, c);
        return c;
    }

    private void tcp(String source, long ts, int bytes, InetAddress src, InetAddress dst, TcpPacket tcp) {
        TcpPacket.TcpHeader h = tcp.getHeader();
        int sport = h.getSrcPort().valueAsInt();
        int dport = h.getDstPort().valueAsInt();
        boolean syn = h.getSyn();
        boolean ack = h.getAck();
        Conv c = conv(source, "TCP", src, sport, dst, dport, ts, syn && ack);
        if (c == null) {
            return;
        }
        boolean fromClient = c.key.src.equals(src) && c.key.sport == sport;
        c.packets++;
        c.bytes += bytes;
        if (syn && !ack && fromClient) {
            c.syns++;
        }
        if (syn && ack && !fromClient) {
            c.synAcked = true;
        }
        if (h.getRst()) {
            if (fromClient) {
                c.rstFromClient++;
            } else {
                c.rstFromServer++;
            }
        }
        int payload = tcp.getPayload() == null ? 0 : tcp.getPayload().length();
        if (payload > 0 && !syn) {
            long seg = (h.getSequenceNumberAsLong() << 32) | payload;
            long[] ring = fromClient ? c.ringClient() : c.ringServer();
            int n = (int) Math.min(fromClient ? c.segClient : c.segServer, RING);
            boolean seen = false;
            for (int i = 0; i < n; i++) {
                if (ring[i] == seg) {
                    seen = true;
                    break;
                }
            }
            if (seen) {
                c.retransmissions++;
            } else if (fromClient) {
                ring[(int) (c.segClient++ % RING)] = seg;
            } else {
                ring[(int) (c.segServer++ % RING)] = seg;
            }
        }
    }

    private void udp(String source, long ts, int bytes, InetAddress src, InetAddress dst, UdpPacket udp) {
        int sport = udp.getHeader().getSrcPort().valueAsInt();
        int dport = udp.getHeader().getDstPort().valueAsInt();
        Conv c = conv(source, "UDP", src, sport, dst, dport, ts, false);
        if (c != null) {
            c.packets++;
            c.bytes += bytes;
        }
        if ((sport == 53 || dport == 53) && udp.getPayload() instanceof DnsPacket dns) {
            dns(source, ts, src, sport, dst, dport, dns);
        }
    }

    // ---- DNS ------------------------------------------------------------------------------------

    private void dns(String source, long ts, InetAddress src, int sport, InetAddress dst, int dport, DnsPacket dns) {
        DnsPacket.DnsHeader h = dns.getHeader();
        int id = h.getId() & 0xFFFF;
        List<DnsQuestion> qs = h.getQuestions();
        String name = qs == null || qs.isEmpty() ? "" : qs.get(0).getQName().getName();
        if (!h.isResponse()) {
            DnsKey k = new DnsKey(source, src, sport, dst, id);
            DnsPending p = dnsPending.get(k);
            if (p != null) {
                p.queries++;
            } else if (dnsPending.size() < maxFlows) {
                dnsPending.put(k, new DnsPending(name, ts));
            } else {
                capped = true;
                untracked++;
            }
            return;
        }
        dnsPending.remove(new DnsKey(source, dst, dport, src, id));
        int rcode = h.getrCode().value() & 0xFF;
        String rname = switch (rcode) {
            case 2 -> "SERVFAIL";
            case 3 -> "NXDOMAIN";
            case 5 -> "REFUSED";
            default -> null;
        };
        if (rname != null) {
            DnsErrorKey k = new DnsErrorKey(source, src.getHostAddress(), name, rname);
            long[] n = dnsErrors.get(k);
            if (n != null) {
                n[0]++;
            } else if (dnsErrors.size() < maxFlows) {
                dnsErrors.put(k, new long[] {1});
            } else {
                capped = true;
                untracked++;
            }
        }
    }

    // ---- ICMP -----------------------------------------------------------------------------------

    private void unreachable(String source, InetAddress reporter, boolean v6, int code, byte[] raw, int inner) {
        String proto = "";
        String dst = "";
        int port = 0;
        try {
            if (!v6 && raw.length >= inner + 20) {
                int ihl = (raw[inner] & 0x0F) * 4;
                int p = raw[inner + 9] & 0xFF;
                proto = protoName(p);
                dst = InetAddress.getByAddress(java.util.Arrays.copyOfRange(raw, inner + 16, inner + 20)).getHostAddress();
                if ((p == 6 || p == 17) && raw.length >= inner + ihl + 4) {
                    port = Bytes.u16BE(raw, inner + ihl + 2);
                }
            } else if (v6 && raw.length >= inner + 40) {
                int p = raw[inner + 6] & 0xFF;
                proto = protoName(p);
                dst = InetAddress.getByAddress(java.util.Arrays.copyOfRange(raw, inner + 24, inner + 40)).getHostAddress();
                if ((p == 6 || p == 17) && raw.length >= inner + 44) {
                    port = Bytes.u16BE(raw, inner + 42);
                }
            }
        } catch (UnknownHostException e) {
            // lengths are checked above; cannot happen
        }
        UnreachKey k = new UnreachKey(source, reporter.getHostAddress(), v6 ? "ICMPv6" : "ICMP", code, proto, dst, port);
        long[] n = unreachable.get(k);
        if (n != null) {
            n[0]++;
        } else if (unreachable.size() < maxFlows) {
            unreachable.put(k, new long[] {1});
        } else {
            capped = true;
            untracked++;
        }
    }

    private static String protoName(int p) {
        return switch (p) {
            case 6 -> "TCP";
            case 17 -> "UDP";
            case 1 -> "ICMP";
            case 58 -> "ICMPv6";
            default -> String.valueOf(p);
        };
    }

    static String unreachableCode(boolean v6, int code) {
        if (v6) {
            return switch (code) {
                case 0 -> "no route to destination";
                case 1 -> "administratively prohibited";
                case 2 -> "beyond scope of source address";
                case 3 -> "address unreachable";
                case 4 -> "port unreachable";
                case 5 -> "source address failed ingress/egress policy";
                case 6 -> "reject route to destination";
                default -> "code " + code;
            };
        }
        return switch (code) {
            case 0 -> "network unreachable";
            case 1 -> "host unreachable";
            case 2 -> "protocol unreachable";
            case 3 -> "port unreachable";
            case 4 -> "fragmentation needed";
            case 5 -> "source route failed";
            case 6 -> "destination network unknown";
            case 7 -> "destination host unknown";
            case 9 -> "network administratively prohibited";
            case 10 -> "host administratively prohibited";
            case 13 -> "communication administratively prohibited";
            default -> "code " + code;
        };
    }

    // ---- report ---------------------------------------------------------------------------------

    /** A snapshot of everything counted so far (may be called again later). */
    public Report report() {
        List<SourceStats> src = new ArrayList<>();
        for (SourceCounter s : sources.values()) {
            src.add(new SourceStats(s.name, s.packets, s.bytes, s.notIp));
        }
        List<Conv> all = new ArrayList<>(conversations.values());
        List<Conversation> top = top(all, c -> true, c -> c.bytes, TOP_CONVERSATIONS);
        List<Conv> syns = all.stream().filter(c -> c.syns > 0 && !c.synAcked && c.rstFromServer == 0).toList();
        List<UnansweredSyn> unanswered = syns.stream()
                .sorted(Comparator.comparingLong((Conv c) -> -c.syns).thenComparingLong(c -> c.firstTs))
                .limit(MAX_LISTED)
                .map(c -> new UnansweredSyn(c.key.source, c.key.src.getHostAddress(), c.key.sport,
                        c.key.dst.getHostAddress(), c.key.dport, c.syns, iso(c.firstTs)))
                .toList();
        List<Conversation> resets = top(all, c -> c.rstFromClient + c.rstFromServer > 0,
                c -> c.rstFromClient + c.rstFromServer, MAX_LISTED);
        long rstTotal = all.stream().mapToLong(c -> c.rstFromClient + c.rstFromServer).sum();
        List<Conversation> retrans = top(all, c -> c.retransmissions > 0, c -> c.retransmissions, TOP_CONVERSATIONS);
        long retransTotal = all.stream().mapToLong(c -> c.retransmissions).sum();

        List<Unreachable> unr = unreachable.entrySet().stream()
                .sorted(Comparator.comparingLong(e -> -e.getValue()[0]))
                .limit(MAX_LISTED)
                .map(e -> {
                    UnreachKey k = e.getKey();
                    return new Unreachable(k.source, k.reportedBy, k.icmp, k.code,
                            unreachableCode(k.icmp.equals("ICMPv6"), k.code), k.protocol, k.destination, k.port, e.getValue()[0]);
                })
                .toList();
        List<DnsError> de = dnsErrors.entrySet().stream()
                .sorted(Comparator.comparingLong(e -> -e.getValue()[0]))
                .limit(MAX_LISTED)
                .map(e -> new DnsError(e.getKey().source, e.getKey().server, e.getKey().name, e.getKey().rcode, e.getValue()[0]))
                .toList();
        List<DnsUnanswered> du = dnsPending.entrySet().stream()
                .sorted(Comparator.comparingLong(e -> e.getValue().firstTs))
                .limit(MAX_LISTED)
                .map(e -> new DnsUnanswered(e.getKey().source, e.getKey().client.getHostAddress(), e.getKey().clientPort,
                        e.getKey().server.getHostAddress(), e.getValue().name, e.getValue().queries, iso(e.getValue().firstTs)))
                .toList();
        List<String> notes = new ArrayList<>();
        if (capped) {
            notes.add("tables capped at " + maxFlows + " entries; " + untracked + " packets of newer flows/queries were not tracked");
        }
        return new Report(src, conversations.size(), top, syns.size(), unanswered, rstTotal, resets, retransTotal, retrans,
                unreachable.values().stream().mapToLong(v -> v[0]).sum(), unr,
                dnsErrors.values().stream().mapToLong(v -> v[0]).sum(), de, dnsPending.size(), du,
                new Limits(maxFlows, capped, untracked), notes);
    }

    private static List<Conversation> top(List<Conv> all, java.util.function.Predicate<Conv> filter,
                                          ToLongFunction<Conv> by, int n) {
        return all.stream().filter(filter)
                .sorted(Comparator.comparingLong((Conv c) -> -by.applyAsLong(c)).thenComparingLong(c -> -c.packets)
                        .thenComparingLong(c -> c.firstTs))
                .limit(n)
                .map(TrafficSummary::view)
                .toList();
    }

    private static Conversation view(Conv c) {
        return new Conversation(c.key.source, c.key.proto, c.key.src.getHostAddress(), c.key.sport,
                c.key.dst.getHostAddress(), c.key.dport, c.packets, c.bytes, c.rstFromClient, c.rstFromServer,
                c.retransmissions, iso(c.firstTs));
    }

    private static String iso(long tsNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(tsNanos, 1_000_000_000L), Math.floorMod(tsNanos, 1_000_000_000L)).toString();
    }

    // ---- report records (JSON-serializable with Jackson) ------------------------------------------

    /** The whole summary; lists are sorted (worst first) and capped at 10 (top lists) or 50 entries, totals are not. */
    public record Report(List<SourceStats> sources, int conversationCount, List<Conversation> topConversations,
                         int unansweredSynCount, List<UnansweredSyn> unansweredSyns,
                         long resetCount, List<Conversation> resets,
                         long retransmissionCount, List<Conversation> retransmissions,
                         long unreachableCount, List<Unreachable> unreachable,
                         long dnsErrorCount, List<DnsError> dnsErrors,
                         int dnsUnansweredCount, List<DnsUnanswered> dnsUnanswered,
                         Limits limits, List<String> notes) {
    }

    /**
     * @param bytes wire bytes (origLen) when known, else captured bytes
     * @param notIp frames that were not IPv4/IPv6 (ARP, …), of an unknown link type, or undecodable
     */
    public record SourceStats(String source, long packets, long bytes, long notIp) {
    }

    /** A TCP/UDP conversation; the client is the side that sent the SYN, or the first packet seen. */
    public record Conversation(String source, String protocol, String client, int clientPort, String server,
                               int serverPort, long packets, long bytes, long resetsFromClient, long resetsFromServer,
                               long retransmissions, String firstSeen) {
    }

    /** @param synPackets SYNs sent (the first one and the kernel's retries) with no SYN-ACK back */
    public record UnansweredSyn(String source, String client, int clientPort, String server, int serverPort,
                                long synPackets, String firstSeen) {
    }

    /**
     * ICMP type 3 / ICMPv6 type 1, grouped by who reported it and the quoted packet's destination.
     * @param icmp "ICMP" or "ICMPv6"; {@code protocol}, {@code destination}, {@code port}: of the quoted packet
     */
    public record Unreachable(String source, String reportedBy, String icmp, int code, String reason, String protocol,
                              String destination, int port, long count) {
    }

    /** @param rcode NXDOMAIN, SERVFAIL or REFUSED; {@code name}: the question */
    public record DnsError(String source, String server, String name, String rcode, long count) {
    }

    /** @param queries how many times the query (same client port and id) was sent */
    public record DnsUnanswered(String source, String client, int clientPort, String server, String name,
                                long queries, String firstSeen) {
    }

    /** @param capped true when a table was full and newer entries were not tracked */
    public record Limits(int maxFlows, boolean capped, long untrackedPackets) {
    }

    // ---- internal state -------------------------------------------------------------------------

    private static final class SourceCounter {
        final String name;
        long packets;
        long bytes;
        long notIp;

        SourceCounter(String name) {
            this.name = name;
        }
    }

    private record FlowKey(String source, String proto, InetAddress src, int sport, InetAddress dst, int dport) {
        FlowKey reverse() {
            return new FlowKey(source, proto, dst, dport, src, sport);
        }
    }

    private static final class Conv {
        final FlowKey key;
        final long firstTs;
        long packets;
        long bytes;
        long syns;
        boolean synAcked;
        long rstFromClient;
        long rstFromServer;
        long retransmissions;
        long[] ringC;
        long[] ringS;
        long segClient;
        long segServer;

        Conv(FlowKey key, long firstTs) {
            this.key = key;
            this.firstTs = firstTs;
        }

        long[] ringClient() {
            if (ringC == null) {
                ringC = new long[RING];
            }
            return ringC;
        }

        long[] ringServer() {
            if (ringS == null) {
                ringS = new long[RING];
            }
            return ringS;
        }
    }

    private record DnsKey(String source, InetAddress client, int clientPort, InetAddress server, int id) {
    }

    private static final class DnsPending {
        final String name;
        final long firstTs;
        long queries = 1;

        DnsPending(String name, long firstTs) {
            this.name = name;
            this.firstTs = firstTs;
        }
    }

    private record DnsErrorKey(String source, String server, String name, String rcode) {
    }

    private record UnreachKey(String source, String reportedBy, String icmp, int code, String protocol,
                              String destination, int port) {
    }
}
