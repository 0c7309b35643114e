package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IptablesSaveParserTest {

    /** One real-shaped rule per variant, and the fields proxy-inspect must read out of it. */
    static Stream<Arguments> rules() {
        return Stream.of(
                Arguments.of("cluster IP, quoted comment, /32",
                        "-A KUBE-SERVICES -d 10.96.0.10/32 -p udp -m comment --comment \"kube-system/kube-dns:dns cluster IP\" -m udp --dport 53 -j KUBE-SVC-TCOU7JCQXEZGVUNU",
                        "10.96.0.10", "udp", "53", "kube-system/kube-dns:dns cluster IP", null, "KUBE-SVC-TCOU7JCQXEZGVUNU", null),
                Arguments.of("NodePort, unquoted comment",
                        "-A KUBE-NODEPORTS -p tcp -m comment --comment ns1/svc1:p80 -m tcp --dport 30080 -j KUBE-EXT-XPGD46QRK7WJZT7O",
                        null, "tcp", "30080", "ns1/svc1:p80", null, "KUBE-EXT-XPGD46QRK7WJZT7O", null),
                Arguments.of("11-decimal probability as iptables-save prints 10 decimals",
                        "-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment \"ns1/svc1:p80 -> 10.180.0.1:80\" -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-SXIVWICOYRO3J4NJ",
                        null, null, null, "ns1/svc1:p80 -> 10.180.0.1:80", 0.33333333349, "KUBE-SEP-SXIVWICOYRO3J4NJ", null),
                Arguments.of("5-decimal probability (kube-proxy < 1.17)",
                        "-A KUBE-SVC-XPGD46QRK7WJZT7O -m statistic --mode random --probability 0.33332999982 -j KUBE-SEP-SXIVWICOYRO3J4NJ",
                        null, null, null, null, 0.33332999982, "KUBE-SEP-SXIVWICOYRO3J4NJ", null),
                Arguments.of("10-decimal probability as kube-proxy writes it (restore input)",
                        "-A KUBE-SVC-XPGD46QRK7WJZT7O -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-SXIVWICOYRO3J4NJ",
                        null, null, null, null, 0.5, "KUBE-SEP-SXIVWICOYRO3J4NJ", null),
                Arguments.of("DNAT",
                        "-A KUBE-SEP-SXIVWICOYRO3J4NJ -p tcp -m comment --comment ns1/svc1:p80 -m tcp -j DNAT --to-destination 10.180.0.1:80",
                        null, "tcp", null, "ns1/svc1:p80", null, "DNAT", "10.180.0.1:80"),
                Arguments.of("broken DNAT from a bug report",
                        "-A KUBE-SEP-SXIVWICOYRO3J4NJ -p tcp -m tcp -j DNAT --to-destination :0",
                        null, "tcp", null, null, null, "DNAT", ":0"),
                Arguments.of("IPv6 cluster IP /128",
                        "-A KUBE-SERVICES -d fd00:10:96::a/128 -p tcp -m comment --comment \"ns6/web:http cluster IP\" -m tcp --dport 80 -j KUBE-SVC-AAAAAAAAAAAAAAAA",
                        "fd00:10:96::a", "tcp", "80", "ns6/web:http cluster IP", null, "KUBE-SVC-AAAAAAAAAAAAAAAA", null),
                Arguments.of("IPv6 DNAT",
                        "-A KUBE-SEP-BBBBBBBBBBBBBBBB -p tcp -m comment --comment ns6/web:http -m tcp -j DNAT --to-destination [fd00:10:244::5]:8080",
                        null, "tcp", null, "ns6/web:http", null, "DNAT", "[fd00:10:244::5]:8080"),
                Arguments.of("SCTP",
                        "-A KUBE-SERVICES -d 10.96.7.7/32 -p sctp -m comment --comment \"tel/sig:sctp cluster IP\" -m sctp --dport 3868 -j KUBE-SVC-CCCCCCCCCCCCCCCC",
                        "10.96.7.7", "sctp", "3868", "tel/sig:sctp cluster IP", null, "KUBE-SVC-CCCCCCCCCCCCCCCC", null),
                Arguments.of("filter REJECT for a service without endpoints",
                        "-A KUBE-SERVICES -d 10.96.0.50/32 -p tcp -m comment --comment \"ns4/svc4:p80 has no endpoints\" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable",
                        "10.96.0.50", "tcp", "80", "ns4/svc4:p80 has no endpoints", null, "REJECT", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rules")
    void readsTheFieldsOfEachRuleVariant(String variant, String line, String dest, String proto, String dport, String comment, Double p,
            String target, String toDest) {
        String chain = line.substring(3, line.indexOf(' ', 3));
        IptablesSave save = IptablesSaveParser.parse("*nat\n:" + chain + " - [0:0]\n" + line + "\nCOMMIT\n");
        IptablesRule r = save.table("nat").chain(chain).rules().get(0);
        assertThat(r.destination()).isEqualTo(dest);
        assertThat(r.protocol()).isEqualTo(proto);
        assertThat(r.dport()).isEqualTo(dport);
        assertThat(r.comment()).isEqualTo(comment);
        if (p == null) {
            assertThat(r.probability()).isNull();
        } else {
            assertThat(r.probability()).isCloseTo(p, within(1e-12));
        }
        assertThat(r.target()).isEqualTo(target);
        assertThat(r.toDestination()).isEqualTo(toDest);
        assertThat(r.number()).isEqualTo(1);
        assertThat(r.text()).isEqualTo(line.substring(line.indexOf(' ', 3) + 1));
    }

    @Test
    void readsCountersNegationsMarksSetsAddrtypeAndAffinity() {
        String dump = """
                # Generated by iptables-save v1.8.9 (legacy) on Mon Jan  6 10:00:00 2025
                *nat
                :PREROUTING ACCEPT [12:720]
                :KUBE-SERVICES - [0:0]
                :KUBE-MARK-MASQ - [0:0]
                :KUBE-MARK-DROP - [0:0]
                :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
                [5:300] -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
                [0:0] -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
                [0:0] -A KUBE-MARK-DROP -j MARK --or-mark 0x8000
                [3:180] -A KUBE-SVC-XPGD46QRK7WJZT7O ! -s 10.244.0.0/16 -d 10.96.0.20/32 -p tcp -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ
                [0:0] -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m recent --rcheck --seconds 10800 --reap --name KUBE-SEP-SXIVWICOYRO3J4NJ --mask 255.255.255.255 --rsource -j KUBE-SEP-SXIVWICOYRO3J4NJ
                [9:540] -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ
                [1:60] -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
                COMMIT
                """;
        IptablesTable nat = IptablesSaveParser.parse(dump).table("nat");
        assertThat(nat.chain("PREROUTING").policy()).isEqualTo("ACCEPT");
        assertThat(nat.chain("KUBE-SERVICES").policy()).isEqualTo("-");
        assertThat(nat.ruleCount()).isEqualTo(7);
        IptablesRule portal = nat.chain("PREROUTING").rules().get(0);
        assertThat(portal.packets()).isEqualTo(5L);
        assertThat(portal.bytes()).isEqualTo(300L);
        assertThat(portal.comment()).isEqualTo("kubernetes service portals");
        assertThat(nat.chain("KUBE-MARK-MASQ").rules().get(0).mark()).isEqualTo("0x4000/0x4000");
        assertThat(nat.chain("KUBE-MARK-DROP").rules().get(0).mark()).isEqualTo("0x8000");
        IptablesRule masq = nat.chain("KUBE-SVC-XPGD46QRK7WJZT7O").rules().get(0);
        assertThat(masq.source()).isEqualTo("10.244.0.0/16");
        assertThat(masq.sourceNegated()).isTrue();
        assertThat(masq.destination()).isEqualTo("10.96.0.20");
        assertThat(masq.destinationNegated()).isFalse();
        IptablesRule affinity = nat.chain("KUBE-SVC-XPGD46QRK7WJZT7O").rules().get(1);
        assertThat(affinity.recent()).isEqualTo("rcheck");
        assertThat(affinity.recentName()).isEqualTo("KUBE-SEP-SXIVWICOYRO3J4NJ");
        assertThat(affinity.number()).isEqualTo(2);
        IptablesRule set = nat.chain("KUBE-SERVICES").rules().get(0);
        assertThat(set.matchSet()).isEqualTo("KUBE-CLUSTER-IP");
        assertThat(set.matchSetFlags()).isEqualTo("dst,dst");
        assertThat(nat.chain("KUBE-SERVICES").rules().get(1).dstType()).isEqualTo("LOCAL");
        assertThat(nat.chain("KUBE-SERVICES").rules().get(1).target()).isEqualTo("KUBE-NODEPORTS");
    }

    @Test
    void readsTablesInAnyOrderAndEscapedQuotes() {
        String dump = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment \"say \\\"hi\\\"\" -j ACCEPT\nCOMMIT\n"
                + "*mangle\n:KUBE-PROXY-CANARY - [0:0]\nCOMMIT\n";
        IptablesSave save = IptablesSaveParser.parse(dump);
        assertThat(save.tables()).containsOnlyKeys("filter", "mangle");
        assertThat(save.table("filter").chain("INPUT").rules().get(0).comment()).isEqualTo("say \"hi\"");
        assertThat(save.table("mangle").chains()).containsKey("KUBE-PROXY-CANARY");
        assertThat(save.table("nat").ruleCount()).isZero();
    }

    @Test
    void rejectsTextThatIsNotIptablesSave() {
        assertThatThrownBy(() -> IptablesSaveParser.parse("Chain INPUT (policy ACCEPT)\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> IptablesSaveParser.parse("*nat\n-A X -m comment --comment \"open\n"))
                .hasMessageContaining("unterminated quote");
    }

    @Test
    void printedProbabilitiesOfTheGeneratorMatchTheReference() {
        ApiSnapshot empty = new Api().snapshot();
        assertThat(new IptablesDumpGenerator(empty, new IptablesDumpGenerator.Options(false, 10, null, false)).printedProbability(1.0 / 3))
                .isEqualTo("0.33333333349");
        assertThat(new IptablesDumpGenerator(empty, new IptablesDumpGenerator.Options(false, 5, null, false)).printedProbability(1.0 / 3))
                .isEqualTo("0.33332999982");
        assertThat(new IptablesDumpGenerator(empty, IptablesDumpGenerator.Options.modern()).printedProbability(0.5))
                .isEqualTo("0.50000000000");
    }
}
