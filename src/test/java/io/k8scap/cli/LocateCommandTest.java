package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.k8scap.cli.CliRunner.Result;
import io.k8scap.lab.MockCluster;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8scap locate} as a user sees it when things go wrong: run in-process against the mock API
 * server, asserting exit code, stdout and stderr together. Every case is decided before a node is
 * contacted, or contacts 127.0.0.1 on a port nothing listens on (so no sshd is needed).
 *
 * <p>The contract checked everywhere: one {@code error: …} line on stderr naming the object and what
 * to try, no stack trace, and no data on stdout.
 */
class LocateCommandTest {
    static final String NS = "shop";
    static final String NODE = "node-a";

    @TempDir
    static Path sshDir;
    static UnreachableNode node;

    @TempDir
    Path dir;
    MockCluster mock;
    KubernetesClient k;
    Path kubeconfig;

    @BeforeAll
    static void sshFiles() throws Exception {
        node = UnreachableNode.create(sshDir);
    }

    @BeforeEach
    void startCluster() throws IOException {
        mock = MockCluster.start();
        k = mock.client();
        kubeconfig = mock.writeKubeconfig(dir, NS);
    }

    @AfterEach
    void stopCluster() {
        mock.close();
    }

    // ---- resolution: decided before any node is contacted ------------------------------------

    @Test
    void podNotFoundSuggestsCloseNames() {
        create(runningPod("web-7c9d8f6b5-x2x4q", NODE));
        create(runningPod("api-0", NODE));

        String error = failsWith(locate("web-7c9d8f6b5-x2x4"), 4);

        assertThat(error).isEqualTo("error: no pod or workload named 'web-7c9d8f6b5-x2x4' in namespace shop;"
                + " did you mean web-7c9d8f6b5-x2x4q?; check the name, or use -n NAMESPACE or -A");
    }

    @Test
    void transposedLettersStillGetASuggestion() {
        create(runningPod("web-7c9d8f6b5-x2x4q", NODE));
        create(runningPod("api-0", NODE));

        String error = failsWith(locate("wbe"), 4);

        assertThat(error).contains("'wbe'").contains("did you mean web-7c9d8f6b5-x2x4q").doesNotContain("api-0");
    }

    @Test
    void bareWordNamingTwoWorkloadsIsAmbiguous() {
        create(new DeploymentBuilder().withNewMetadata().withName("web").withNamespace(NS).endMetadata()
                .withNewSpec().withSelector(selector("web")).withTemplate(template("web")).endSpec().build());
        create(new StatefulSetBuilder().withNewMetadata().withName("web").withNamespace(NS).endMetadata()
                .withNewSpec().withSelector(selector("web")).withTemplate(template("web")).withServiceName("web").endSpec().build());

        String error = failsWith(locate("web"), 2);

        assertThat(error).contains("'web' names several workloads").contains("deploy/web").contains("sts/web").contains("pick one");
    }

