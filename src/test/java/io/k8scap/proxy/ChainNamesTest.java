package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChainNamesTest {
    @ParameterizedTest(name = "{0} {1} → {2}")
    @CsvSource({
        "ns1/svc1:p80, tcp, KUBE-SVC-XPGD46QRK7WJZT7O",
        "kube-system/kube-dns:dns, udp, KUBE-SVC-TCOU7JCQXEZGVUNU",
        "default/kubernetes:https, tcp, KUBE-SVC-NPX46M4PTMTKRN6Y",
        "default/kubernetes:https, TCP, KUBE-SVC-NPX46M4PTMTKRN6Y",
        // seen in a real node's ruleset (public material), not in the reference:
        "kube-system/kube-dns:dns-tcp, tcp, KUBE-SVC-ERIFXISQEP7F7OF4",
        "kube-system/kube-dns:metrics, tcp, KUBE-SVC-JD5MR3NA4I4DYORP",
    })
    void serviceChainsMatchKubeProxy(String spn, String protocol, String chain) {
        assertThat(ChainNames.svc(spn, protocol)).isEqualTo(chain);
        String hash = chain.substring("KUBE-SVC-".length());
        assertThat(ChainNames.svl(spn, protocol)).isEqualTo("KUBE-SVL-" + hash);
        assertThat(ChainNames.ext(spn, protocol)).isEqualTo("KUBE-EXT-" + hash);
        assertThat(ChainNames.fw(spn, protocol)).isEqualTo("KUBE-FW-" + hash);
    }

    @ParameterizedTest(name = "{0} {1} {2} → {3}")
    @CsvSource({"ns1/svc1:p80, tcp, 10.180.0.1:80, KUBE-SEP-SXIVWICOYRO3J4NJ"})
    void endpointChainsMatchKubeProxy(String spn, String protocol, String endpoint, String chain) {
        assertThat(ChainNames.sep(spn, protocol, endpoint)).isEqualTo(chain);
    }

    @ParameterizedTest(name = "{0}/{1}:{2}")
    @CsvSource({"ns1, svc1, p80, ns1/svc1:p80", "ns1, svc1, '', ns1/svc1", "ns1, svc1, , ns1/svc1"})
    void servicePortNameHasPortOnlyWhenNamed(String ns, String name, String port, String spn) {
        assertThat(ChainNames.servicePortName(ns, name, port)).isEqualTo(spn);
    }

    @ParameterizedTest(name = "{0}:{1} → {2}")
    @CsvSource({"10.180.0.1, 80, 10.180.0.1:80", "fd00::1, 8080, '[fd00::1]:8080'"})
    void endpointsJoinLikeGo(String ip, int port, String endpoint) {
        assertThat(ChainNames.endpoint(ip, port)).isEqualTo(endpoint);
    }

    @ParameterizedTest(name = "nft {0}")
    @CsvSource({"ns1, svc1, tcp, p80"})
    void nftablesBaseNamesCarryTheirOwnHash(String ns, String name, String proto, String port) {
        String base = ChainNames.nftServiceBase(ns, name, proto, port);
        assertThat(base).endsWith("-ns1/svc1/tcp/p80").hasSize(8 + 1 + "ns1/svc1/tcp/p80".length());
        assertThat(base.substring(0, 8)).isEqualTo(ChainNames.hash16("ns1/svc1/tcp/p80").substring(0, 8));
        assertThat(ChainNames.nftEndpointBase(ns, name, proto, port, "10.180.0.1", 80))
                .endsWith("-ns1/svc1/tcp/p80__10.180.0.1/80");
    }

    /** The names in kube-proxy's nftables proxier tests (pkg/proxy/nftables), not only our own hash. */
    @ParameterizedTest(name = "nft check {0}")
    @CsvSource({"service, ULMVA6XW-ns1/svc1/tcp/p80", "endpoint, 5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80",
        "dns-tcp, NWBZK7IH-kube-system/kube-dns/tcp/dns-tcp"})
    void nftablesNamesMatchKubeProxy(String kind, String expected) {
        String actual = switch (kind) {
            case "service" -> ChainNames.nftServiceBase("ns1", "svc1", "tcp", "p80");
            case "dns-tcp" -> ChainNames.nftServiceBase("kube-system", "kube-dns", "tcp", "dns-tcp"); // seen on a real cluster's node
            default -> ChainNames.nftEndpointBase("ns1", "svc1", "tcp", "p80", "10.180.0.1", 80);
        };
        assertThat(actual).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void nftablesEndpointNamesReplaceIpv6Colons() {
        assertThat(ChainNames.nftEndpointBase("ns6", "web", "tcp", "http", "fd00:10:244::5", 8080))
                .endsWith("-ns6/web/tcp/http__fd00.10.244..5/8080")
                .startsWith(ChainNames.hash8("ns6/web/tcp/http__fd00.10.244..5/8080"));
    }
}
