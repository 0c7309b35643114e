package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.lab.Lab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8scap debug --via node -- CMD} end to end, as a user runs it: the lab's real dockershim-
 * and containerd-style containers on a real node reached over strict-host-key SSH, nsenter on the
 * node; the only stand-in is the API server. What the command shows is checked against what the
 * container itself (docker exec / ctr tasks exec) and the kernel (/proc/PID/ns) say.
 */
@Tag("lab")
class DebugNodeLabTest {
    private static LabCli env;
    private static Lab lab;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() throws IOException {
        env = LabCli.start(dir);
        lab = env.lab();
    }

    @AfterAll
    static void stopCluster() {
        if (env != null) {
            env.close();
        }
    }

    /** k8scap debug -n NS POD --via node [extra…] -- CMD… */
    private static CliRunner.Result debug(String key, List<String> extra, String... cmd) {
        Lab.LabPod pod = lab.pod(key);
        List<String> all = new ArrayList<>(List.of("debug", "-n", pod.namespace(), pod.name(), "--via", "node"));
        all.addAll(env.accessArgs());
        all.addAll(extra);
        all.add("--");
        all.addAll(List.of(cmd));
        return CliRunner.run(all.toArray(String[]::new));
    }

    private static CliRunner.Result debug(String key, String... cmd) {
        return debug(key, List.of(), cmd);
    }