    @Test
    void pendingPodIsNotScheduled() {
        create(new PodBuilder(runningPod("web-0", NODE))
                .editSpec().withNodeName(null).endSpec()
                .withNewStatus().withPhase("Pending")
                .addNewCondition().withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                .withMessage("0/3 nodes are available: 3 Insufficient cpu.").endCondition()
                .endStatus().build());

        String error = failsWith(locate("web-0"), 6);

        assertThat(error).contains("pod shop/web-0 is Pending and not scheduled to a node")
                .contains("Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.")
                .contains("kubectl describe pod web-0 -n shop");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Succeeded", "Failed"})
    void finishedPodNamesItsPhase(String phase) {
        create(new PodBuilder(runningPod("job-x", NODE)).editStatus().withPhase(phase).endStatus().build());

        String error = failsWith(locate("job-x"), 6);

        assertThat(error).contains("pod shop/job-x has finished (phase " + phase + ")").contains("pick a running pod");
    }

    @Test
    void unknownContainerListsThePodsContainers() {
        create(runningPod("web-0", NODE, "app", "sidecar"));

        String error = failsWith(locate("web-0", "-c", "nope"), 4);

        assertThat(error).contains("container 'nope' not found in pod shop/web-0").contains("app, sidecar").contains("-c");
    }

    @Test
    void crashLoopingContainerIsNotRunning() {
        create(new PodBuilder(runningPod("web-0", NODE)).editStatus()
                .withContainerStatuses(new ContainerStatusBuilder().withName("app").withReady(false).withRestartCount(7)
                        .withNewState().withNewWaiting().withReason("CrashLoopBackOff").endWaiting().endState().build())
                .endStatus().build());

        String error = failsWith(locate("web-0"), 6);

        assertThat(error).contains("container app of pod shop/web-0 is not running (waiting: CrashLoopBackOff)")
                .contains("kubectl describe pod web-0 -n shop");
    }

    @Test
    void nodeWithoutTheRequestedAddressTypeNamesTheTypesItHas() {
        create(runningPod("web-0", NODE));
        create(node(NODE, "127.0.0.1"));

        String error = failsWith(locate("web-0", "--node-address", "external"), 4);

        assertThat(error).contains("node " + NODE + " has no ExternalIP address").contains("InternalIP 127.0.0.1")
                .contains("--node-address internal").contains("--node-address name");
    }

    @Test
    void missingNodeObjectIsNotFound() {
        create(runningPod("web-0", "node-gone"));

        String error = failsWith(locate("web-0"), 4);

        assertThat(error).contains("node node-gone not found").contains("kubectl get nodes");
    }

    // ---- kubeconfig and API server ---------------------------------------------------------------

    @Test
    void missingKubeconfigNamesTheFile() {
        String error = failsWith(CliRunner.run("locate", "web-0", "--kubeconfig", "/nonexistent/kubeconfig"), 3);

        assertThat(error).contains("/nonexistent/kubeconfig").contains("does not exist").contains("--kubeconfig");
    }

    @Test
    void kubeconfigThatIsNotYamlNamesTheFile() throws IOException {
        Path bad = Files.writeString(dir.resolve("broken"), "apiVersion: v1\nclusters: [\n  - name: x\n  server: {\n");

        String error = failsWith(CliRunner.run("locate", "web-0", "--kubeconfig", bad.toString()), 3);

        assertThat(error).contains("kubeconfig " + bad).contains("not valid kubeconfig YAML").contains("fix it");
    }

    @Test
    void unknownContextListsTheContexts() {
        String error = failsWith(locate("web-0", "--context", "prod"), 3);

        assertThat(error).contains("--context 'prod' is not in kubeconfig " + kubeconfig).contains("contexts: lab")
                .contains("kubectl config get-contexts");
    }

    @Test
    void forbiddenPodReadIsDeniedWithAnRbacHint() throws IOException {
        try (ExpectationServer api = new ExpectationServer()) {
            api.server.expect().get().withPath("/api/v1/namespaces/shop/pods/web-0")
                    .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                            .withMessage("pods \"web-0\" is forbidden: User \"dev\" cannot get resource \"pods\" in the namespace \"shop\"")
                            .build())
                    .always();

            String error = failsWith(CliRunner.run("locate", "web-0", "--kubeconfig", api.kubeconfig(dir).toString()), 5);

            assertThat(error).contains("not allowed to get pods/web-0 -n shop (403 Forbidden")
                    .contains("cannot get resource")
                    .contains("check your RBAC: kubectl auth can-i get pods/web-0 -n shop");
        }
    }

    @Test
    void rejectedCredentialsAreDenied() throws IOException {
        try (ExpectationServer api = new ExpectationServer()) {
            api.server.expect().get().withPath("/api/v1/namespaces/shop/pods/web-0")
                    .andReturn(401, new StatusBuilder().withStatus("Failure").withReason("Unauthorized").withCode(401)
                            .withMessage("Unauthorized").build())
                    .always();

            String error = failsWith(CliRunner.run("locate", "web-0", "--kubeconfig", api.kubeconfig(dir).toString()), 5);

            assertThat(error).contains("the API server " + api.url()).contains("401 Unauthorized").contains("get pods/web-0 -n shop")
                    .contains("log in again").doesNotContain("lab-token");
        }
    }

    @Test
    void unreachableApiServerIsUnavailableQuickly() throws IOException {
        Path cfg = Files.writeString(dir.resolve("dead"),
                Files.readString(kubeconfig).replace(mock.url(), "http://127.0.0.1:" + node.closedPort()));

        Instant start = Instant.now();
        String error = failsWith(CliRunner.run("locate", "web-0", "--kubeconfig", cfg.toString()), 6);

        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
        assertThat(error).contains("cannot reach the API server http://127.0.0.1:" + node.closedPort())
                .contains("connection refused").contains("--context/--kubeconfig");
    }

    // ---- past resolution: a node that refuses SSH ------------------------------------------------

