package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import io.k8scap.node.pod.HelperPodMock;
import io.k8scap.node.pod.HelperPods;
import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.pod.PodNodeSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8scap debug --via agent -- CMD} end to end with the REAL node side: the API server is the
 * only stand-in ({@link HelperPodMock}), its pods/exec runs the exec'd argv on this machine as the
 * kubelet runs it in a privileged hostPID helper pod (see ViaPodLabTest). Two execs per run: locate.sh
 * under {@code nsenter -t 1 …} (the node's runtime CLIs), then debug.sh as a plain {@code sh -c} in
 * the helper container — here this machine plays the helper image, whose ip/hostname/printf run
 * inside the lab containers' namespaces.
 */
@Tag("lab")
@Timeout(120)
class DebugAgentLabTest {
    private static Lab lab;
    private static HelperPodMock api;
    private static Path kubeconfig;

    @TempDir
    static Path dir;

    private int execsBefore;
    private int seenBefore;

    @BeforeAll
    static void startApi() throws IOException {
        lab = Lab.load();
        api = new HelperPodMock().execLocally().kubelet(HelperPodMock::running);
        MockCluster.loadLab(api.client(), lab);
        lab.podKeys().stream().map(k -> lab.pod(k).namespace()).distinct().forEach(ns -> api.namespace(ns, null));
        kubeconfig = api.writeKubeconfig(dir, "default");
    }

    @AfterAll
    static void stopApi() {
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void mark() {
        execsBefore = api.localExecs().size();
        seenBefore = api.seenHelperPods().size();
    }

    /** k8scap debug -n NS POD --via agent [extra…] -- CMD… (no SSH flags: the agent way never uses SSH). */
    private static CliRunner.Result debug(String key, List<String> extra, String... cmd) {
        Lab.LabPod pod = lab.pod(key);
        List<String> all = new ArrayList<>(List.of("debug", "-n", pod.namespace(), pod.name(), "--via", "agent",
                "--kubeconfig", kubeconfig.toString()));
        all.addAll(extra);
        all.add("--");
        all.addAll(List.of(cmd));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static CliRunner.Result debug(String key, String... cmd) {
        return debug(key, List.of(), cmd);
    }

    private List<HelperPodMock.LocalExec> execsOfThisTest() {
        List<HelperPodMock.LocalExec> all = api.localExecs();
        return all.subList(execsBefore, all.size());
    }

    private List<Pod> helpersOfThisTest() {
        List<Pod> all = api.seenHelperPods();
        return all.subList(seenBefore, all.size());
    }

    private static void assertNoHelperPodLeft() {
        assertThat(api.helperPods()).as("helper pods (label %s=%s) left in the API", HelperPods.MANAGED_BY, HelperPods.MANAGED_BY_VALUE)
                .isEmpty();
    }

    /** One helper pod, with the agent's spec, whose two execs were locate (node tools) then the command (image tools). */
    private void assertOneHelperTwoExecs(String key, String image) throws Exception {
        List<Pod> helpers = helpersOfThisTest();
        assertThat(helpers).hasSize(1);
        Pod helper = helpers.get(0);
        assertThat(helper.getMetadata().getNamespace()).isEqualTo(lab.pod(key).namespace());
        assertThat(helper.getMetadata().getName()).startsWith("k8scap-helper-" + Lab.NODE_NAME + "-");
        assertThat(helper.getMetadata().getLabels()).containsEntry(HelperPods.MANAGED_BY, HelperPods.MANAGED_BY_VALUE)
                .containsKey(HelperPods.SESSION_LABEL);
        var spec = helper.getSpec();
        assertThat(spec.getNodeName()).isEqualTo(Lab.NODE_NAME);
        assertThat(spec.getHostPID()).isTrue();
        assertThat(spec.getActiveDeadlineSeconds()).isEqualTo(PodAccessSettings.DEFAULT_LIFETIME.plus(PodAccessSettings.GRACE).toSeconds());
        assertThat(spec.getContainers()).singleElement().satisfies(c -> {
            assertThat(c.getImage()).isEqualTo(image);
            assertThat(c.getSecurityContext().getPrivileged()).isTrue();
        });
        List<HelperPodMock.LocalExec> execs = execsOfThisTest();
        assertThat(execs).hasSize(2).allSatisfy(e -> assertThat(e.pod()).isEqualTo(helper.getMetadata().getName()));
        assertThat(execs.get(0).argv()).as("locate with the node's tools").isEqualTo(PodNodeSession.argv(PodAccessSettings.Tools.NODE, false));
        assertThat(execs.get(1).argv()).as("the command with the helper image's tools")
                .isEqualTo(PodNodeSession.argv(PodAccessSettings.Tools.HELPER_IMAGE, false));
        assertThat(execs.get(1).exit().get(10, TimeUnit.SECONDS)).isNotNull();
        assertNoHelperPodLeft();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd"})
    void ipAddrShowsThePodsAddressOnEth0ThroughOneHelperPodThatIsThenDeleted(String key) throws Exception {
        var r = debug(key, "ip", "-o", "addr").assertExit(0);
        assertThat(r.out()).containsPattern("(?m)^\\d+: eth0\\s+inet " + lab.pod(key).podIP().replace(".", "\\.") + "/");
        assertThat(r.out()).as("the node's own bridge must not be visible").doesNotContain("k8scap0").doesNotContain("10.244.77.1/");
        assertThat(r.err()).contains("creating helper pod").contains("on node " + Lab.NODE_NAME)
                .contains("it is removed when the session ends").doesNotContain("error");
        assertOneHelperTwoExecs(key, PodAccessSettings.DEFAULT_IMAGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd"})
    void hostnameIsThePodsUtsName(String key) throws Exception {
        long pid = lab.truth(key).pid();
        // The container's UTS name as the kernel has it (its PID's uts namespace), read with nsenter here.
        Process p = new ProcessBuilder("nsenter", "-t", String.valueOf(pid), "-u", "hostname").start();
        String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(expected).isNotBlank();

        var r = debug(key, "hostname").assertExit(0);
        assertThat(r.out().strip()).isEqualTo(expected);
    }

    /** (The containerd lab container keeps the host's name in its own UTS namespace: the namespaces are what tell.) */
    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd"})
    void entersTheTargetsNetPidUtsAndIpcNamespaces(String key) throws Exception {
        long pid = lab.truth(key).pid();
        var r = debug(key, "readlink", "/proc/self/ns/net", "/proc/self/ns/uts", "/proc/self/ns/ipc", "/proc/self/ns/pid_for_children")
                .assertExit(0);
        assertThat(r.out().lines().toList()).containsExactly(nsOf(pid, "net"), nsOf(pid, "uts"), nsOf(pid, "ipc"), nsOf(pid, "pid"));
        assertThat(nsOf(pid, "net")).as("the lab container has its own netns").isNotEqualTo(nsOf(ProcessHandle.current().pid(), "net"));
    }

    private static String nsOf(long pid, String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)).toString();
    }

    @Test
    void theRemoteExitStatusIsK8scapsAndTheHelperIsDeletedAfterAFailingCommand() throws Exception {
        var r = debug("docker", List.of("--image", "registry.example/netshoot:mirror"), "sh", "-c", "echo to-out; echo to-err >&2; exit 3")
                .assertExit(3);
        assertThat(r.out()).isEqualTo("to-out\n");
        assertThat(r.err()).contains("to-err\n").contains("registry.example/netshoot:mirror");
        assertOneHelperTwoExecs("docker", "registry.example/netshoot:mirror");
    }

    @Test
    void argumentsWithSpacesQuotesAndShellCharactersArriveIntact() throws Exception {
        Path canary = dir.resolve("canary");
        List<String> args = List.of("two words", "it's", "\"double\"", "$(touch " + canary + ")", "; echo injected", "*", "", "tab\there");
        List<String> cmd = new ArrayList<>(List.of("printf", "[%s]\\n"));
        cmd.addAll(args);
        var r = debug("containerd", cmd.toArray(String[]::new)).assertExit(0);
        assertThat(r.out().lines().toList()).containsExactlyElementsOf(args.stream().map(a -> "[" + a + "]").toList());
        assertThat(Files.exists(canary)).isFalse();
        assertNoHelperPodLeft();
    }

    @Test
    void aHelperImageWithoutNsenterIsUnavailableNamingTheImageAndTheHelperIsDeleted() throws Exception {
        // The node has its runtime CLIs (locate works); the image does not have nsenter: the real debug.sh
        // finds none, prints its marker line and exits 125 — which k8scap turns into one line about the image.
        api.imageWithout("nsenter");
        try {
            var r = debug("docker", List.of("--image", "registry.example/busybox:no-util-linux"), "ip", "-o", "addr").assertExit(6);
            assertThat(r.out()).isEmpty();
            assertThat(r.err().lines().filter(l -> l.startsWith("error:")).toList()).singleElement().satisfies(l -> assertThat(l)
                    .startsWith("error: helper image registry.example/busybox:no-util-linux has no nsenter (helper pod "
                            + lab.pod("docker").namespace() + "/k8scap-helper-" + Lab.NODE_NAME + "-")
                    .endsWith("); pass --image with an image that has util-linux nsenter (e.g. " + PodAccessSettings.DEFAULT_IMAGE + ")"));
            assertThat(r.err()).as("debug.sh's marker line is k8scap's business, not the user's").doesNotContain("k8scap-debug-error");
            List<HelperPodMock.LocalExec> execs = execsOfThisTest();
            assertThat(execs).hasSize(2);
            assertThat(execs.get(1).ranArgv()).as("the command ran in the image's filesystem, without nsenter").startsWith("unshare", "-m");
            assertThat(execs.get(1).exit().get(10, TimeUnit.SECONDS)).isEqualTo(125);
            assertNoHelperPodLeft();
        } finally {
            api.imageWithout();
        }
    }

    @Test
    void aContainerTheNodeDoesNotKnowIsNotFoundAndTheHelperIsDeleted() throws Exception {
        // The pod in the API names a container id no runtime on the node has: locate fails (exit 4).
        Lab.LabPod real = lab.pod("docker");
        Pod ghost = new io.fabric8.kubernetes.api.model.PodBuilder(api.client().pods().inNamespace(real.namespace()).withName(real.name()).get())
                .editMetadata().withName("ghost-agent").withResourceVersion(null).withUid(null).endMetadata().build();
        ghost.getStatus().getContainerStatuses().get(0).setContainerID("docker://" + "0123456789ab".repeat(5) + "cdef");
        api.client().pods().inNamespace(real.namespace()).resource(ghost).create();
        api.client().pods().inNamespace(real.namespace()).resource(ghost).updateStatus();
        try {
            List<String> all = List.of("debug", "-n", real.namespace(), "ghost-agent", "--via", "agent", "--kubeconfig", kubeconfig.toString(),
                    "--", "true");
            var r = CliRunner.run(all.toArray(String[]::new)).assertExit(4);
            assertThat(r.err()).contains("ghost-agent");
            assertThat(execsOfThisTest()).hasSize(1); // locate only: the command never ran
            assertNoHelperPodLeft();
        } finally {
            api.client().pods().inNamespace(real.namespace()).withName("ghost-agent").delete();
        }
    }
}
