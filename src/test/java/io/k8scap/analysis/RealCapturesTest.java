package io.k8scap.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.k8scap.analysis.Analysis.Finding;
import io.k8scap.analysis.Analysis.Kind;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ground truth of ../shared/realdata/README.md, flow by flow (tshark agreement: TsharkAgreementLabTest). */
class RealCapturesTest {
    private static List<Finding> of(Analysis r, Kind k) {
        return r.findings().stream().filter(f -> f.kind() == k).toList();
    }

    @Test
    void refusedConnectionsAreTheSynsAnsweredByRst() throws IOException {
        Analysis r = RealCaptures.analyze(RealCaptures.file("of10_pf5240.pcap"));
        assertThat(of(r, Kind.refused)).extracting(f -> f.client().port(), f -> f.server().address(), f -> f.server().port(), Finding::firstFrame)
                .containsExactlyInAnyOrder(tuple(62224, "172.16.1.51", 6633, 2L), tuple(62216, "172.16.1.51", 6633, 48L));
        assertThat(r.totals().handshakes()).isEqualTo(1);
        Analysis nmap = RealCaptures.analyze(RealCaptures.file("zeek-nmap-vsn.pcap"));
        assertThat(of(nmap, Kind.refused)).extracting(f -> f.server().address() + ":" + f.server().port())
                .containsExactlyInAnyOrder("192.168.1.1:80", "192.168.1.50:80", "192.168.1.65:80", "192.168.1.65:80",
                        "192.168.1.65:443", "192.168.1.65:443");
        // the scanner's own RSTs after a SYN-ACK are resets, not refusals
        assertThat(of(nmap, Kind.reset)).hasSize(3).allSatisfy(f -> assertThat(f.tcp().resetsFromClient()).isEqualTo(1));
        assertThat(of(nmap, Kind.dns_error)).hasSize(6).allSatisfy(f -> assertThat(f.dns().rcode()).isEqualTo("NXDOMAIN"));
    }

    @Test
    void synRetransmissionsAndTheSlowHandshake() throws IOException {
        Analysis r = RealCaptures.analyze(RealCaptures.file("zeek-socks.pcap"));
        assertThat(of(r, Kind.retransmission)).singleElement().satisfies(f -> {
            assertThat(f.client()).isEqualTo(new Analysis.Endpoint("10.0.0.55", 53994, null));
            assertThat(f.server()).isEqualTo(new Analysis.Endpoint("60.190.189.214", 8124, null));
            assertThat(f.count()).isEqualTo(11);
            assertThat(f.tcp().synRetransmissions()).isEqualTo(6);
            assertThat(f.tcp().handshakeMs()).isBetween(9454.0, 9455.0);
        });
        assertThat(of(r, Kind.slow_handshake)).singleElement().extracting(Finding::firstFrame).isEqualTo(8L);
        assertThat(of(r, Kind.unanswered_syn)).isEmpty();
        assertThat(r.problems()).isTrue();
    }

    @Test
    void fastRetransmitAndPptpRetransmissionsNameTheirFlow() throws IOException {
        Analysis fast = RealCaptures.analyze(RealCaptures.file("zeek-tcp-retransmit-fast009.pcap"));
        assertThat(of(fast, Kind.retransmission)).singleElement().satisfies(f -> {
            assertThat(f.server()).isEqualTo(new Analysis.Endpoint("192.168.0.27", 80, null));
            assertThat(f.count()).isEqualTo(3);
            assertThat(f.tcp().fastRetransmissions()).isEqualTo(1);
            assertThat(f.firstFrame()).isEqualTo(32);
        });
        assertThat(of(fast, Kind.duplicate_ack)).singleElement().extracting(Finding::count).isEqualTo(5L);
        Analysis pptp = RealCaptures.analyze(RealCaptures.file("pptp.pcap"));
        assertThat(of(pptp, Kind.retransmission)).singleElement().satisfies(f -> {
            assertThat(f.client()).isEqualTo(new Analysis.Endpoint("10.1.1.11", 3025, null));
            assertThat(f.server()).isEqualTo(new Analysis.Endpoint("10.1.1.10", 1723, null));
            assertThat(f.count()).isEqualTo(4);
            assertThat(f.tcp().synRetransmissions()).isEqualTo(1); // the SYN-ACK, #3
        });
    }

    @Test
    void unansweredSynAndFragmentationNeeded() throws IOException {
        Analysis syn = RealCaptures.analyze(RealCaptures.file("zeek-tcp-syn.pcap"));
        assertThat(of(syn, Kind.unanswered_syn)).singleElement().satisfies(f -> {
            assertThat(f.client()).isEqualTo(new Analysis.Endpoint("141.142.228.5", 59856, null));
            assertThat(f.server()).isEqualTo(new Analysis.Endpoint("192.150.187.43", 80, null));
        });
        Analysis smtp = RealCaptures.analyze(RealCaptures.file("zeek-smtp.pcap"));
        assertThat(of(smtp, Kind.fragmentation_needed)).singleElement().satisfies(f -> {
            assertThat(f.count()).isEqualTo(4);
            assertThat(f.icmp().reportedBy().address()).isEqualTo("192.168.1.1");
            assertThat(f.client()).isEqualTo(new Analysis.Endpoint("10.10.1.4", 1470, null));
            assertThat(f.server()).isEqualTo(new Analysis.Endpoint("74.53.140.153", 25, null));
            assertThat(f.icmp().mtu()).isEqualTo(1492);
        });
        assertThat(of(smtp, Kind.retransmission)).extracting(Finding::count).containsExactly(4L, 2L);
    }

