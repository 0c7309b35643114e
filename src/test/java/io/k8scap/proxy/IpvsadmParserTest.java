package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class IpvsadmParserTest {
    private static final String HEAD = "IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n"
            + "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    /** One virtual server per variant: listing, and the key, scheduler, persistence and first real server expected. */
    static Stream<Arguments> listings() {
        return Stream.of(
                Arguments.of("reference sample TCP", HEAD + "TCP  10.96.0.1:443 rr\n  -> 192.168.10.21:6443           Masq    1      3          0\n",
                        "TCP 10.96.0.1:443", "rr", null, "192.168.10.21:6443", "Masq", 1),
                Arguments.of("UDP persistent", HEAD + "UDP  10.96.0.10:53 rr persistent 10800\n  -> 10.244.1.4:53                Masq    1      0          12\n",
                        "UDP 10.96.0.10:53", "rr", 10800, "10.244.1.4:53", "Masq", 1),
                Arguments.of("SCTP wrr", HEAD + "SCTP 10.96.7.7:3868 wrr\n  -> 10.244.3.3:3868              Masq    2      0          0\n",
                        "SCTP 10.96.7.7:3868", "wrr", null, "10.244.3.3:3868", "Masq", 2),
                Arguments.of("FWM", HEAD + "FWM  100 sh\n  -> 10.244.3.3:0                 Route   1      0          0\n",
                        "FWM 100", "sh", null, "10.244.3.3:0", "Route", 1),
                Arguments.of("IPv6", HEAD + "TCP  [fd00:10:96::a]:80 rr\n  -> [fd00:10:244::5]:8080         Masq    1      0          0\n",
                        "TCP [fd00:10:96::a]:80", "rr", null, "[fd00:10:244::5]:8080", "Masq", 1),
                Arguments.of("weight 0, Local, Tunnel", HEAD + "TCP  10.96.0.20:80 rr\n  -> 10.244.1.4:8080              Masq    0      5          2\n"
                        + "  -> 127.0.0.1:8080               Local   1      0          0\n  -> 10.0.0.9:8080                Tunnel  1      0          0\n",
                        "TCP 10.96.0.20:80", "rr", null, "10.244.1.4:8080", "Masq", 0),
                Arguments.of("persistent with mask, pe, ops", HEAD + "UDP  10.96.0.30:5060 sh persistent 360 mask 255.255.255.0 pe sip ops\n",
                        "UDP 10.96.0.30:5060", "sh", 360, null, null, null),
                Arguments.of("-Sn restore form", "-A -t 10.96.0.1:443 -s rr\n-a -t 10.96.0.1:443 -r 192.168.10.21:6443 -m -w 1\n",
                        "TCP 10.96.0.1:443", "rr", null, "192.168.10.21:6443", "Masq", 1),
                Arguments.of("-Sn persistent UDP", "-A -u 10.96.0.10:53 -s rr -p 10800\n-a -u 10.96.0.10:53 -r 10.244.1.4:53 -m -w 1\n",
                        "UDP 10.96.0.10:53", "rr", 10800, "10.244.1.4:53", "Masq", 1),
                Arguments.of("-Sn SCTP, IPv6, weight 0, gatewaying", "-A --sctp-service [fd00::7]:3868 -s rr\n"
                        + "-a --sctp-service [fd00::7]:3868 -r [fd00::8]:3868 -g -w 0\n",
                        "SCTP [fd00::7]:3868", "rr", null, "[fd00::8]:3868", "Route", 0),
                Arguments.of("-Sn FWM", "-A -f 100 -s rr -p 300 -M 255.255.255.0 -o\n-a -f 100 -r 10.244.3.3:0 -i -w 1\n",
                        "FWM 100", "rr", 300, "10.244.3.3:0", "Tunnel", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listings")
    void readsEachVariant(String variant, String text, String key, String scheduler, Integer persistent, String rs, String forward, Integer weight) {
        List<IpvsVirtualServer> servers = IpvsadmParser.parse(text);
        assertThat(servers).hasSize(1);
        IpvsVirtualServer vs = servers.get(0);
        assertThat(vs.key()).isEqualTo(key);
        assertThat(vs.scheduler()).isEqualTo(scheduler);
        assertThat(vs.persistent()).isEqualTo(persistent);
        if (rs == null) {
            assertThat(vs.realServers()).isEmpty();
        } else {
            assertThat(vs.realServers().get(0).endpoint()).isEqualTo(rs);
            assertThat(vs.realServers().get(0).forward()).isEqualTo(forward);
            assertThat(vs.realServers().get(0).weight()).isEqualTo(weight);
        }
    }

    @Test
    void readsFlagsAndCounters() {
        IpvsVirtualServer vs = IpvsadmParser.parse(HEAD + "UDP  10.96.0.30:5060 sh persistent 360 mask 255.255.255.0 pe sip ops\n"
                + "  -> 10.244.1.4:5060              Masq    1      3          12\n").get(0);
        assertThat(vs.mask()).isEqualTo("255.255.255.0");
        assertThat(vs.pe()).isEqualTo("sip");
        assertThat(vs.ops()).isTrue();
        assertThat(vs.realServers().get(0).counters()).isEqualTo(Map.of("ActiveConn", 3L, "InActConn", 12L));
        IpvsVirtualServer fwm6 = IpvsadmParser.parse(HEAD + "FWM  200 IPv6 rr\n").get(0);
        assertThat(fwm6.ipv6()).isTrue();
        assertThat(fwm6.fwmark()).isEqualTo(200);
    }

    @Test
    void readsStatsAndRateColumnsWithAbbreviations() {
        String stats = """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes
                  -> RemoteAddress:Port
                TCP  10.96.0.1:443                    1234K   56789M        0    3456G        7
                  -> 192.168.10.21:6443                  12      345      300    45678    23456
                """;
        IpvsVirtualServer vs = IpvsadmParser.parse(stats).get(0);
        assertThat(vs.scheduler()).isNull();
        assertThat(vs.counters()).containsEntry("Conns", 1_234_000L).containsEntry("InPkts", 56_789_000_000L)
                .containsEntry("InBytes", 3_456_000_000_000L).containsEntry("OutBytes", 7L);
        assertThat(vs.realServers().get(0).counters()).containsEntry("OutPkts", 300L).containsEntry("OutBytes", 23456L);
        assertThat(vs.realServers().get(0).weight()).isNull();
        String rate = """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS
                  -> RemoteAddress:Port
                UDP  10.96.0.10:53                       3       12        0     1K        0
                  -> 10.244.1.4:53                       3       12        0     960        0
                """;
        IpvsVirtualServer r = IpvsadmParser.parse(rate).get(0);
        assertThat(r.counters()).containsEntry("CPS", 3L).containsEntry("InBPS", 1000L);
        assertThat(r.realServers().get(0).counters()).containsEntry("InBPS", 960L);
    }

    @Test
    void emptyTableAndGarbage() {
        assertThat(IpvsadmParser.parse(HEAD)).isEmpty();
        assertThat(IpvsadmParser.parse("")).isEmpty();
        assertThatThrownBy(() -> IpvsadmParser.parse(HEAD + "HTTP 1.2.3.4:80 rr\n")).hasMessageContaining("line 4");
        assertThatThrownBy(() -> IpvsadmParser.parse("-a -t 10.96.0.1:443 -r 1.2.3.4:1 -m -w 1\n")).hasMessageContaining("unknown virtual server");
    }

    @Test
    void generatorListAndSaveFormsParseToTheSameServers() {
        IpvsDumpGenerator g = new IpvsDumpGenerator(Samples.cluster().snapshot());
        assertThat(IpvsadmParser.parse(g.list())).isEqualTo(IpvsadmParser.parse(g.save().replace(" -m -w", " -m -w")).stream()
                .map(v -> new IpvsVirtualServer(v.protocol(), v.address(), v.port(), v.fwmark(), v.ipv6(), v.scheduler(), v.persistent(),
                        v.mask(), v.pe(), v.ops(), v.counters(), v.realServers().stream()
                                .map(r -> new IpvsRealServer(r.address(), r.port(), r.forward(), r.weight(), Map.of("ActiveConn", 0L, "InActConn", 0L)))
                                .toList())).toList());
    }
}
