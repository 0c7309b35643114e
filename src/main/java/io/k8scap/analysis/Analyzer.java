package io.k8scap.analysis;

import io.k8scap.analysis.Analysis.Endpoint;
import io.k8scap.analysis.Analysis.Finding;
import io.k8scap.analysis.Analysis.Kind;
import io.k8scap.analysis.Analysis.Severity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What looks wrong in captured traffic, packet by packet, in bounded memory: the engine behind
 * {@code k8scap analyze} and {@code capture --summary}.
 *
 * <p>Frames are decoded by hand ({@link Decoder}: link types, tunnels, IP, TCP/UDP/ICMP). Per source (a pod in a
 * capture, a file or a file's interface in {@code analyze}; the same flow seen in two sources is two flows) it
 * tracks:
 * <ul>
 *   <li>TCP conversations with tshark's sequence analysis ({@link TcpSequence}): retransmissions (SYN and SYN-ACK
 *       included), fast retransmissions, duplicate ACKs, zero windows, out-of-order segments; resets split into
 *       refused (a RST from the server before any SYN-ACK: nothing listens) and reset mid-connection; SYN to SYN-ACK
 *       time; SYNs never answered;</li>
 *   <li>UDP conversations (packets and bytes);</li>
 *   <li>ICMP destination unreachable and fragmentation needed (ICMPv6 destination unreachable and packet too big)
 *       with the flow of the packet they quote; time exceeded is counted only (traceroute);</li>
 *   <li>DNS over UDP port 53: responses by rcode, error responses per question, queries never answered, query to
 *       response latency.</li>
 * </ul>
 * Memory is bounded: at most {@code maxFlows} (default {@value #DEFAULT_MAX_FLOWS}) TCP/UDP conversations, as many
 * pending DNS queries and as many DNS-error and ICMP rows; beyond that newer entries are not tracked and the report
 * says so. Frames that cannot be decoded are counted, never thrown. Not thread-safe: one thread feeds it.
 */
public final class Analyzer {
    public static final int DEFAULT_MAX_FLOWS = 100_000;
    /** At most this many findings of each kind are listed (the totals count all). */
    public static final int MAX_LISTED = 50;
    static final int TOP_CONVERSATIONS = 10;
    /** SYN to SYN-ACK at least this long is a slow handshake. */
    public static final long SLOW_HANDSHAKE_MS = 500;

    private final int maxFlows;
    private final Map<String, Src> sources = new LinkedHashMap<>();
    private final Map<FlowKey, Conv> flows = new HashMap<>();
    private final Map<DnsKey, DnsPending> dnsPending = new HashMap<>();
    private final Map<DnsErrorKey, DnsError> dnsErrors = new LinkedHashMap<>();
    private final Map<IcmpKey, IcmpRow> icmp = new LinkedHashMap<>();
    private final Map<String, Long> rcodes = new TreeMap<>();
    private final Decoder.Packet p = new Decoder.Packet();
    private final FlowKey probe = new FlowKey();
    private Src last;
    private boolean capped;
    private long untracked;
    private long dnsQueries, dnsResponses, icmpTimeExceeded;
    private long slowestDns = -1;
    private TcpListener tcpListener;

    /** Sees the analysis flags of every TCP segment (tests compare them with tshark's, frame by frame). */
    interface TcpListener {
        void segment(String source, long frame, int flags);
    }

    public Analyzer() {
        this(DEFAULT_MAX_FLOWS);
    }

    public Analyzer(int maxFlows) {
        if (maxFlows < 1) {
            throw new IllegalArgumentException("maxFlows must be >= 1");
        }
        this.maxFlows = maxFlows;
    }

    void tcpListener(TcpListener l) {
        this.tcpListener = l;
    }

    public int maxFlows() {
        return maxFlows;
    }

    /** One packet: {@code len} captured bytes at {@code buf[off]} (no record header), {@code len} bytes on the wire. */
    public void accept(String source, int linkType, long tsNanos, byte[] buf, int off, int len) {
        accept(source, linkType, tsNanos, len, buf, off, len);
    }

    /** One packet with its original (wire) length. */
    public void accept(String source, int linkType, long tsNanos, int origLen, byte[] buf, int off, int len) {
        Src s = last;
        if (s == null || !s.name.equals(source)) {
            s = sources.get(source);
            if (s == null) {
                s = new Src(source, sources.size(), linkType);
                sources.put(source, s);
            }
            last = s;
        }
        long frame = ++s.packets;
        s.bytes += origLen;
        Decoder.Result r = Decoder.decode(linkType, buf, off, len, p);
        if (p.tunnels != 0) {
            for (int t = 0; t < Decoder.TUNNEL_NAMES.length; t++) {
                if ((p.tunnels & (1 << t)) != 0) {
                    s.tunnels[t]++;
                }
            }
        }
        switch (r) {
            case OK -> {
            }
            case NOT_IP, UNKNOWN_LINK -> {
                s.notIp++;
                return;
            }
            case MALFORMED -> {
                s.malformed++;
                return;
            }
            case FRAGMENT -> {
                s.fragments++;
                return;
            }
        }
        switch (p.proto) {
            case 6 -> tcp(s, frame, tsNanos, origLen);
            case 17 -> udp(s, frame, tsNanos, origLen, buf);
            case 1 -> icmp(s, frame, tsNanos, false);
            case 58 -> icmp(s, frame, tsNanos, true);
            default -> {
            }
        }
    }

    // ---- conversations ------------------------------------------------------------------------

    /** The conversation of the decoded packet, created if new and there is room; null when the table is full. */
    private Conv conv(Src s, int proto, long ts, long frame) {
        probe.set(s.index, proto, p.srcHi, p.srcLo, p.sport, p.dstHi, p.dstLo, p.dport);
        Conv c = flows.get(probe);
        if (c != null) {
            return c;
        }
        if (flows.size() >= maxFlows) {
            capped = true;
            untracked++;
            return null;
        }
        FlowKey k = probe.copy();
        c = proto == 6 ? new TcpConv(k, s, ts) : new Conv(k, s, ts);
        // the client: the sender of the first packet seen (TCP corrects it on a SYN or SYN-ACK)
        c.clientIsA = probe.srcIsA;
        flows.put(k, c);
        return c;
    }

    private void tcp(Src s, long frame, long ts, int bytes) {
        Conv cv = conv(s, 6, ts, frame);
        if (cv == null) {
            return;
        }
        TcpConv c = (TcpConv) cv;
        boolean fromA = probe.srcIsA;
        c.packets++;
        c.bytes += bytes;
        int flags = p.flags;
        if (c.seq.isPortReuse(fromA, flags, p.seq)) {
            c.endAttempt();
            c.seq.clear();
        }
        int ta = c.seq.segment(fromA, p.seq, p.ack, p.seglen, flags, p.window, p.wscale, ts);
        if (tcpListener != null) {
            tcpListener.segment(s.name, frame, ta);
        }
        boolean syn = (flags & Decoder.SYN) != 0;
        boolean ack = (flags & Decoder.ACK) != 0;
        if (syn && !ack) {
            if (!c.synSeen) {
                c.synSeen = true;
                c.synTs = ts;
                c.firstSynFrame = frame;
                c.clientIsA = fromA;
            }
            c.synPackets++;
        } else if (syn) {
            if (!c.synAckSeen) {
                c.synAckSeen = true;
                if (!c.synSeen) {
                    c.clientIsA = !fromA;
                } else {
                    long h = ts - c.synTs;
                    c.handshakeNanos = h;
                    s.handshakes++;
                    if (h >= SLOW_HANDSHAKE_MS * 1_000_000L) {
                        c.mark(Kind.slow_handshake, frame, ts);
                    }
                }
            }
        }
        boolean fromClient = fromA == c.clientIsA;
        if ((flags & Decoder.RST) != 0) {
            if (!fromClient && c.synSeen && !c.synAckSeen) {
                c.refused++;
                c.attemptRefused = true;
                c.mark(Kind.refused, frame, ts);
            } else {
                if (fromClient) {
                    c.rstFromClient++;
                } else {
                    c.rstFromServer++;
                }
                c.mark(Kind.reset, frame, ts);
            }
        }
        if (ta == 0) {
            return;
        }
        if ((ta & TcpSequence.RETRANSMISSION) != 0 || (ta & TcpSequence.SPURIOUS_RETRANSMISSION) != 0) {
            c.retransmissions++;
            if ((ta & TcpSequence.FAST_RETRANSMISSION) != 0) {
                c.fastRetransmissions++;
            }
            if (syn) {
                c.synRetransmissions++;
            }
            c.mark(Kind.retransmission, frame, ts);
        }
        if ((ta & TcpSequence.DUPLICATE_ACK) != 0) {
            c.duplicateAcks++;
            c.mark(Kind.duplicate_ack, frame, ts);
        }
        if ((ta & TcpSequence.ZERO_WINDOW) != 0) {
            c.zeroWindows++;
            c.mark(Kind.zero_window, frame, ts);
        }
        if ((ta & TcpSequence.OUT_OF_ORDER) != 0) {
            c.outOfOrder++;
            c.mark(Kind.out_of_order, frame, ts);
        }
    }

    private void udp(Src s, long frame, long ts, int bytes, byte[] buf) {
        Conv c = conv(s, 17, ts, frame);
        if (c != null) {
            c.packets++;
            c.bytes += bytes;
        }
        if ((p.sport == 53 || p.dport == 53) && p.payloadLen >= 12) {
            dns(s, frame, ts, buf, p.payloadOff, p.payloadLen);
        }
    }

    // ---- DNS ----------------------------------------------------------------------------------

    private void dns(Src s, long frame, long ts, byte[] b, int off, int len) {
        int id = Decoder.u16(b, off);
        int fl = Decoder.u16(b, off + 2);
        boolean response = (fl & 0x8000) != 0;
        if (((fl >>> 11) & 0xF) != 0) {
            return; // not a standard query (NOTIFY, UPDATE, …)
        }
        if (!response && p.dport != 53) {
            return;
        }
        if (response && p.sport != 53) {
            return;
        }
        int qd = Decoder.u16(b, off + 4);
        String name = "";
        int qtype = 0;
        if (qd > 0) {
            int[] at = {off + 12};
            name = DnsName.read(b, off, off + len, at);
            if (name == null) {
                s.malformed++;
                return;
            }
            if (at[0] + 2 <= off + len) {
                qtype = Decoder.u16(b, at[0]);
            }
        }
        if (!response) {
            dnsQueries++;
            DnsKey k = new DnsKey(s.index, p.srcHi, p.srcLo, p.sport, p.dstHi, p.dstLo, id);
            DnsPending q = dnsPending.get(k);
            if (q != null) {
                q.queries++;
            } else if (dnsPending.size() < maxFlows) {
                dnsPending.put(k, new DnsPending(s, name, qtype, ts, frame));
            } else {
                capped = true;
                untracked++;
            }
            return;
        }
        dnsResponses++;
        int rcode = fl & 0xF;
        String rname = DnsName.rcode(rcode);
        rcodes.merge(rname, 1L, Long::sum);
        DnsPending q = dnsPending.remove(new DnsKey(s.index, p.dstHi, p.dstLo, p.dport, p.srcHi, p.srcLo, id));
        long latency = q == null ? -1 : ts - q.firstTs;
        if (latency > slowestDns) {
            slowestDns = latency;
        }
        if (rcode == 0) {
            return;
        }
        DnsErrorKey k = new DnsErrorKey(s.index, Decoder.address(p.srcHi, p.srcLo), Decoder.address(p.dstHi, p.dstLo), name, rname);
        DnsError e = dnsErrors.get(k);
        if (e == null) {
            if (dnsErrors.size() >= maxFlows) {
                capped = true;
                untracked++;
                return;
            }
            e = new DnsError(s, frame, ts);
            dnsErrors.put(k, e);
        }
        e.count++;
        e.types.add(DnsName.type(qtype));
        e.maxLatency = Math.max(e.maxLatency, latency);
    }

    // ---- ICMP ---------------------------------------------------------------------------------

    private void icmp(Src s, long frame, long ts, boolean v6) {
        int type = p.icmpType;
        boolean unreachable = v6 ? type == 1 : type == 3 && p.icmpCode != 4;
        boolean fragNeeded = v6 ? type == 2 : type == 3 && p.icmpCode == 4;
        if (v6 ? type == 3 : type == 11) {
            icmpTimeExceeded++;
            return;
        }
        if (!unreachable && !fragNeeded) {
            return;
        }
        IcmpKey k = new IcmpKey(s.index, Decoder.address(p.srcHi, p.srcLo), v6, type, p.icmpCode, p.quoted ? p.qProto : -1,
                p.quoted ? Decoder.address(p.qsrcHi, p.qsrcLo) : null, p.qsport,
                p.quoted ? Decoder.address(p.qdstHi, p.qdstLo) : null, p.qdport);
        IcmpRow row = icmp.get(k);
        if (row == null) {
            if (icmp.size() >= maxFlows) {
                capped = true;
                untracked++;
                return;
            }
            row = new IcmpRow(s, frame, ts, fragNeeded ? p.mtu : -1);
            icmp.put(k, row);
        }
        row.count++;
    }

    // ---- report -------------------------------------------------------------------------------

    /** A snapshot of everything so far, with addresses unnamed. */
    public Analysis report() {
        return report(AddressNames.OFFLINE);
    }

    /** A snapshot of everything so far (may be called again later); {@code names} names the addresses. */
    public Analysis report(AddressNames names) {
        Map<Kind, List<Finding>> byKind = new EnumMap<>(Kind.class);
        Map<Kind, Long> countOf = new EnumMap<>(Kind.class);
        long retrans = 0, fast = 0, synRetrans = 0, dup = 0, zero = 0, ooo = 0, refused = 0, resets = 0, unanswered = 0;
        long tcpConvs = 0, udpConvs = 0, handshakes = 0;
        long slowestHandshake = -1;
        List<Conv> all = new ArrayList<>(flows.values());
        for (Conv cv : all) {
            if (!(cv instanceof TcpConv c)) {
                udpConvs++;
                continue;
            }
            tcpConvs++;
            retrans += c.retransmissions;
            fast += c.fastRetransmissions;
            synRetrans += c.synRetransmissions;
            dup += c.duplicateAcks;
            zero += c.zeroWindows;
            ooo += c.outOfOrder;
            refused += c.refused;
            resets += c.rstFromClient + c.rstFromServer;
            long unansweredAttempts = c.unansweredAttempts + (c.attemptUnanswered() ? 1 : 0);
            long unansweredSyns = c.unansweredSynPackets + (c.attemptUnanswered() ? c.synPackets : 0);
            unanswered += unansweredAttempts;
            if (c.handshakeNanos >= 0) {
                handshakes++;
                slowestHandshake = Math.max(slowestHandshake, c.handshakeNanos);
            }
            if (unansweredAttempts > 0) {
                c.mark(Kind.unanswered_syn, c.synFrame(), c.synTs);
            }
            if (c.marks == null) {
                continue;
            }
            Analysis.Tcp t = new Analysis.Tcp(c.packets, c.retransmissions, c.fastRetransmissions, c.synRetransmissions,
                    c.duplicateAcks, c.zeroWindows, c.outOfOrder, c.refused, c.rstFromClient, c.rstFromServer,
                    unansweredAttempts, c.handshakeNanos < 0 ? null : ms(c.handshakeNanos));
            for (Kind k : Kind.values()) {
                long[] m = c.marks.get(k);
                if (m == null) {
                    continue;
                }
                long n = switch (k) {
                    case refused -> c.refused;
                    case reset -> c.rstFromClient + c.rstFromServer;
                    case retransmission -> c.retransmissions;
                    case duplicate_ack -> c.duplicateAcks;
                    case zero_window -> c.zeroWindows;
                    case out_of_order -> c.outOfOrder;
                    case unanswered_syn -> unansweredSyns;
                    default -> 1;
                };
                add(byKind, countOf, new Finding(k, severity(k), c.src.name, "TCP", client(c, names), server(c, names), n, m[0],
                        iso(m[1]), tcpDetail(k, c, t), t, null, null));
            }
        }
        for (Map.Entry<IcmpKey, IcmpRow> e : icmp.entrySet()) {
            IcmpKey k = e.getKey();
            IcmpRow r = e.getValue();
            Kind kind = (k.v6 ? k.type == 2 : k.code == 4) ? Kind.fragmentation_needed : Kind.icmp_unreachable;
            String reason = IcmpText.reason(k.v6, k.type, k.code);
            String qp = k.qProto < 0 ? null : IcmpText.protocol(k.qProto);
            Analysis.Icmp i = new Analysis.Icmp(k.type, k.code, reason, endpoint(k.reporter, 0, names), qp,
                    r.mtu >= 0 ? r.mtu : null);
            String detail = reason + (qp == null ? "" : " for " + qp + " " + k.qdst + (k.qdport > 0 ? ":" + k.qdport : ""))
                    + ", reported by " + k.reporter + (r.mtu > 0 ? " (MTU " + r.mtu + ")" : "");
            add(byKind, countOf, new Finding(kind, Severity.error, r.src.name, k.v6 ? "ICMPv6" : "ICMP",
                    k.qsrc == null ? null : endpoint(k.qsrc, k.qsport, names),
                    k.qdst == null ? null : endpoint(k.qdst, k.qdport, names), r.count, r.frame, iso(r.ts), detail,
                    null, i, null));
        }
        long icmpUnreachable = countOf.getOrDefault(Kind.icmp_unreachable, 0L);
        long fragNeeded = countOf.getOrDefault(Kind.fragmentation_needed, 0L);
        for (Map.Entry<DnsErrorKey, DnsError> e : dnsErrors.entrySet()) {
            DnsErrorKey k = e.getKey();
            DnsError d = e.getValue();
            String types = String.join("/", d.types);
            Analysis.Dns dns = new Analysis.Dns(k.name, types, k.rcode, d.maxLatency < 0 ? null : ms(d.maxLatency));
            add(byKind, countOf, new Finding(Kind.dns_error, Severity.error, d.src.name, "DNS", endpoint(k.client, 0, names),
                    endpoint(k.server, 53, names), d.count, d.frame, iso(d.ts),
                    k.rcode + " for " + types + " " + k.name + " from " + k.server, null, null, dns));
        }
        // unanswered queries: grouped by client, server and question
        Map<List<Object>, long[]> groups = new LinkedHashMap<>();
        Map<List<Object>, DnsPending> firstOf = new HashMap<>();
        List<Map.Entry<DnsKey, DnsPending>> pending = new ArrayList<>(dnsPending.entrySet());
        pending.sort(Comparator.comparingLong(en -> en.getValue().firstTs));
        for (Map.Entry<DnsKey, DnsPending> en : pending) {
            DnsKey k = en.getKey();
            DnsPending q = en.getValue();
            List<Object> g = List.of(k.source, Decoder.address(k.cHi, k.cLo), Decoder.address(k.sHi, k.sLo), q.name, q.type);
            groups.computeIfAbsent(g, x -> new long[1])[0] += q.queries;
            firstOf.putIfAbsent(g, q);
        }
        for (Map.Entry<List<Object>, long[]> en : groups.entrySet()) {
            List<Object> g = en.getKey();
            DnsPending q = firstOf.get(g);
            String type = DnsName.type(q.type);
            add(byKind, countOf, new Finding(Kind.dns_unanswered, Severity.error, q.src.name, "DNS",
                    endpoint((String) g.get(1), 0, names), endpoint((String) g.get(2), 53, names), en.getValue()[0], q.frame,
                    iso(q.firstTs), "no response to " + type + " " + q.name + " sent to " + g.get(2)
                            + " (" + en.getValue()[0] + (en.getValue()[0] == 1 ? " query)" : " queries)"),
                    null, null, new Analysis.Dns(q.name, type, null, null)));
        }

        List<Finding> findings = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Kind k : Kind.values()) {
            List<Finding> l = byKind.get(k);
            if (l == null) {
                continue;
            }
            l.sort(Comparator.comparingLong((Finding f) -> -f.count()).thenComparing(Finding::source)
                    .thenComparingLong(Finding::firstFrame));
            if (l.size() > MAX_LISTED) {
                notes.add(l.size() + " " + k.name().replace('_', ' ') + " findings, the first " + MAX_LISTED + " listed");
            }
            findings.addAll(l.subList(0, Math.min(MAX_LISTED, l.size())));
        }
        findings.sort(Comparator.comparing((Finding f) -> f.severity()).thenComparing(f -> f.kind()));

        List<Analysis.Conversation> top = all.stream()
                .sorted(Comparator.comparingLong((Conv c) -> -c.bytes).thenComparingLong(c -> -c.packets)
                        .thenComparingLong(c -> c.firstTs))
                .limit(TOP_CONVERSATIONS)
                .map(c -> new Analysis.Conversation(c.src.name, c instanceof TcpConv ? "TCP" : "UDP", client(c, names),
                        server(c, names), c.packets, c.bytes, iso(c.firstTs)))
                .toList();

        long packets = 0;
        List<Analysis.Source> srcs = new ArrayList<>();
        long fragments = 0;
        for (Src s : sources.values()) {
            packets += s.packets;
            fragments += s.fragments;
            Map<String, Long> tun = new LinkedHashMap<>();
            for (int t = 0; t < Decoder.TUNNEL_NAMES.length; t++) {
                if (s.tunnels[t] > 0) {
                    tun.put(Decoder.TUNNEL_NAMES[t], s.tunnels[t]);
                }
            }
            srcs.add(new Analysis.Source(s.name, s.linkType, s.packets, s.bytes, s.notIp, s.malformed, s.fragments, tun));
        }
        if (capped) {
            notes.add(0, "tables capped at " + maxFlows + " entries each; " + untracked
                    + " packets of newer flows and queries were not tracked");
        }
        if (fragments > 0) {
            notes.add(fragments + " IP fragments were counted but not reassembled");
        }
        long dnsUnanswered = dnsPending.size();
        Analysis.Totals totals = new Analysis.Totals(packets, tcpConvs, udpConvs, retrans, fast, synRetrans, dup, zero, ooo,
                refused, resets, unanswered, handshakes, slowestHandshake < 0 ? null : ms(slowestHandshake),
                icmpUnreachable, fragNeeded, icmpTimeExceeded, dnsQueries, dnsResponses, new TreeMap<>(rcodes),
                dnsUnanswered, slowestDns < 0 ? null : ms(slowestDns));
        return new Analysis(srcs, totals, findings, top, new Analysis.Limits(maxFlows, capped, untracked), notes);
    }

    private static void add(Map<Kind, List<Finding>> byKind, Map<Kind, Long> countOf, Finding f) {
        byKind.computeIfAbsent(f.kind(), x -> new ArrayList<>()).add(f);
        countOf.merge(f.kind(), f.count(), Long::sum);
    }

    static Severity severity(Kind k) {
        return switch (k) {
            case duplicate_ack, out_of_order, slow_handshake -> Severity.warning;
            default -> Severity.error;
        };
    }

    private static String tcpDetail(Kind k, TcpConv c, Analysis.Tcp t) {
        return switch (k) {
            case refused -> "connection refused: RST in answer to the SYN" + (c.refused > 1 ? " (" + c.refused + " times)" : "");
            case unanswered_syn -> "SYN never answered (" + plural(t.unansweredSyns() == 1 ? c.synPacketsUnanswered() : t.unansweredSyns(),
                    t.unansweredSyns() == 1 ? "SYN" : "connection attempt") + ")";
            case reset -> "reset mid-connection: " + c.rstFromServer + " RST from the server, " + c.rstFromClient + " from the client";
            case retransmission -> plural(c.retransmissions, "retransmission")
                    + (c.fastRetransmissions > 0 ? ", " + c.fastRetransmissions + " fast" : "")
                    + (c.synRetransmissions > 0 ? ", " + c.synRetransmissions + " of the SYN/SYN-ACK" : "");
            case duplicate_ack -> plural(c.duplicateAcks, "duplicate ACK");
            case zero_window -> plural(c.zeroWindows, "zero window") + " advertised";
            case out_of_order -> plural(c.outOfOrder, "out-of-order segment");
            case slow_handshake -> String.format(java.util.Locale.ROOT, "SYN to SYN-ACK took %.0f ms", t.handshakeMs());
            default -> "";
        };
    }

    private static String plural(long n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }

    private static Endpoint client(Conv c, AddressNames names) {
        return c.clientIsA ? endpoint(c.key.aHi, c.key.aLo, c.key.aPort, names) : endpoint(c.key.bHi, c.key.bLo, c.key.bPort, names);
    }

    private static Endpoint server(Conv c, AddressNames names) {
        return c.clientIsA ? endpoint(c.key.bHi, c.key.bLo, c.key.bPort, names) : endpoint(c.key.aHi, c.key.aLo, c.key.aPort, names);
    }

    private static Endpoint endpoint(long hi, long lo, int port, AddressNames names) {
        return endpoint(Decoder.address(hi, lo), port, names);
    }

    private static Endpoint endpoint(String address, int port, AddressNames names) {
        return new Endpoint(address, port, names.name(address, port));
    }

    private static Double ms(long nanos) {
        return Math.round(nanos / 1000.0) / 1000.0;
    }

    static String iso(long tsNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(tsNanos, 1_000_000_000L), Math.floorMod(tsNanos, 1_000_000_000L)).toString();
    }

    // ---- state --------------------------------------------------------------------------------

    private static final class Src {
        final String name;
        final int index;
        final int linkType;
        long packets, bytes, notIp, malformed, fragments, handshakes;
        final long[] tunnels = new long[Decoder.TUNNEL_NAMES.length];

        Src(String name, int index, int linkType) {
            this.name = name;
            this.index = index;
            this.linkType = linkType;
        }
    }

    /**
     * A flow's key, direction-free: endpoint a is the lower (address, port). {@link #set} fills it from a packet
     * (and says in {@link #srcIsA} whether the sender is a), {@link #copy} makes the stored key.
     */
    static final class FlowKey {
        int source, proto;
        long aHi, aLo, bHi, bLo;
        int aPort, bPort;
        int hash;
        boolean srcIsA;

        void set(int source, int proto, long sHi, long sLo, int sport, long dHi, long dLo, int dport) {
            this.source = source;
            this.proto = proto;
            int c = Long.compareUnsigned(sHi, dHi);
            if (c == 0) {
                c = Long.compareUnsigned(sLo, dLo);
            }
            if (c == 0) {
                c = Integer.compare(sport, dport);
            }
            srcIsA = c <= 0;
            if (srcIsA) {
                aHi = sHi; aLo = sLo; aPort = sport; bHi = dHi; bLo = dLo; bPort = dport;
            } else {
                aHi = dHi; aLo = dLo; aPort = dport; bHi = sHi; bLo = sLo; bPort = sport;
            }
            long h = aLo * 0x9E3779B97F4A7C15L ^ bLo * 0xC2B2AE3D27D4EB4FL ^ aHi * 31 ^ bHi * 17
                    ^ ((long) aPort << 16 | bPort) * 0x165667B19E3779F9L ^ proto ^ (long) source << 40;
            hash = (int) (h ^ (h >>> 32));
        }

        FlowKey copy() {
            FlowKey k = new FlowKey();
            k.source = source; k.proto = proto; k.aHi = aHi; k.aLo = aLo; k.bHi = bHi; k.bLo = bLo;
            k.aPort = aPort; k.bPort = bPort; k.hash = hash;
            return k;
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof FlowKey k && k.hash == hash && k.aLo == aLo && k.bLo == bLo && k.aPort == aPort
                    && k.bPort == bPort && k.aHi == aHi && k.bHi == bHi && k.proto == proto && k.source == source;
        }
    }

    private static class Conv {
        final FlowKey key;
        final Src src;
        final long firstTs;
        long packets, bytes;
        boolean clientIsA;

        Conv(FlowKey key, Src src, long firstTs) {
            this.key = key;
            this.src = src;
            this.firstTs = firstTs;
        }
    }

    private static final class TcpConv extends Conv {
        final TcpSequence seq = new TcpSequence();
        // this connection attempt (a port reuse starts another)
        boolean synSeen, synAckSeen, attemptRefused;
        long synTs;
        long synPackets;
        long firstSynFrame;
        // the flow's counters, over all attempts
        long unansweredAttempts, unansweredSynPackets;
        long handshakeNanos = -1;
        long retransmissions, fastRetransmissions, synRetransmissions, duplicateAcks, zeroWindows, outOfOrder;
        long refused, rstFromClient, rstFromServer;
        /** Per kind: {first frame, its time}; null until the flow has a finding. */
        EnumMap<Kind, long[]> marks;

        TcpConv(FlowKey key, Src src, long firstTs) {
            super(key, src, firstTs);
        }

        void mark(Kind k, long frame, long ts) {
            if (marks == null) {
                marks = new EnumMap<>(Kind.class);
            }
            marks.putIfAbsent(k, new long[] {frame, ts});
        }

        boolean attemptUnanswered() {
            return synSeen && !synAckSeen && !attemptRefused;
        }

        long synPacketsUnanswered() {
            return unansweredSynPackets + (attemptUnanswered() ? synPackets : 0);
        }

        long synFrame() {
            return firstSynFrame;
        }

        /** The SYN of a new connection on the same ports: close this attempt. */
        void endAttempt() {
            if (attemptUnanswered()) {
                unansweredAttempts++;
                unansweredSynPackets += synPackets;
                mark(Kind.unanswered_syn, firstSynFrame, synTs);
            }
            synSeen = synAckSeen = attemptRefused = false;
            synPackets = 0;
        }
    }

    private record DnsKey(int source, long cHi, long cLo, int cPort, long sHi, long sLo, int id) {
    }

    private static final class DnsPending {
        final Src src;
        final String name;
        final int type;
        final long firstTs, frame;
        long queries = 1;

        DnsPending(Src src, String name, int type, long firstTs, long frame) {
            this.src = src;
            this.name = name;
            this.type = type;
            this.firstTs = firstTs;
            this.frame = frame;
        }
    }

    private record DnsErrorKey(int source, String server, String client, String name, String rcode) {
    }

    private static final class DnsError {
        final Src src;
        final long frame, ts;
        long count;
        long maxLatency = -1;
        final TreeSet<String> types = new TreeSet<>();

        DnsError(Src src, long frame, long ts) {
            this.src = src;
            this.frame = frame;
            this.ts = ts;
        }
    }

    private record IcmpKey(int source, String reporter, boolean v6, int type, int code, int qProto, String qsrc, int qsport,
                           String qdst, int qdport) {
    }

    private static final class IcmpRow {
        final Src src;
        final long frame, ts;
        final int mtu;
        long count;

        IcmpRow(Src src, long frame, long ts, int mtu) {
            this.src = src;
            this.frame = frame;
            this.ts = ts;
            this.mtu = mtu;
        }
    }
}