    @Test
    void icmpUnreachableWithTheQuotedFlow() throws IOException {
        Analysis afs = RealCaptures.analyze(RealCaptures.file("afs.pcap"));
        assertThat(of(afs, Kind.icmp_unreachable)).extracting(f -> f.icmp().reportedBy().address(), f -> f.server().port(), Finding::count)
                .containsExactlyInAnyOrder(tuple("131.151.32.21", 1792, 11L), tuple("131.151.32.21", 1799, 7L),
                        tuple("131.151.32.21", 1799, 5L), tuple("131.151.1.60", 4444, 2L));
        Analysis dhcp = RealCaptures.analyze(RealCaptures.file("dhcp-rfc4388.pcap"));
        assertThat(of(dhcp, Kind.icmp_unreachable)).extracting(f -> f.icmp().reason(), f -> f.server().address(), Finding::count)
                .containsExactlyInAnyOrder(tuple("host unreachable", "10.30.4.4", 2L), tuple("host unreachable", "10.50.4.4", 1L));
        Analysis trace = RealCaptures.analyze(RealCaptures.file("mpls-traceroute.pcap")); // PPP
        assertThat(of(trace, Kind.icmp_unreachable)).extracting(f -> f.server().port()).containsExactlyInAnyOrder(33441, 33442, 33443);
        assertThat(trace.totals().icmpTimeExceeded()).isEqualTo(6);
    }

    @Test
    void dnsErrorsInsideErspanAndTheSearchPath() throws IOException {
        Analysis r = RealCaptures.analyze(RealCaptures.file("zeek-erspan.pcap"));
        assertThat(r.sources().get(0).tunnels()).containsEntry("gre", 232L); // GRE transparent Ethernet (0x6558), as tshark decodes it
        assertThat(of(r, Kind.dns_error)).extracting(f -> f.dns().rcode(), f -> f.dns().name(), f -> f.dns().type(), Finding::count)
                .containsExactlyInAnyOrder(tuple("NXDOMAIN", "www.xkcd.com.sp.local", "A/AAAA", 2L),
                        tuple("SERVFAIL", "2.69.168.192.in-addr.arpa", "PTR", 1L), tuple("SERVFAIL", "www.xkcd.com", "A/AAAA", 2L));
        Analysis wiki = RealCaptures.analyze(RealCaptures.file("zeek-wikipedia.pcap"));
        assertThat(of(wiki, Kind.dns_error)).singleElement().satisfies(f -> {
            assertThat(f.dns().name()).isEqualTo("upload.wikimedia.org.ncsa.uiuc.edu");
            assertThat(f.count()).isEqualTo(4);
            assertThat(f.server().address()).isEqualTo("141.142.2.2");
        });
        assertThat(wiki.totals().dnsRcodes()).containsEntry("NOERROR", 10L); // the README's 12 count two mDNS replies (UDP 5353)
        assertThat(RealCaptures.analyze(RealCaptures.file("dns-uri.pcap")).findings()).singleElement()
                .satisfies(f -> assertThat(f.dns().name()).isEqualTo("_ftp.dns.test"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp-handshake-nano.pcap", "dns_udp.pcap"})
    void controlsHaveNothingWrong(String file) throws IOException {
        Analysis r = RealCaptures.analyze(RealCaptures.file(file));
        assertThat(r.findings()).isEmpty();
        assertThat(r.problems()).isFalse();
        assertThat(r.totals().packets()).isPositive();
    }

    @Test
    void theLabsOwnRecordingsOnEveryLinkTypeAgree() throws IOException {
        // eth.pcap (Ethernet), sll.pcap (Linux cooked v1), sll2-nanos.pcap (cooked v2, ns): the same traffic
        for (String f : List.of("eth.pcap", "sll.pcap", "sll2-nanos.pcap")) {
            Analysis r = RealCaptures.analyze(RealCaptures.resource(f));
            assertThat(of(r, Kind.refused)).as(f).extracting(x -> x.server().port()).containsExactly(9);
            assertThat(of(r, Kind.unanswered_syn)).as(f).extracting(x -> x.server().port(), Finding::count).containsExactly(tuple(8081, 2L));
            assertThat(of(r, Kind.dns_unanswered)).as(f).extracting(x -> x.dns().name()).containsExactly("silent.k8scap.test");
        }
        Analysis raw = RealCaptures.analyze(RealCaptures.resource("rawip.pcap"));
        assertThat(of(raw, Kind.icmp_unreachable)).extracting(x -> x.server().port(), Finding::count)
                .containsExactly(tuple(7777, 1L), tuple(7777, 1L)); // two client ports: two quoted flows
    }

    @Test
    void malformedFramesAreCountedNotThrown() {
        Analyzer a = new Analyzer();
        a.accept("x", 1, 0, new byte[] {1, 2, 3}, 0, 3);
        byte[] badIp = new byte[34];
        badIp[12] = 0x08;
        badIp[14] = 0x41; // IPv4 with a 4-byte header
        a.accept("x", 1, 0, badIp, 0, badIp.length);
        a.accept("x", 147, 0, new byte[40], 0, 40);
        assertThat(a.report().sources()).singleElement().satisfies(s -> {
            assertThat(s.packets()).isEqualTo(3);
            assertThat(s.malformed()).isEqualTo(2);
            assertThat(s.notIp()).isEqualTo(1);
        });
    }

    @Test
    void tablesAreCappedAndTheReportSaysSo() throws IOException {
        Analysis r = RealCaptures.analyze(RealCaptures.file("zeek-nmap-vsn.pcap"), new Analyzer(3));
        assertThat(r.totals().tcpConversations() + r.totals().udpConversations()).isEqualTo(3);
        assertThat(r.limits().capped()).isTrue();
        assertThat(r.notes().get(0)).contains("capped at 3 entries");
    }
}