    /** What the container itself says when running {@code cmd} (docker exec / ctr tasks exec). */
    private static String inContainer(String key, String... cmd) throws IOException, InterruptedException {
        Lab.LabPod pod = lab.pod(key);
        String id = pod.containerId().substring(pod.containerId().indexOf("://") + 3);
        List<String> argv = new ArrayList<>();
        if (pod.containerId().startsWith("docker://")) {
            argv.addAll(List.of("docker", "exec", id));
        } else {
            argv.addAll(List.of("ctr", "-n", "k8s.io", "tasks", "exec", "--exec-id", "k8scap-debug-test-" + ProcessHandle.current().pid(), id));
        }
        argv.addAll(List.of(cmd));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static String nsOf(long pid, String ns) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/" + ns)).toString();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd"})
    void ipAddrShowsThePodsAddressOnEth0(String key) {
        var r = debug(key, "ip", "-o", "addr").assertExit(0);
        assertThat(r.out()).containsPattern("(?m)^\\d+: eth0\\s+inet " + lab.pod(key).podIP().replace(".", "\\.") + "/");
        assertThat(r.out()).as("the node's own bridge must not be visible").doesNotContain("k8scap0").doesNotContain("10.244.77.1/");
        assertThat(r.err()).doesNotContain("error");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd"})
    void hostnameIsTheOneTheContainerSees(String key) throws Exception {
        String expected = inContainer(key, "hostname").strip();
        var r = debug(key, "hostname").assertExit(0);
        assertThat(r.out().strip()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd"})
    void entersTheTargetsNetPidUtsAndIpcNamespacesButNotItsMountNamespace(String key) throws IOException {
        long pid = lab.truth(key).pid();
        var r = debug(key, "readlink", "/proc/self/ns/net", "/proc/self/ns/uts", "/proc/self/ns/ipc", "/proc/self/ns/pid_for_children",
                "/proc/self/ns/mnt").assertExit(0);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.subList(0, 4)).containsExactly(nsOf(pid, "net"), nsOf(pid, "uts"), nsOf(pid, "ipc"), nsOf(pid, "pid"));
        assertThat(lines.get(4)).as("a private mount namespace, neither the node's nor the container's")
                .isNotEqualTo(nsOf(pid, "mnt")).isNotEqualTo(nsOf(ProcessHandle.current().pid(), "mnt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd"})
    void psShowsTheTargetsProcessesOnly(String key) {
        var r = debug(key, "ps", "-e", "-o", "pid=,comm=").assertExit(0);
        List<String> procs = r.out().lines().map(String::strip).toList();
        assertThat(procs).as(r.out()).anyMatch(l -> l.matches("1 httpd"));
        assertThat(procs).as("no node process (sshd, java, dockerd) in the pod's PID namespace")
                .noneMatch(l -> l.endsWith(" sshd") || l.endsWith(" java") || l.endsWith(" dockerd") || l.endsWith(" containerd"));
        assertThat(procs.size()).as(r.out()).isLessThan(10);
    }

    @Test
    void mountShowsTheContainersFilesystem() throws Exception {
        long pid = lab.truth("docker").pid();
        List<String> expected;
        try (var s = Files.list(Path.of("/proc/" + pid + "/root/"))) {
            expected = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        var r = debug("docker", List.of("--mount"), "ls", "-1a", "/").assertExit(0);
        List<String> got = r.out().lines().filter(l -> !l.equals(".") && !l.equals("..")).sorted().toList();
        assertThat(got).isEqualTo(expected);
        assertThat(got).as("the lab container's own web root").contains("www");
    }

    @Test
    void theRemoteExitStatusIsK8scapsExitStatus() {
        var r = debug("docker", "sh", "-c", "exit 3").assertExit(3);
        assertThat(r.err()).isEmpty();
        debug("containerd", "false").assertExit(1);
    }

    @Test
    void stdoutAndStderrStayApart() {
        var r = debug("containerd", "sh", "-c", "echo to-out; echo to-err >&2").assertExit(0);
        assertThat(r.out()).isEqualTo("to-out\n");
        assertThat(r.err()).isEqualTo("to-err\n");
    }

    @Test
    void argumentsWithSpacesQuotesAndShellCharactersArriveIntact() throws IOException {
        Path canary = dir.resolve("canary");
        List<String> args = List.of("two words", "it's", "\"double\"", "$(touch " + canary + ")", "; echo injected", "*", "", "tab\there");
        List<String> cmd = new ArrayList<>(List.of("printf", "[%s]\\n"));
        cmd.addAll(args);
        var r = debug("docker", cmd.toArray(String[]::new)).assertExit(0);
        assertThat(r.out().lines().toList()).containsExactlyElementsOf(args.stream().map(a -> "[" + a + "]").toList());
        assertThat(Files.exists(canary)).isFalse();
    }

    @Test
    void anUnknownCommandIsTheRemoteShellsStatus() {
        var r = debug("docker", "no-such-tool-k8scap").assertExit(127);
        assertThat(r.err()).contains("no-such-tool-k8scap");
    }

    @Test
    void preflightChecksNodeAccessAndCreatesNothing() {
        Lab.LabPod pod = lab.pod("docker");
        List<String> all = new ArrayList<>(List.of("debug", "-n", pod.namespace(), pod.name(), "--via", "node", "--preflight"));
        all.addAll(env.accessArgs());
        var r = CliRunner.run(all.toArray(String[]::new)).assertExit(0);
        assertThat(r.err()).contains("preflight: ok: SSH to node lab-node-1")
                .contains("runs as PID " + lab.truth("docker").pid()).contains("preflight: ok: nsenter");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aWrongHostKeyStopsBeforeAnythingRuns() {
        Lab.LabPod pod = lab.pod("docker");
        List<String> all = new ArrayList<>(List.of("debug", "-n", pod.namespace(), pod.name(), "--via", "node"));
        all.addAll(env.accessArgs());
        all.addAll(List.of("--known-hosts", lab.wrongKnownHosts().toString(), "--", "true"));
        var r = CliRunner.run(all.toArray(String[]::new)).assertExit(3);
        assertThat(r.err()).contains(lab.hostKeyFingerprint());
    }

    @Test
    void anUnreachableNodeIsUnavailable() {
        Lab.LabPod pod = lab.pod("docker");
        List<String> all = new ArrayList<>(List.of("debug", "-n", pod.namespace(), pod.name(), "--via", "node"));
        all.addAll(env.accessArgs());
        all.addAll(List.of("--ssh-port", "1", "--ssh-timeout", "3s", "--", "true"));
        var r = CliRunner.run(all.toArray(String[]::new)).assertExit(6);
        assertThat(r.err()).contains("lab-node-1");
    }
}
