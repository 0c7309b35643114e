package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.k8scap.lab.MockCluster;
import io.k8scap.proxy.NodeInspection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code k8scap proxy-inspect} against the mock API server, for everything decided before a node answers: usage
 * errors, unknown nodes and services, an unreachable node (127.0.0.1 on a closed port), and the exit-code rule.
 * The real node side is ProxyInspectLabTest's.
 */
class ProxyInspectCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path sshDir;
    static UnreachableNode node;

    @TempDir
    Path dir;
    MockCluster mock;
    Path kubeconfig;

    @BeforeAll
    static void sshFiles() throws Exception {
        node = UnreachableNode.create(sshDir);
    }

    @BeforeEach
    void startCluster() throws IOException {
        mock = MockCluster.start();
        kubeconfig = mock.writeKubeconfig(dir, "default");
        mock.client().nodes().resource(new NodeBuilder().withNewMetadata().withName("node-a").addToLabels("pool", "a").endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress("127.0.0.1").endAddress().endStatus().build()).create();
        mock.client().services().inNamespace("default").resource(new ServiceBuilder().withNewMetadata().withName("web").withNamespace("default")
                .endMetadata().withNewSpec().withClusterIP("10.96.0.20").addNewPort().withName("http").withPort(80).withProtocol("TCP").endPort()
                .endSpec().build()).create();
    }

    @AfterEach
    void stopCluster() {
        mock.close();
    }

    private CliRunner.Result inspect(String... args) {
        List<String> all = new ArrayList<>(List.of("proxy-inspect", "--kubeconfig", kubeconfig.toString(), "--via", "ssh", "--ssh-port", String.valueOf(node.closedPort()),
                "-i", node.key().toString(), "--known-hosts", node.knownHosts().toString(), "--ssh-user", "nobody", "--ssh-config", emptySshConfig().toString()));
        all.addAll(List.of(args));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private Path emptySshConfig() {
        try {
            Path f = dir.resolve("ssh_config");
            return Files.exists(f) ? f : Files.writeString(f, "");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--node node-a -l pool=a | give either --node NAME or -l SELECTOR, not both",
        "--mode iptable          | Invalid value for option '--mode'",
        "--service a/b/c         | --service wants [NAMESPACE/]NAME[:PORT]",
        "--service Web:80        | --service wants [NAMESPACE/]NAME[:PORT]"})
    void usageErrorsExit2BeforeAnyApiCall(String args, String message) {
        var r = inspect(args.trim().split(" ")).assertExit(2);
        assertThat(r.err()).contains(message);
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--node nosuch                            | error: node nosuch not found; see kubectl get nodes",
        "-l pool=b                                | error: no node matches -l pool=b",
        "--service default/nosuch                 | error: service default/nosuch not found (kubectl get svc -n default)",
        "--service web:8080                       | error: service default/web has no port 8080 (it has: http=80)"})
    void unknownNodesAndServicesExit4WithoutContactingANode(String args, String message) {
        var r = inspect(args.trim().split(" ")).assertExit(4);
        assertThat(r.err().strip()).startsWith(message).doesNotContain("\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnreachableNodeIsARowWithItsErrorAndExit6() throws IOException {
        var table = inspect("--ssh-timeout", "3s").assertExit(6);
        assertThat(table.out()).containsPattern("NODE +MODE +SOURCE +SERVICES +RULES\\(nat\\) +DRIFT +ERROR\n")
                .containsPattern("node-a +- +- +- +- +- +ssh to node node-a \\(127\\.0\\.0\\.1:" + node.closedPort() + "\\): connection refused");
        assertThat(table.err()).contains("error: node-a: ssh to node node-a");

        var json = inspect("-l", "pool=a", "-o", "json").assertExit(6);
        JsonNode item = JSON.readTree(json.out()).path("items").get(0);
        assertThat(item.path("node").asText()).isEqualTo("node-a");
        assertThat(item.path("error").path("exitCode").asInt()).isEqualTo(6);
        assertThat(item.path("dataplanes")).isEmpty();
    }

    @Test
    void driftOnAnyNodeWinsOverAnotherNodesFailureAndWarningsAloneAreZero() {
        NodeInspection clean = new NodeInspection("a", null, "evidence", "nft", List.of(), List.of(), 0, 3, null, List.of(), null);
        NodeInspection drift = new NodeInspection("b", null, "evidence", "nft", List.of(), List.of(), 2, 0, null, List.of(), null);
        NodeInspection denied = NodeInspection.failed("c", 5, "denied");
        NodeInspection gone = NodeInspection.failed("d", 6, "unreachable");
        assertThat(ProxyInspectCommand.exitCode(List.of(clean))).isZero();
        assertThat(ProxyInspectCommand.exitCode(List.of(clean, drift, gone))).isEqualTo(7);
        assertThat(ProxyInspectCommand.exitCode(List.of(clean, denied, gone))).isEqualTo(5);
        assertThat(ProxyInspectCommand.exitCode(List.of(gone, drift))).isEqualTo(7);
    }
}
