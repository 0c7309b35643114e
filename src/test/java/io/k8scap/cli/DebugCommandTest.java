package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusMessage;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.k8scap.debug.EphemeralSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8scap debug} as a user sees it, against fabric8's mock API server: the usage errors,
 * {@code --via ephemeral} (the exact container sent through pods/ephemeralcontainers, the warning
 * before it, image pull failures and the timeout from the statuses served, exec over a scripted
 * websocket with its exit status) and the preflight checks (SelfSubjectAccessReview, PodSecurity).
 */
@EnableKubernetesMockClient(crud = true)
class DebugCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NS = "lab";
    private static final String POD = "web";
    private static final String BASE = "/api/v1/namespaces/" + NS + "/pods/" + POD;

    KubernetesMockServer server;
    KubernetesClient client;

    @TempDir
    Path dir;

    private Path kubeconfig;
    /** What the PATCH carried, and what stderr held when it arrived. */
    private final AtomicReference<String> patchBody = new AtomicReference<>();
    private final AtomicReference<String> stderrAtPatch = new AtomicReference<>();
    private final AtomicReference<String> debugName = new AtomicReference<>();
    private ByteArrayOutputStream err;
    /** SSAR answers: "verb resource/subresource" → allowed; absent → allowed. */
    private final Map<String, Boolean> rbac = new ConcurrentHashMap<>();
    private final List<String> reviewed = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: {server: "%s", insecure-skip-tls-verify: true}
                contexts:
                - name: mock
                  context: {cluster: mock, user: mock, namespace: %s}
                current-context: mock
                users:
                - name: mock
                  user: {token: t}
                """.formatted(server.url("/").replaceAll("/$", ""), NS));
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build()).create();
        client.pods().inNamespace(NS).resource(pod(null)).create();
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews").andReply(201, req -> {
            SelfSubjectAccessReview r = Serialization.unmarshal(req.getBody().readUtf8(), SelfSubjectAccessReview.class);
            var a = r.getSpec().getResourceAttributes();
            String key = a.getVerb() + " " + a.getResource() + (a.getSubresource() == null ? "" : "/" + a.getSubresource());
            synchronized (reviewed) {
                reviewed.add(key + " -n " + a.getNamespace());
            }
            boolean allowed = rbac.getOrDefault(key, true);
            return new SelfSubjectAccessReviewBuilder(r).withNewStatus().withAllowed(allowed)
                    .withReason(allowed ? null : "no RBAC policy matched").endStatus().build();
        }).always();
    }

    /** The pod with its app container running, and the debug container in {@code debugState} (null: none). */
    private static Pod pod(Function<ContainerStatusBuilder, ContainerStatusBuilder> debugState, String... debugName) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(POD).withNamespace(NS).endMetadata()
                .withNewSpec().withNodeName("node-1").addNewContainer().withName("app").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("10.1.2.3")
                .addToContainerStatuses(new ContainerStatusBuilder().withName("app").withContainerID("containerd://abc123")
                        .withNewState().withNewRunning().endRunning().endState().build())
                .endStatus();
        if (debugState != null) {
            b.editSpec().addToEphemeralContainers(new EphemeralContainerBuilder().withName(debugName[0]).withImage("x").build()).endSpec();
            b.editStatus().addToEphemeralContainerStatuses(debugState.apply(new ContainerStatusBuilder().withName(debugName[0])).build()).endStatus();
        }
        return b.build();
    }

    /** Serves the PATCH (recording it) and then the pod with the debug container in the given state. */
    private void serveEphemeral(Function<ContainerStatusBuilder, ContainerStatusBuilder> state) {
        server.expect().patch().withPath(BASE + "/ephemeralcontainers").andReply(200, req -> {
            patchBody.set(req.getBody().readUtf8());
            stderrAtPatch.set(err.toString(StandardCharsets.UTF_8));
            try {
                debugName.set(JSON.readTree(patchBody.get()).at("/spec/ephemeralContainers/0/name").asText());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return pod(state, debugName.get());
        }).always();
        server.expect().get().withPath(BASE).andReply(200, req -> debugName.get() == null ? pod(null) : pod(state, debugName.get())).always();
    }

    private static Function<ContainerStatusBuilder, ContainerStatusBuilder> running() {
        return s -> s.withNewState().withNewRunning().endRunning().endState();
    }

    private static Function<ContainerStatusBuilder, ContainerStatusBuilder> waiting(String reason, String message) {
        return s -> s.withNewState().withNewWaiting().withReason(reason).withMessage(message).endWaiting().endState();
    }

    private CliRunner.Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("debug", "--kubeconfig", kubeconfig.toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Cli.run(all.toArray(String[]::new), o, e);
        }
        return new CliRunner.Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static String execPath(String container, List<String> command) {
        String cmd = command.stream().map(c -> "command=" + URLEncoder.encode(c, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("&"));
        return BASE + "/exec?" + cmd + "&container=" + container + "&stdout=true&stderr=true";
    }

    /** Serves the PATCH; when it arrives, arms the exec websocket for the container it named. */
    private void serveEphemeralThenExec(List<String> command, int exitCode) {
        server.expect().patch().withPath(BASE + "/ephemeralcontainers").andReply(200, req -> {
            patchBody.set(req.getBody().readUtf8());
            stderrAtPatch.set(err.toString(StandardCharsets.UTF_8));
            try {
                debugName.set(JSON.readTree(patchBody.get()).at("/spec/ephemeralContainers/0/name").asText());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.expect().get().withPath(execPath(debugName.get(), command)).andUpgradeToWebSocket().open()
                    .waitFor(50).andEmit(new OutputStreamMessage("hello from the debug container\n"))
                    .waitFor(20).andEmit(new ErrorStreamMessage("a warning\n"))
                    .waitFor(20).andEmit(new StatusMessage(exitStatus(exitCode)))
                    .done().once();
            return pod(running(), debugName.get());
        }).once();
        server.expect().get().withPath(BASE).andReply(200, req -> debugName.get() == null ? pod(null) : pod(running(), debugName.get())).always();
        // exec also lists the pod by name (waiting for it to be ready); CRUD mode would serve the stored
        // pod, which does not have the debug container
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods?fieldSelector=metadata.name%3D" + POD)
                .andReply(200, req -> new io.fabric8.kubernetes.api.model.PodListBuilder()
                        .addToItems(debugName.get() == null ? pod(null) : pod(running(), debugName.get())).build()).always();
    }

    /** The status frame a real API server sends on channel 3 when the command has ended. */
    private static io.fabric8.kubernetes.api.model.Status exitStatus(int code) {
        if (code == 0) {
            return new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Success").build();
        }
        return new io.fabric8.kubernetes.api.model.StatusBuilder().withStatus("Failure").withReason("NonZeroExitCode")
                .withMessage("command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code " + code)
                .withNewDetails().addNewCause().withReason("ExitCode").withMessage(String.valueOf(code)).endCause().endDetails().build();
    }

    // ---- usage ------------------------------------------------------------------------------

    @Test
    void withoutATerminalAndWithoutACommandIsAUsageErrorExplainingDashDash() {
        var r = run(POD, "--via", "node").assertExit(2);
        assertThat(r.err()).contains("no terminal for an interactive session").contains("-- ip addr").contains("Usage: k8scap debug");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aCommandWithoutDashDashIsRefused() {
        var r = run(POD, "ip", "addr").assertExit(2);
        assertThat(r.err()).contains("put the command after --");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--mount|--via ephemeral|--mount is for --via node",
        "--image=alpine|--via node|--image, --profile and --env are for --via ephemeral",
        "--env=NOEQUALS|--via ephemeral|--env takes KEY=VALUE",
        "--profile=root|--via ephemeral|root",
        "--via=kubectl|--preflight|kubectl"})
    void optionsThatDoNotFitAreUsageErrors(String option, String via, String message) {
        List<String> args = new ArrayList<>(List.of(POD, option));
        args.addAll(List.of(via.split(" ")));
        args.addAll(List.of("--", "true"));
        var r = run(args.toArray(String[]::new)).assertExit(2);
        assertThat(r.err()).contains(message);
        assertThat(patchBody.get()).isNull();
    }

    @Test
    void anInteractiveAgentSessionWithoutATerminalIsAUsageErrorBeforeAnythingIsCreated() {
        var r = run(POD, "--via", "agent").assertExit(2);
        assertThat(r.err()).contains("no terminal for an interactive session").contains("-- ip addr");
        assertThat(client.pods().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "k8scap").list().getItems()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--profile=netadmin|--via agent|--profile and --env are for --via ephemeral",
        "--env=A=B|--via agent|--profile and --env are for --via ephemeral",
        "--mount|--via agent|--mount is for --via node",
        "--helper-namespace=tools|--via node|--helper-namespace is for --via agent"})
    void agentOptionsThatDoNotFitAreUsageErrors(String option, String via, String message) {
        List<String> args = new ArrayList<>(List.of(POD, option));
        args.addAll(List.of(via.split(" ")));
        args.addAll(List.of("--", "true"));
        var r = run(args.toArray(String[]::new)).assertExit(2);
        assertThat(r.err()).contains(message);
        assertThat(client.pods().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "k8scap").list().getItems()).isEmpty();
    }

    // ---- --via ephemeral ----------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "general |{\"capabilities\":{\"add\":[\"SYS_PTRACE\"]}}",
        "netadmin|{\"capabilities\":{\"add\":[\"NET_ADMIN\",\"NET_RAW\"]}}",
        "sysadmin|{\"privileged\":true}"})
    void sendsTheEphemeralContainerThroughTheSubresourceWithTheProfilesCapabilities(String profile, String securityContext) throws IOException {
        serveEphemeralThenExec(List.of("ss", "-tn"), 0);
        var r = run(POD, "--profile", profile, "--env", "A=1", "--env", "B=two words", "--", "ss", "-tn").assertExit(0);

        JsonNode body = JSON.readTree(patchBody.get());
        assertThat(body.fieldNames()).toIterable().containsExactly("spec");
        JsonNode ec = body.at("/spec/ephemeralContainers");
        assertThat(ec.size()).isEqualTo(1);
        JsonNode c = ec.get(0);
        assertThat(c.path("name").asText()).matches("k8scap-debug-[bcdfghjklmnpqrstvwxz2456789]{5}");
        assertThat(c.path("image").asText()).isEqualTo(EphemeralSpec.DEFAULT_IMAGE).isEqualTo("nicolaka/netshoot:v0.13");
        assertThat(c.path("targetContainerName").asText()).isEqualTo("app");
        assertThat(c.path("securityContext")).isEqualTo(JSON.readTree(securityContext));
        assertThat(c.path("command")).isEqualTo(JSON.readTree("[\"sleep\",\"3600\"]"));
        assertThat(c.path("env")).isEqualTo(JSON.readTree("[{\"name\":\"A\",\"value\":\"1\"},{\"name\":\"B\",\"value\":\"two words\"}]"));
        assertThat(c.has("stdin")).as("no stdin/tty for a command").isFalse();
        assertThat(r.out()).isEqualTo("hello from the debug container\n");
    }

    @Test
    void theImageAndTargetCanBeChosen() throws IOException {
        serveEphemeralThenExec(List.of("true"), 0);
        run(POD, "--image", "registry.local/tools:1", "--target", "app", "--", "true").assertExit(0);
        JsonNode c = JSON.readTree(patchBody.get()).at("/spec/ephemeralContainers/0");
        assertThat(c.path("image").asText()).isEqualTo("registry.local/tools:1");
        assertThat(c.path("targetContainerName").asText()).isEqualTo("app");
    }

    @Test
    void warnsThatEphemeralContainersCannotBeRemovedBeforeAddingOne() {
        serveEphemeralThenExec(List.of("true"), 0);
        var r = run(POD, "--", "true").assertExit(0);
        assertThat(stderrAtPatch.get()).as("stderr when the PATCH arrived")
                .contains("warning: adding ephemeral container " + debugName.get())
                .contains("ephemeral containers cannot be removed from a pod");
        assertThat(r.err()).contains("cannot be removed");
    }

    @Test
    void theExecsExitStatusAndStreamsPassThrough() {
        serveEphemeralThenExec(List.of("sh", "-c", "exit 3"), 3);
        var r = run(POD, "--", "sh", "-c", "exit 3").assertExit(3);
        assertThat(r.out()).isEqualTo("hello from the debug container\n");
        assertThat(r.err()).contains("a warning\n").doesNotContain("hello from");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ErrImagePull    |rpc error: pull access denied for nicolaka/netshoot:v0.13",
        "ImagePullBackOff|Back-off pulling image \"nicolaka/netshoot:v0.13\"",
        "InvalidImageName|couldn't parse image reference \"UPPER:case\""})
    void anImagePullFailureIsReportedFromTheStatusWithoutWaiting(String reason, String message) {
        serveEphemeral(waiting(reason, message));
        long t0 = System.nanoTime();
        var r = run(POD, "--timeout", "60s", "--", "true").assertExit(6);
        assertThat((System.nanoTime() - t0) / 1_000_000).as("no waiting for the timeout").isLessThan(20_000);
        assertThat(r.err()).contains("debug container " + debugName.get() + " in pod lab/web cannot start: " + reason + ": " + message)
                .contains("check --image");
    }

    @Test
    void aContainerThatNeverStartsTimesOutWithItsLastState() {
        serveEphemeral(waiting("ContainerCreating", ""));
        long t0 = System.nanoTime();
        var r = run(POD, "--timeout", "1s", "--", "true").assertExit(6);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(15_000);
        assertThat(r.err()).contains("did not start within 1s (last state: waiting: ContainerCreating)").contains("--timeout");
    }

    @Test
    void aContainerThatExitedEarlyIsReported() {
        serveEphemeral(s -> s.withNewState().withNewTerminated().withReason("Error").withExitCode(1).endTerminated().endState());
        var r = run(POD, "--", "true").assertExit(6);
        assertThat(r.err()).contains("exited before k8scap could use it (Error, exit code 1");
    }

    @Test
    void aClusterWithoutTheSubresourcePointsToViaNode() {
        server.expect().patch().withPath(BASE + "/ephemeralcontainers").andReturn(404, "404 page not found").always();
        var r = run(POD, "--", "true").assertExit(6);
        assertThat(r.err()).contains("does not serve pods/ephemeralcontainers").contains("use --via node");
    }

    @ParameterizedTest(name = "--via {0}")
    @ValueSource(strings = {"ephemeral", "agent", "node"})
    void anUnknownPodOrContainerIsNotFoundBeforeAnythingIsCreated(String via) {
        var r = run("nosuchpod", "--via", via, "--", "true").assertExit(4);
        assertThat(r.err()).contains("nosuchpod");
        r = run(POD, "-c", "nosuch", "--via", via, "--", "true").assertExit(4);
        assertThat(r.err().strip()).isEqualTo("error: container 'nosuch' not found in pod lab/web; its containers: app (pick one with -c)");
        assertThat(patchBody.get()).isNull();
        assertThat(client.pods().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "k8scap").list().getItems()).isEmpty();
    }

    /**
     * The pod status says the target container is not running: exit 6 (unavailable: it exists, it
     * just does not run now), the same for every way and the same as locate and capture, decided
     * from the pod status before anything is added, created or connected to.
     */
    @ParameterizedTest(name = "--via {0}, {1}")
    @CsvSource(delimiter = '|', value = {
        "ephemeral|waiting   |waiting: CrashLoopBackOff",
        "agent    |waiting   |waiting: CrashLoopBackOff",
        "node     |waiting   |waiting: CrashLoopBackOff",
        "ephemeral|terminated|terminated: Error, exit code 137",
        "agent    |terminated|terminated: Error, exit code 137",
        "node     |terminated|terminated: Error, exit code 137",
        "agent    |no id     |no container ID yet",
        "node     |no id     |no container ID yet"})
    void aTargetContainerThatIsNotRunningIsUnavailableBeforeAnythingIsCreated(String via, String state, String shown) {
        var status = new ContainerStatusBuilder().withName("app");
        switch (state) {
            case "waiting" -> status.withContainerID("containerd://abc123").withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                    .withMessage("back-off 5m0s restarting failed container=app").endWaiting().endState();
            case "terminated" -> status.withContainerID("containerd://abc123").withNewState().withNewTerminated().withReason("Error")
                    .withExitCode(137).endTerminated().endState();
            default -> status.withNewState().withNewRunning().endRunning().endState(); // running, but the kubelet has not reported its ID
        }
        client.pods().inNamespace(NS).withName(POD).editStatus(p -> new PodBuilder(p).editStatus()
                .withContainerStatuses(status.build()).endStatus().build());
        server.expect().patch().withPath(BASE + "/ephemeralcontainers").andReply(200, req -> {
            patchBody.set(req.getBody().readUtf8());
            return pod(null);
        }).always();

        var r = run(POD, "--via", via, "--", "true").assertExit(6);
        assertThat(r.err().strip()).as("one line").doesNotContain("\n")
                .isEqualTo("error: container app of pod lab/web is not running (" + shown + "); see kubectl describe pod web -n lab");
        assertThat(patchBody.get()).as("no ephemeral container added").isNull();
        assertThat(client.pods().inAnyNamespace().withLabel("app.kubernetes.io/managed-by", "k8scap").list().getItems())
                .as("no helper pod").isEmpty();
        assertThat(reviewed).as("not even the preflight ran").isEmpty();
    }

    // ---- preflight ------------------------------------------------------------------------------

    @Test
    void preflightReportsEachCheckAndCreatesNothing() {
        serveEphemeral(running());
        var r = run(POD, "--preflight").assertExit(0);
        assertThat(r.err()).contains("preflight: ok: get pods -n lab")
                .contains("preflight: ok: patch pods/ephemeralcontainers -n lab")
                .contains("preflight: ok: create pods/attach -n lab")
                .contains("preflight: ok: PodSecurity of namespace lab for profile general: no pod-security.kubernetes.io/enforce label");
        assertThat(patchBody.get()).as("nothing added").isNull();
        assertThat(reviewed).contains("patch pods/ephemeralcontainers -n lab", "create pods/attach -n lab", "get pods -n lab");
    }

    @ParameterizedTest
    @ValueSource(strings = {"patch pods/ephemeralcontainers", "create pods/exec"})
    void anRbacRefusalStopsBeforeAddingAnything(String denied) {
        serveEphemeral(running());
        rbac.put(denied, false);
        var r = run(POD, "--", "true").assertExit(5);
        assertThat(r.err()).contains("error: preflight: refused: " + denied + " -n lab: RBAC does not allow it (no RBAC policy matched)");
        assertThat(r.err().lines().filter(l -> l.startsWith("error: preflight: refused"))).hasSize(1);
        assertThat(patchBody.get()).as("nothing added").isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "baseline  |netadmin|refuses capabilities NET_ADMIN and NET_RAW",
        "restricted|sysadmin|refuses a privileged container",
        "baseline  |general |refuses capability SYS_PTRACE"})
    void aPodSecurityLevelThatRefusesTheProfileStopsBeforeAddingAnything(String level, String profile, String message) {
        client.namespaces().withName(NS).edit(n -> new NamespaceBuilder(n).editMetadata()
                .addToLabels("pod-security.kubernetes.io/enforce", level).endMetadata().build());
        serveEphemeral(running());
        var r = run(POD, "--profile", profile, "--", "true").assertExit(5);
        assertThat(r.err()).contains("preflight: refused: PodSecurity of namespace lab for profile " + profile + ": enforce=" + level + " " + message);
        assertThat(patchBody.get()).isNull();
    }

    @Test
    void aPrivilegedNamespaceAllowsSysadmin() {
        client.namespaces().withName(NS).edit(n -> new NamespaceBuilder(n).editMetadata()
                .addToLabels("pod-security.kubernetes.io/enforce", "privileged").endMetadata().build());
        serveEphemeralThenExec(List.of("true"), 0);
        run(POD, "--profile", "sysadmin", "--", "true").assertExit(0);
        assertThat(patchBody.get()).contains("\"privileged\":true");
    }
}
