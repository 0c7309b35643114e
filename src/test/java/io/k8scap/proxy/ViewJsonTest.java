package io.k8scap.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** `-o json` material: every view record of every mode serializes with the names a CI script reads. */
class ViewJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyModeSerializes() throws Exception {
        ApiSnapshot api = Samples.cluster().snapshot();
        Inspection ipvs = ProxyInspector.ipvs(new IpvsDumpGenerator(api).input(true), api);
        Inspection nft = ProxyInspector.nftables(NftInspectionTest.cluster(), api);
        JsonNode ipvsView = JSON.readTree(JSON.writeValueAsString(ipvs.view()));
        assertThat(ipvsView.path("mode").asText()).isEqualTo("ipvs");
        assertThat(ipvsView.path("ipvsVirtualServers").asInt()).isPositive();
        assertThat(ipvsView.path("services").get(0).path("frontends").get(0).path("kind").asText()).isEqualTo("cluster-ip");
        JsonNode nftView = JSON.readTree(JSON.writeValueAsString(nft.view()));
        assertThat(nftView.path("mode").asText()).isEqualTo("nftables");
        assertThat(nftView.path("findings").isArray()).isTrue();
        JsonNode trace = JSON.readTree(JSON.writeValueAsString(nft.trace("kube-system", "kube-dns", "dns")));
        assertThat(trace.get(0).path("steps").get(0).path("chain").asText()).isEqualTo("services");
        JsonNode prereq = JSON.readTree(JSON.writeValueAsString(IpvsPrerequisites.check(new PrerequisiteInput("6.18.44", null, null, null,
                null, null, null, "nf_conntrack"))));
        assertThat(prereq.path("modules").get(0).path("state").asText()).isEqualTo("missing");
        assertThat(prereq.path("ipvsInKernel").asBoolean()).isFalse();
    }
}
