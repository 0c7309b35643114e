package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.cluster.ProxyApi;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OtherProxiesTest {
    // `ip -o link show` as iproute2 6.x prints it (this machine's, with a veth pair named as Cilium names its own)
    private static final String LINKS = """
            1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
            7: cilium_net@cilium_host: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 5e:6f:0b:3a:11:02 brd ff:ff:ff:ff:ff:ff
            8: cilium_host@cilium_net: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 8a:2e:54:10:7c:41 brd ff:ff:ff:ff:ff:ff
            """;

    @Test
    void devicesAreNamedWithoutTheirPeer() {
        assertThat(OtherProxies.devices(LINKS)).containsExactly("lo", "cilium_net", "cilium_host");
        assertThat(OtherProxies.devices(null)).isEmpty();
    }

    @Test
    void onlyTrueOrStrictMeanTheReplacementIsOn() {
        for (String on : new String[] {"true", "strict", " True "}) {
            assertThat(new ProxyApi.OtherDataplanes(on, Map.of(), Map.of(), Set.of()).ciliumReplacesKubeProxy()).as(on).isTrue();
        }
        for (String off : new String[] {"false", "partial", "probe", "disabled"}) {
            assertThat(new ProxyApi.OtherDataplanes(off, Map.of(), Map.of(), Set.of()).ciliumReplacesKubeProxy()).as(off).isFalse();
        }
        assertThat(ProxyApi.OtherDataplanes.NONE.ciliumReplacesKubeProxy()).isFalse();
    }

    @Test
    void theCiliumAgentOfTheNodeIsNamedInTheCommandToRun() {
        var api = new ProxyApi.OtherDataplanes(null, Map.of("n1", "cilium-7x2kq"), Map.of(), Set.of());
        var req = new ProxyCollector.Request(null, false, null, null, null);
        String m = OtherProxies.noKubeProxy("n1", OtherProxies.devices(LINKS), api, req, java.util.List.of(), false);
        assertThat(m).contains("agent pod kube-system/cilium-7x2kq").contains("kubectl -n kube-system exec cilium-7x2kq -- cilium-dbg service list");
    }

    @Test
    void withKubeProxyDeployedAnEmptyNodeIsDriftNotAnotherProxyButCiliumStillWins() {
        var req = new ProxyCollector.Request(null, false, null, null, null);
        assertThat(OtherProxies.noKubeProxy("n1", Set.of("lo"), ProxyApi.OtherDataplanes.NONE, req, java.util.List.of(), true)).isNull();
        assertThat(OtherProxies.noKubeProxy("n1", Set.of("lo"), ProxyApi.OtherDataplanes.NONE, req, java.util.List.of(), false))
                .contains("has no service proxy that k8scap can see");
        assertThat(OtherProxies.noKubeProxy("n1", OtherProxies.devices(LINKS), ProxyApi.OtherDataplanes.NONE, req, java.util.List.of(), true))
                .contains("Cilium's kube-proxy replacement");
    }

    @Test
    void kubeRouterIsToldByItsDummyDeviceUnlessKubeIpvs0IsThere() {
        Set<String> devs = Set.of("lo", "kube-dummy-if", "kube-bridge");
        assertThat(OtherProxies.kubeRouter("n1", devs, ProxyApi.OtherDataplanes.NONE, false)).contains("kube-router's service proxy");
        assertThat(OtherProxies.kubeRouter("n1", devs, ProxyApi.OtherDataplanes.NONE, true)).isNull();
        assertThat(OtherProxies.kubeRouter("n1", Set.of("lo"), ProxyApi.OtherDataplanes.NONE, false)).isNull();
    }
}