    @Test
    void hostNetworkPodIsNoticedThenItsRefusedNodeIsNamed() {
        create(new PodBuilder(runningPod("ingress-0", NODE)).editSpec().withHostNetwork(true).endSpec().build());
        create(node(NODE, "127.0.0.1"));

        Result r = locate(ssh("ingress-0")).assertExit(6);

        List<String> lines = r.err().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).isEqualTo("pod shop/ingress-0 uses hostNetwork: it shares the network namespace of node " + NODE
                + ", so its interfaces and traffic are the node's");
        assertThat(lines.get(1)).startsWith("error: shop/ingress-0: ssh to node " + NODE + " (127.0.0.1:" + node.closedPort() + ")")
                .contains("connection refused").contains("--ssh-port");
        assertNoStackTrace(r);
        assertThat(r.out()).doesNotContain("ingress-0"); // no data row for a failed pod (stdout emptiness: see below)
    }

    @Test
    void failedLocateLeavesStdoutEmptyInTableOutput() {
        create(runningPod("web-0", NODE));
        create(node(NODE, "127.0.0.1"));

        Result r = locate(ssh("web-0")).assertExit(6);

        assertThat(r.out()).isEmpty();
    }

    @Test
    void jsonOutputCarriesTheNodeFailurePerPod() throws IOException {
        create(runningPod("web-0", NODE));
        create(node(NODE, "127.0.0.1"));

        Result r = locate(ssh("web-0", "-o", "json")).assertExit(6);

        JsonNode item = new ObjectMapper().readTree(r.out()).path("items").path(0);
        assertThat(item.path("pod").asText()).isEqualTo("web-0");
        assertThat(item.path("namespace").asText()).isEqualTo(NS);
        assertThat(item.path("node").asText()).isEqualTo(NODE);
        assertThat(item.path("error").path("exitCode").asInt()).isEqualTo(6);
        assertThat(item.path("error").path("message").asText()).contains("connection refused");
        assertThat(item.has("pid")).as("no PID for a pod that was not reached").isFalse();
        assertThat(r.err()).startsWith("error: shop/web-0: ssh to node " + NODE).contains("connection refused");
        assertNoStackTrace(r);
    }

    @Test
    void quietSuppressesTheWorkloadNoticeButNotTheError() {
        workloadWithOnePod("web", "web-7c9d8f6b5-x2x4q");
        create(node(NODE, "127.0.0.1"));

        Result loud = locate(ssh("web")).assertExit(6);
        Result quiet = locate(ssh("web", "-q")).assertExit(6);

        assertThat(loud.err()).contains("web: deployment shop/web → 1 pod: web-7c9d8f6b5-x2x4q");
        List<String> quietLines = quiet.err().lines().toList();
        assertThat(quietLines).hasSize(1);
        assertThat(quietLines.get(0)).startsWith("error: shop/web-7c9d8f6b5-x2x4q: ssh to node " + NODE)
                .contains("connection refused");
        assertThat(loud.err()).endsWith(quiet.err());
    }

    @Test
    void missingSshKeyIsAConfigErrorNamingTheFile() {
        create(runningPod("web-0", NODE));
        create(node(NODE, "127.0.0.1"));

        Result r = locate("web-0", "--ssh-config", "/dev/null", "--known-hosts", node.knownHosts().toString(),
                "--ssh-port", String.valueOf(node.closedPort()), "--ssh-key", "/nonexistent/key").assertExit(3);

        assertThat(r.err().lines().toList()).hasSize(1);
        assertThat(r.err()).startsWith("error: shop/web-0: ssh to node " + NODE)
                .contains("SSH key /nonexistent/key does not exist").contains("-i");
        assertNoStackTrace(r);
        assertThat(r.out()).doesNotContain("web-0");
    }

    // ---- strings from the cluster reach the terminal escaped ------------------------------------

    @Test
    void controlCharactersFromTheClusterAreEscaped() {
        create(new PodBuilder(runningPod("web-0", NODE)).editStatus()
                .withContainerStatuses(new ContainerStatusBuilder().withName("app")
                        .withNewState().withNewWaiting().withReason("\u001b[31mBoom\u0007").endWaiting().endState().build())
                .endStatus().build());

        String error = failsWith(locate("web-0"), 6);

        assertThat(error).doesNotContain("\u001b").doesNotContain("\u0007")
                .contains("\\u001b[31mBoom");
    }

    @Test
    void controlCharactersTypedByTheUserAreEscapedToo() {
        create(runningPod("web-0", NODE));

        String error = failsWith(locate("web-0", "-c", "no\u001b]0;owned\u0007pe"), 4);

        assertThat(error).doesNotContain("\u001b").doesNotContain("\u0007").contains("not found in pod shop/web-0");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** {@code k8scap locate ARGS --kubeconfig <the mock's>}. */
    Result locate(String... args) {
        List<String> all = new ArrayList<>(List.of("locate"));
        all.addAll(List.of(args));
        all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
        return CliRunner.run(all.toArray(String[]::new));
    }

    /** ARGS plus SSH settings (SSH only: no helper-pod fallback) that ignore ~/.ssh and go to the closed loopback port. */
    static String[] ssh(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--via", "ssh", "--ssh-config", "/dev/null", "--known-hosts", node.knownHosts().toString(), "-i", node.key().toString(),
                "--ssh-port", String.valueOf(node.closedPort()), "--ssh-timeout", "5s"));
        return all.toArray(String[]::new);
    }

    /** Asserts exit code, empty stdout and exactly one clean {@code error: } line on stderr; returns that line. */
    static String failsWith(Result r, int exit) {
        r.assertExit(exit);
        assertThat(r.out()).as("stdout (data only) of a failed run; stderr:%n%s", r.err()).isEmpty();
        List<String> lines = r.err().lines().toList();
        assertThat(lines).as("stderr").hasSize(1);
        assertThat(lines.get(0)).startsWith("error: ");
        assertNoStackTrace(r);
        return lines.get(0);
    }

    static void assertNoStackTrace(Result r) {
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception").doesNotContain("Caused by");
    }

    <T extends HasMetadata> T create(T obj) {
        return k.resource(obj).create(); // namespaced objects carry metadata.namespace
    }

    /** A Running pod scheduled to {@code node} whose containers (default: "app") all run. */
    static Pod runningPod(String name, String node, String... containers) {
        List<String> names = containers.length == 0 ? List.of("app") : List.of(containers);
        PodBuilder b = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).addToLabels("app", name).endMetadata()
                .withNewSpec().withNodeName(node).endSpec()
                .withNewStatus().withPhase("Running").withHostIP("127.0.0.1").withPodIP("10.244.1.7").endStatus();
        int i = 0;
        for (String c : names) {
            b.editSpec().addToContainers(new ContainerBuilder().withName(c).withImage("busybox").build()).endSpec();
            b.editStatus().addToContainerStatuses(new ContainerStatusBuilder().withName(c).withReady(true).withImage("busybox")
                    .withContainerID("containerd://" + ("%064x".formatted(++i)))
                    .withNewState().withNewRunning().endRunning().endState().build()).endStatus();
        }
        return b.build();
    }

    static io.fabric8.kubernetes.api.model.Node node(String name, String internalIp) {
        return new NodeBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewStatus()
                .addNewAddress().withType("InternalIP").withAddress(internalIp).endAddress()
                .endStatus().build();
    }

    /** Deployment → ReplicaSet → pod, linked by the UIDs the server assigned. */
    void workloadWithOnePod(String deployment, String podName) {
        var dep = create(new DeploymentBuilder().withNewMetadata().withName(deployment).withNamespace(NS).endMetadata()
                .withNewSpec().withSelector(selector(deployment)).withTemplate(template(deployment)).withReplicas(1).endSpec().build());
        String rsName = podName.substring(0, podName.lastIndexOf('-'));
        var rs = create(new ReplicaSetBuilder().withNewMetadata().withName(rsName).withNamespace(NS)
                .addToLabels("app", deployment).withOwnerReferences(owner(dep)).endMetadata()
                .withNewSpec().withSelector(selector(deployment)).withTemplate(template(deployment)).withReplicas(1).endSpec().build());
        create(new PodBuilder(runningPod(podName, NODE)).editMetadata().withLabels(Map.of("app", deployment))
                .withOwnerReferences(owner(rs)).endMetadata().build());
    }

    static io.fabric8.kubernetes.api.model.OwnerReference owner(HasMetadata o) {
        return new OwnerReferenceBuilder().withApiVersion(o.getApiVersion()).withKind(o.getKind())
                .withName(o.getMetadata().getName()).withUid(o.getMetadata().getUid()).withController(true).build();
    }

    static io.fabric8.kubernetes.api.model.LabelSelector selector(String app) {
        return new LabelSelectorBuilder().addToMatchLabels("app", app).build();
    }

    static PodTemplateSpec template(String app) {
        return new PodTemplateSpecBuilder().withNewMetadata().addToLabels("app", app).endMetadata()
                .withNewSpec().addNewContainer().withName("app").withImage("busybox").endContainer().endSpec().build();
    }

    /** The mock API server in expectations mode (canned answers per path), for HTTP errors CRUD mode cannot produce. */
    static final class ExpectationServer implements AutoCloseable {
        final KubernetesMockServer server;

        ExpectationServer() {
            Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
            server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                    new KubernetesMixedDispatcher(responses), false);
            server.init(InetAddress.getLoopbackAddress(), 0);
        }

        String url() {
            return "http://" + server.getHostName() + ":" + server.getPort();
        }

        Path kubeconfig(Path dir) throws IOException {
            return Files.writeString(dir.resolve("kubeconfig-expect"), """
                    apiVersion: v1
                    kind: Config
                    clusters:
                    - name: lab
                      cluster:
                        server: %s
                    contexts:
                    - name: lab
                      context:
                        cluster: lab
                        user: lab
                        namespace: shop
                    current-context: lab
                    users:
                    - name: lab
                      user:
                        token: lab-token
                    """.formatted(url()));
        }

        @Override
        public void close() {
            server.destroy();
        }
    }
}
