package io.k8scap.analysis;

import java.util.List;
import java.util.Map;

/**
 * What {@link Analyzer} found in captured traffic: the report behind {@code k8scap analyze} and
 * {@code capture --summary}, serialised as is for {@code -o json|yaml} (null fields are left out).
 *
 * <p>Findings are sorted: errors first, then by kind (the order of {@link Kind}), then by count; at most
 * {@link Analyzer#MAX_LISTED} per kind are listed, the totals count every one.
 *
 * @param sources           per capture source (a pod in {@code capture}; a file, or a file's interface, in {@code analyze})
 * @param totals            counts over everything, never capped
 * @param findings          what looks wrong, one entry per flow (or DNS question, or ICMP report) and kind
 * @param topConversations  the 10 biggest TCP/UDP conversations by bytes
 * @param limits            the table cap and what it left out
 * @param notes             sentences for people: tables capped, lists cut, fragments not reassembled
 */
public record Analysis(List<Source> sources, Totals totals, List<Finding> findings, List<Conversation> topConversations,
                       Limits limits, List<String> notes) {

    /** True when a finding is an error (exit status 7 for {@code analyze}); warnings alone are not. */
    public boolean problems() {
        return findings.stream().anyMatch(f -> f.severity() == Severity.error);
    }

    public enum Severity { error, warning }

    /** The kinds of finding, in the order a report shows them. */
    public enum Kind {
        /** TCP: RST from the server in answer to a SYN (nothing listens on that port, or a REJECT rule). */
        refused,
        /** TCP: SYNs with no SYN-ACK and no RST back within the capture. */
        unanswered_syn,
        /** ICMP destination unreachable (ICMPv6 type 1), with the packet it quotes. */
        icmp_unreachable,
        /** ICMP fragmentation needed (type 3 code 4) or ICMPv6 packet too big: an MTU problem. */
        fragmentation_needed,
        /** DNS responses with an error rcode (NXDOMAIN, SERVFAIL, REFUSED, …), per question and server. */
        dns_error,
        /** DNS queries with no response within the capture. */
        dns_unanswered,
        /** TCP: RST on an established connection (or one whose start the capture did not see). */
        reset,
        /** TCP retransmissions as tshark flags them ({@code tcp.analysis.retransmission}, fast ones included). */
        retransmission,
        /** TCP: the receiver advertised a zero window (its application does not read). */
        zero_window,
        /** TCP: SYN to SYN-ACK took at least {@link Analyzer#SLOW_HANDSHAKE_MS} ms. */
        slow_handshake,
        /** TCP duplicate ACKs (tshark's {@code tcp.analysis.duplicate_ack}): the receiver is missing a segment. */
        duplicate_ack,
        /** TCP segments tshark calls out-of-order ({@code tcp.analysis.out_of_order}). */
        out_of_order
    }

    /** An address, its port (0 when there is none), and what it is in the cluster (null offline). */
    public record Endpoint(String address, int port, String name) {
    }

    /**
     * One finding.
     *
     * @param source     the capture source it was seen in
     * @param protocol   TCP, UDP, ICMP, ICMPv6, DNS
     * @param client     the side that opened the flow (the SYN sender, the DNS client, the sender of the packet an ICMP error quotes)
     * @param server     the other side
     * @param count      packets of this kind (responses for dns_error, queries for dns_unanswered)
     * @param firstFrame the first such packet, numbered from 1 in its source (Wireshark's frame number for one file)
     * @param firstSeen  its time, ISO-8601 UTC
     * @param detail     one line for people
     * @param tcp        TCP counters of the flow, for TCP findings
     * @param icmp       the ICMP report, for icmp_unreachable and fragmentation_needed
     * @param dns        the DNS question, for dns_error and dns_unanswered
     */
    public record Finding(Kind kind, Severity severity, String source, String protocol, Endpoint client, Endpoint server,
                          long count, long firstFrame, String firstSeen, String detail, Tcp tcp, Icmp icmp, Dns dns) {
    }

    /**
     * The flow's TCP counters (the same on each of its findings).
     *
     * @param handshakeMs SYN (the first) to SYN-ACK, null when the capture saw no handshake
     */
    public record Tcp(long packets, long retransmissions, long fastRetransmissions, long synRetransmissions,
                      long duplicateAcks, long zeroWindows, long outOfOrder, long refused, long resetsFromClient,
                      long resetsFromServer, long unansweredSyns, Double handshakeMs) {
    }

    /**
     * @param reportedBy who sent the ICMP error (a router, the node, or the destination itself)
     * @param quotedProtocol the protocol of the quoted packet (its flow is the finding's client and server)
     * @param mtu        the next-hop MTU for fragmentation needed / packet too big, else null
     */
    public record Icmp(int type, int code, String reason, Endpoint reportedBy, String quotedProtocol, Integer mtu) {
    }

    /**
     * @param rcode        NXDOMAIN, SERVFAIL, REFUSED, FORMERR, NOTIMP, … (null for unanswered)
     * @param maxLatencyMs the slowest query-to-response time among the counted responses (null for unanswered)
     */
    public record Dns(String name, String type, String rcode, Double maxLatencyMs) {
    }

    /**
     * @param bytes     wire bytes (original lengths) when known, else captured bytes
     * @param notIp     frames that are not IPv4/IPv6 (ARP, LLDP, …) or of a link type k8scap does not decode
     * @param malformed frames whose headers contradict each other or end before the transport header
     * @param fragments IP fragments (not reassembled: their transport header is not analysed)
     * @param tunnels   frames decoded through each tunnel kind (vxlan, geneve, ipip, gre, erspan)
     * @param linkType  the link type (the first one, for a pcapng source with several)
     */
    public record Source(String name, int linkType, long packets, long bytes, long notIp, long malformed, long fragments,
                         Map<String, Long> tunnels) {
    }

    /** Counts over all sources. {@code dnsRcodes}: responses by rcode name, NOERROR included. */
    public record Totals(long packets, long tcpConversations, long udpConversations,
                         long retransmissions, long fastRetransmissions, long synRetransmissions, long duplicateAcks,
                         long zeroWindows, long outOfOrder, long refused, long resets, long unansweredSyns,
                         long handshakes, Double slowestHandshakeMs,
                         long icmpUnreachable, long fragmentationNeeded, long icmpTimeExceeded,
                         long dnsQueries, long dnsResponses, Map<String, Long> dnsRcodes, long dnsUnanswered,
                         Double slowestDnsMs) {
    }

    /** A TCP/UDP conversation; the client is the side that sent the SYN, or the first packet seen. */
    public record Conversation(String source, String protocol, Endpoint client, Endpoint server, long packets, long bytes,
                               String firstSeen) {
    }

    /**
     * @param maxFlows         the cap on each table (TCP/UDP conversations, pending DNS queries, DNS and ICMP rows)
     * @param capped           a table was full, so newer flows were not tracked
     * @param untrackedPackets packets of flows/queries that found the table full
     */
    public record Limits(int maxFlows, boolean capped, long untrackedPackets) {
    }
}
