package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpsetParserTest {
    static final String LIST = """
            Name: KUBE-CLUSTER-IP
            Type: hash:ip,port
            Revision: 5
            Header: family inet hashsize 1024 maxelem 65536
            Size in memory: 520
            References: 2
            Number of entries: 2
            Members:
            10.96.0.10,udp:53
            10.96.0.1,tcp:443

            Name: KUBE-LOOP-BACK
            Type: hash:ip,port,ip
            Revision: 5
            Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x5fa1b9a7
            Size in memory: 360
            References: 1
            Number of entries: 1
            Members:
            10.244.0.5,tcp:80,10.244.0.5

            Name: KUBE-NODE-PORT-TCP
            Type: bitmap:port
            Revision: 3
            Header: range 0-65535
            Size in memory: 8264
            References: 1
            Number of entries: 1
            Members:
            30080

            Name: KUBE-6-CLUSTER-IP
            Type: hash:ip,port
            Revision: 6
            Header: family inet6 hashsize 1024 maxelem 65536
            Size in memory: 200
            References: 2
            Number of entries: 1
            Members:
            fd00:10:96::a,tcp:80

            Name: KUBE-HEALTH-CHECK-NODE-PORT
            Type: bitmap:port
            Revision: 3
            Header: range 0-65535
            Size in memory: 8264
            References: 1
            Number of entries: 0
            Members:
            """;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "KUBE-CLUSTER-IP | hash:ip,port | 5 | 520 | 2 | 2 | 10.96.0.10,udp:53",
        "KUBE-LOOP-BACK | hash:ip,port,ip | 5 | 360 | 1 | 1 | 10.244.0.5,tcp:80,10.244.0.5",
        "KUBE-NODE-PORT-TCP | bitmap:port | 3 | 8264 | 1 | 1 | 30080",
        "KUBE-6-CLUSTER-IP | hash:ip,port | 6 | 200 | 2 | 1 | fd00:10:96::a,tcp:80",
        "KUBE-HEALTH-CHECK-NODE-PORT | bitmap:port | 3 | 8264 | 1 | 0 | ",
    })
    void readsHeadersAndMembers(String name, String type, int revision, long size, int refs, int entries, String firstMember) {
        IpsetSet set = IpsetParser.parse(LIST).get(name);
        assertThat(set.type()).isEqualTo(type);
        assertThat(set.revision()).isEqualTo(revision);
        assertThat(set.sizeInMemory()).isEqualTo(size);
        assertThat(set.references()).isEqualTo(refs);
        assertThat(set.numberOfEntries()).isEqualTo(entries).isEqualTo(set.members().size());
        if (firstMember == null) {
            assertThat(set.members()).isEmpty();
        } else {
            assertThat(set.members().get(0)).isEqualTo(firstMember);
        }
    }

    @Test
    void keepsOrderAndHeaderText() {
        Map<String, IpsetSet> sets = IpsetParser.parse(LIST);
        assertThat(sets.keySet()).containsExactly("KUBE-CLUSTER-IP", "KUBE-LOOP-BACK", "KUBE-NODE-PORT-TCP", "KUBE-6-CLUSTER-IP",
                "KUBE-HEALTH-CHECK-NODE-PORT");
        assertThat(sets.get("KUBE-LOOP-BACK").header()).endsWith("initval 0x5fa1b9a7");
        assertThat(IpsetSet.ipPortEntry("10.96.0.10", "UDP", 53)).isEqualTo("10.96.0.10,udp:53");
        assertThat(IpsetParser.parse("")).isEmpty();
        assertThatThrownBy(() -> IpsetParser.parse("Members:\n1.2.3.4\n")).hasMessageContaining("line 1");
    }

    @Test
    void kubeIpvs0AddressesAndAbsence() {
        KubeIpvs0 dev = KubeIpvs0.parse("""
                7: kube-ipvs0: <BROADCAST,NOARP> mtu 1500 qdisc noop state DOWN group default
                    link/ether 6a:2b:3c:4d:5e:6f brd ff:ff:ff:ff:ff:ff
                    inet 10.96.0.1/32 scope global kube-ipvs0
                       valid_lft forever preferred_lft forever
                    inet 10.96.0.10/32 scope global kube-ipvs0
                       valid_lft forever preferred_lft forever
                    inet6 fd00:10:96::a/128 scope global
                       valid_lft forever preferred_lft forever
                """);
        assertThat(dev.exists()).isTrue();
        assertThat(dev.state()).isEqualTo("DOWN");
        assertThat(dev.addresses()).containsExactly("10.96.0.1", "10.96.0.10", "fd00:10:96::a");
        assertThat(KubeIpvs0.parse("7: kube-ipvs0    inet 10.96.0.1/32 scope global kube-ipvs0\\       valid_lft forever preferred_lft forever").addresses())
                .isEqualTo(java.util.Set.of("10.96.0.1"));
        assertThat(KubeIpvs0.parse("Device \"kube-ipvs0\" does not exist.\n").exists()).isFalse();
        assertThat(KubeIpvs0.parse("").addresses()).isEqualTo(java.util.Set.copyOf(List.of()));
    }
}
