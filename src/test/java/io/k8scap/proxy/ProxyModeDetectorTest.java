package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Mode detection (proxy-inspect --mode auto) and the framing of proxy.sh's output. */
class ProxyModeDetectorTest {

    /**
     * Evidence columns: KUBE-SVC/SEP chains, kube-ipvs0 exists, IPVS virtual servers, nft table kube-proxy.
     * "~" = null (not answered / no ConfigMap / no DaemonSet flag).
     */
    @ParameterizedTest(name = "[{index}] /proxyMode={0} cm={1} ds={2} → {7} {8}")
    @CsvSource(delimiter = '|', nullValues = "~", value = {
        // /proxyMode | configmap | daemonset | chains | ipvs0 | vs | nft   | mode     | source                       | note contains
        "iptables     | ''        | ~         | 40     | false | -1 | false | iptables | /proxyMode+configmap+evidence | ~",
        "ipvs         | ipvs      | ~         | 0      | true  | 12 | false | ipvs     | /proxyMode+configmap+evidence | ~",
        "nftables     | ~         | ~         | 0      | false | -1 | true  | nftables | /proxyMode+evidence           | ~",
        "iptables     | ipvs      | ~         | 40     | false | 0  | false | iptables | /proxyMode+evidence           | falls back to iptables",
        "~            | ipvs      | ~         | 0      | true  | 3  | false | ipvs     | configmap+evidence            | ~",
        "~            | iptables  | ipvs      | 0      | true  | 3  | false | ipvs     | daemonset+evidence            | ~",
        "~            | ipvs      | ~         | 40     | false | -1 | false | iptables | evidence                      | the configmap says ipvs but the node has only iptables rules",
        "~            | ~         | ~         | 40     | false | -1 | false | iptables | evidence                      | ~",
        "~            | ~         | ~         | 40     | false | -1 | true  | nftables | evidence                      | leftovers of iptables mode: 40 KUBE-SVC/SEP chain(s)",
        "ipvs         | ~         | ~         | 7      | true  | 5  | false | ipvs     | /proxyMode+evidence           | leftovers of iptables mode",
        "~            | ''        | ~         | 0      | false | -1 | false | iptables | configmap                     | the node shows no iptables rules at all",
        "nftables     | ~         | ~         | 0      | false | -1 | false | nftables | /proxyMode                    | the node shows no nftables rules at all"})
    void decidesFromTheAnswerTheConfigurationAndTheEvidence(String answer, String cm, String ds, int chains, boolean ipvs0, int vs,
            boolean nft, String mode, String source, String note) {
        var d = ProxyModeDetector.decide(null, answer, cm, ds, new ProxyModeDetector.Evidence(chains, ipvs0, vs, nft));
        assertThat(d.mode().id()).isEqualTo(mode);
        assertThat(d.source()).isEqualTo(source);
        if (note == null) {
            assertThat(d.notes()).isEmpty();
        } else {
            assertThat(String.join("\n", d.notes())).contains(note);
        }
    }

    @Test
    void nothingAtAllLeavesTheModeUnknown() {
        var d = ProxyModeDetector.decide(null, null, null, null, new ProxyModeDetector.Evidence(0, false, -1, false));
        assertThat(d.mode()).isNull();
        assertThat(d.notes().get(0)).contains("no answer on 127.0.0.1:10249/proxyMode");
    }

    @Test
    void anExplicitModeWinsAndADifferentAnswerIsNoted() {
        var d = ProxyModeDetector.decide(ProxyMode.IPVS, "iptables", null, null, new ProxyModeDetector.Evidence(10, false, -1, false));
        assertThat(d.mode()).isEqualTo(ProxyMode.IPVS);
        assertThat(d.source()).isEqualTo("--mode");
        assertThat(d.notes()).anyMatch(n -> n.contains("answers /proxyMode iptables, not ipvs"))
                .anyMatch(n -> n.startsWith("leftovers of iptables mode"));
    }

    @Test
    void sectionsSurviveOutputThatLooksLikeFramingAndKeepTrailingNewlinesExact() {
        String b = "K8SCAPabc123";
        String out = b + " begin proto\n1\n\n" + b + " end proto 0\n"
                + b + " begin iptables-nft\n# begin x\nK8SCAPabc12 end iptables-nft 0\n-A X -j Y\n\n" + b + " end iptables-nft 0\n"
                + b + " begin proxymode\niptables\n" + b + " end proxymode 0\n"   // no trailing newline from curl
                + b + " begin ipvsadm\n\n" + b + " end ipvsadm 127\n"
                + b + " begin done\n\n" + b + " end done 0\n";
        ProxySections s = ProxySections.parse(out, b);
        assertThat(s.text("proto")).isEqualTo("1\n");
        assertThat(s.text("iptables-nft")).isEqualTo("# begin x\nK8SCAPabc12 end iptables-nft 0\n-A X -j Y\n");
        assertThat(s.text("proxymode")).isEqualTo("iptables");
        assertThat(s.get("ipvsadm").missing()).isTrue();
        assertThat(s.text("ipvsadm")).isNull();
        assertThat(s.has("nft-ip")).isFalse();
    }

    @Test
    void cutOrForeignOutputIsRefused() {
        String b = "K8SCAPabc123";
        assertThatThrownBy(() -> ProxySections.parse("Welcome to node-1!\n" + b + " begin done\n\n" + b + " end done 0\n", b))
                .hasMessageContaining("expected a section start").hasMessageContaining("Welcome");
        assertThatThrownBy(() -> ProxySections.parse(b + " begin iptables-nft\n-A X\n", b)).hasMessageContaining("has no end");
        assertThatThrownBy(() -> ProxySections.parse(b + " begin proto\n1\n\n" + b + " end proto 0\n", b))
                .hasMessageContaining("no final 'done' section");
    }
}
