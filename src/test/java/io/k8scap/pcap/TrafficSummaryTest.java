package io.k8scap.pcap;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

/** Decodes the real captures recorded by record-traffic.sh (see its header for what was sent). */
class TrafficSummaryTest {

    static TrafficSummary.Report summarize(String file, String source, TrafficSummary s) throws IOException {
        byte[] f = PcapFiles.resource(file);
        int[] linkType = new int[1];
        PcapStreamParser p = new PcapStreamParser(new PcapStreamParser.Listener() {
            @Override
            public void header(PcapHeader h) {
                linkType[0] = h.linkType();
            }

            @Override
            public void record(long ts, int capLen, int origLen, byte[] buf, int off, int len) {
                s.accept(source, linkType[0], ts, origLen, buf, off + 16, capLen);
            }
        });
        PcapFiles.feed(p, f, 8192);
        return s.report();
    }

    static TrafficSummary.Report summarize(String file) throws IOException {
        return summarize(file, "lab/a", new TrafficSummary());
    }

    /**
     * eth.pcap: Ethernet in namespace A (client side, 10.99.77.1); sll2-nanos.pcap: -i any in A (which also
     * sees the tun device's traffic); sll.pcap: -i any in B. The IPv6 MLD reports (ICMPv6 behind a hop-by-hop
     * header) must not count as unreachable.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"eth.pcap", "sll2-nanos.pcap", "sll.pcap"})
    void findsWhatWasBrokenOnPurpose(String file) throws IOException {
        TrafficSummary.Report r = summarize(file);

        assertThat(r.sources()).singleElement().satisfies(s -> {
            assertThat(s.source()).isEqualTo("lab/a");
            assertThat(s.packets()).isEqualTo(PcapFiles.walk(PcapFiles.resource(file)).size());
            assertThat(s.notIp()).isEqualTo(2); // the ARP request and reply (tshark -Y arp)
        });
        // SYN to 8081, dropped by nft in B: sent twice (the kernel's retry), never answered
        assertThat(r.unansweredSyns()).singleElement().satisfies(u -> {
            assertThat(u.client()).isEqualTo("10.99.77.1");
            assertThat(u.server()).isEqualTo("10.99.77.2");
            assertThat(u.serverPort()).isEqualTo(8081);
            assertThat(u.synPackets()).isEqualTo(2);
        });
        // connect to closed port 9: RST from the server
        assertThat(r.resets()).singleElement().satisfies(c -> {
            assertThat(c.serverPort()).isEqualTo(9);
            assertThat(c.resetsFromServer()).isEqualTo(1);
            assertThat(c.resetsFromClient()).isZero();
        });
        assertThat(r.resetCount()).isEqualTo(1);
        // UDP to closed port 7777 over IPv4 and IPv6
        assertThat(r.unreachable()).filteredOn(u -> !u.destination().equals("10.99.79.1")).extracting(TrafficSummary.Unreachable::icmp, TrafficSummary.Unreachable::code,
                        TrafficSummary.Unreachable::reason, TrafficSummary.Unreachable::reportedBy,
                        TrafficSummary.Unreachable::protocol, TrafficSummary.Unreachable::destination,
                        TrafficSummary.Unreachable::port, TrafficSummary.Unreachable::count)
                .containsExactlyInAnyOrder(
                        tuple("ICMP", 3, "port unreachable", "10.99.77.2", "UDP", "10.99.77.2", 7777, 1L),
                        tuple("ICMPv6", 4, "port unreachable", "fd00:9977:0:0:0:0:0:2", "UDP", "fd00:9977:0:0:0:0:0:2", 7777, 1L));
        // fake DNS: NXDOMAIN, SERVFAIL, REFUSED; silent.k8scap.test never answered; ok.k8scap.test fine
        assertThat(r.dnsErrors()).extracting(TrafficSummary.DnsError::name, TrafficSummary.DnsError::rcode,
                        TrafficSummary.DnsError::server, TrafficSummary.DnsError::count)
                .containsExactlyInAnyOrder(
                        tuple("nx.k8scap.test", "NXDOMAIN", "10.99.77.2", 1L),
                        tuple("fail.k8scap.test", "SERVFAIL", "10.99.77.2", 1L),
                        tuple("refused.k8scap.test", "REFUSED", "10.99.77.2", 1L));
        assertThat(r.dnsUnanswered()).singleElement().satisfies(d -> {
            assertThat(d.name()).isEqualTo("silent.k8scap.test");
            assertThat(d.client()).isEqualTo("10.99.77.1");
            assertThat(d.server()).isEqualTo("10.99.77.2");
            assertThat(d.queries()).isEqualTo(1);
        });
        // bulk transfer to 8082 with a third of the data segments dropped by nft in B
        assertThat(r.retransmissions()).isNotEmpty().allSatisfy(c -> assertThat(c.serverPort()).isEqualTo(8082));
        // by (seq, length) repeats: 401/400 sent 3 times, 10401/400 and 11601/400 twice each = 4 (tshark calls
        // two of them "out-of-order" and two "retransmission")
        assertThat(r.retransmissionCount()).isEqualTo(4);
        // biggest conversation first: the 8082 transfer (12 KB), then HTTP
        assertThat(r.topConversations()).extracting(TrafficSummary.Conversation::protocol,
                        TrafficSummary.Conversation::client, TrafficSummary.Conversation::serverPort)
                .startsWith(tuple("TCP", "10.99.77.1", 8082), tuple("TCP", "10.99.77.1", 8080));
        assertThat(r.limits().capped()).isFalse();
        assertThat(r.notes()).isEmpty();
    }

    @Test
    void rawIpCaptureFromATunDevice() throws IOException {
        TrafficSummary.Report r = summarize("rawip.pcap");
        assertThat(r.unreachable()).extracting(TrafficSummary.Unreachable::icmp, TrafficSummary.Unreachable::reportedBy,
                        TrafficSummary.Unreachable::destination, TrafficSummary.Unreachable::port,
                        TrafficSummary.Unreachable::count)
                .containsExactly(tuple("ICMP", "10.99.79.1", "10.99.79.1", 7777, 2L));
        assertThat(r.topConversations()).extracting(TrafficSummary.Conversation::client, TrafficSummary.Conversation::serverPort)
                .contains(tuple("10.99.79.2", 7777));
    }

    @Test
    void tablesAreCappedAndTheReportSaysSo() throws IOException {
        TrafficSummary.Report r = summarize("eth.pcap", "lab/a", new TrafficSummary(3));
        assertThat(r.conversationCount()).isEqualTo(3);
        assertThat(r.limits().capped()).isTrue();
        assertThat(r.limits().untrackedPackets()).isPositive();
        assertThat(r.notes()).singleElement().asString().contains("capped at 3 entries");
    }

    @Test
    void sourcesAreKeptApartAndTheReportSerializesToJson() throws IOException {
        TrafficSummary s = new TrafficSummary();
        summarize("eth.pcap", "lab/a", s);
        TrafficSummary.Report r = summarize("sll.pcap", "lab/b", s);
        assertThat(r.sources()).extracting(TrafficSummary.SourceStats::source).containsExactly("lab/a", "lab/b");
        assertThat(r.unansweredSyns()).extracting(TrafficSummary.UnansweredSyn::source).containsExactlyInAnyOrder("lab/a", "lab/b");
        String json = new ObjectMapper().writeValueAsString(r);
        assertThat(json).contains("\"rcode\":\"NXDOMAIN\"").contains("\"serverPort\":8081").contains("\"source\":\"lab/b\"");
    }

    @Test
    void garbageAndUnknownLinkTypesAreCountedNotThrown() {
        TrafficSummary s = new TrafficSummary();
        s.accept("x", 1, 0, new byte[] {1, 2, 3}, 0, 3);
        s.accept("x", 147, 0, new byte[40], 0, 40);
        s.accept("x", 276, 0, new byte[10], 0, 10);
        assertThat(s.report().sources()).singleElement().satisfies(st -> {
            assertThat(st.packets()).isEqualTo(3);
            assertThat(st.notIp()).isEqualTo(3);
        });
    }
}
