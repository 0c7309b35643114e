package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8scap.lab.Lab;
import io.k8scap.lab.MockCluster;
import io.k8scap.node.pod.HelperPodMock;
import io.k8scap.node.pod.HelperPods;
import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.pod.PodNodeSession;
import java.io.IOException;
import java.io.InputStream;
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

/**
 * {@code k8scap debug --via agent} without a command, end to end: k8scap runs as its own JVM on a
 * real pseudo-terminal (pty_drive.py); the API server is the only stand-in ({@link HelperPodMock}),
 * whose pods/exec runs the exec'd argv on this machine as the kubelet does in a hostPID helper pod —
 * the TTY exec under a real pseudo-terminal of its own (pty_exec.py) resized from the exec's resize
 * channel. So locate.sh, debug.sh, nsenter into the lab's docker container and the shell are real.
 * Checked as a user would: a prompt, commands run in the pod's namespaces, the window size passed
 * and updated on resize, Ctrl+C reaching the remote program, the shell's exit status as k8scap's,
 * the terminal back in cooked mode, and no helper pod left — after exit, and after SIGTERM.
 */
@Tag("lab")
@Timeout(180)
class DebugAgentInteractiveLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Lab lab;
    private static HelperPodMock api;
    private static Path kubeconfig;
    private static Path driver;

    @TempDir
    static Path dir;

    private int execsBefore;

    @BeforeAll
    static void start() throws IOException {
        lab = Lab.load();
        api = new HelperPodMock().execLocally().kubelet(HelperPodMock::running);
        MockCluster.loadLab(api.client(), lab);
        lab.podKeys().stream().map(k -> lab.pod(k).namespace()).distinct().forEach(ns -> api.namespace(ns, null));
        kubeconfig = api.writeKubeconfig(dir, "default");
        driver = dir.resolve("pty_drive.py");
        try (InputStream in = DebugAgentInteractiveLabTest.class.getResourceAsStream("/io/k8scap/debug/pty_drive.py")) {
            Files.write(driver, in.readAllBytes());
        }
    }

    @AfterAll
    static void stop() {
        if (api != null) {
            api.close();
        }
    }

    @BeforeEach
    void mark() {
        execsBefore = api.localExecs().size();
    }

    /** Runs k8scap debug --via agent in its own JVM on a fresh pseudo-terminal of ROWS x COLS, driven by {@code steps}. */
    private static JsonNode drive(String key, int rows, int cols, List<List<Object>> steps) throws Exception {
        Lab.LabPod pod = lab.pod(key);
        List<String> argv = new ArrayList<>(List.of("python3", driver.toString(), JSON.writeValueAsString(steps),
                String.valueOf(rows), String.valueOf(cols), "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=off",
                "io.k8scap.K8sCap", "debug", "-n", pod.namespace(), pod.name(), "--via", "agent", "--kubeconfig", kubeconfig.toString()));
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("TERM", "xterm-256color");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(150, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return JSON.readTree(out);
    }

    private static List<Object> expect(String regex) {
        return List.of("expect", regex, 60);
    }

    private static List<Object> send(String text) {
        return List.of("send", text);
    }

    private List<HelperPodMock.LocalExec> execsOfThisTest() {
        List<HelperPodMock.LocalExec> all = api.localExecs();
        return all.subList(execsBefore, all.size());
    }

    private static void assertNoHelperPodLeft() {
        assertThat(api.helperPods()).as("helper pods (label %s=%s) left in the API", HelperPods.MANAGED_BY, HelperPods.MANAGED_BY_VALUE)
                .isEmpty();
    }

    @Test
    void aShellInThePodWithTheImagesToolsWindowSizeResizeCtrlCExitStatusAndNoHelperLeft() throws Exception {
        String hostname = lab.podProperty("docker", "sandboxID").substring(0, 12); // docker's pod hostname
        String podIp = lab.pod("docker").podIP().replace(".", "[.]");
        JsonNode r = drive("docker", 30, 100, List.of(
                expect("[#$] $"),
                send("echo hi-$((6*7)) $(hostname)\r"),
                expect("hi-42 " + hostname),
                send("ip -o addr show eth0 | grep -c " + podIp + "/; echo n-$((3*3))\r"),
                expect("[\r\n]1\r\nn-9\r\n"),
                send("stty size\r"),
                expect("[\r\n]30 100\r\n"),
                List.of("winsize", 40, 120),
                List.of("sleep", 1),
                send("stty size\r"),
                expect("[\r\n]40 120\r\n"),
                send("sleep 30; echo slept-$((2+2))\r"),
                List.of("sleep", 2),
                send("\u0003"),
                send("echo after-int-$((1+1))\r"),
                List.of("expect", "after-int-2", 20),
                send("exit 7\r")));
        String transcript = r.path("transcript").asText();
        assertThat(r.path("failed").isNull()).as("%s%n%s", r.path("failed"), transcript).isTrue();
        assertThat(transcript).as("Ctrl+C interrupted the remote sleep").doesNotContain("slept-4");
        assertThat(transcript).contains("creating helper pod k8scap-helper-" + Lab.NODE_NAME + "-");
        assertThat(r.path("exit").asInt()).as(transcript).isEqualTo(7);
        assertThat(r.path("echo").asBoolean()).as("ECHO restored").isTrue();
        assertThat(r.path("icanon").asBoolean()).as("ICANON restored").isTrue();
        assertThat(r.path("isig").asBoolean()).as("ISIG restored").isTrue();

        List<HelperPodMock.LocalExec> execs = execsOfThisTest();
        assertThat(execs).hasSize(2);
        assertThat(execs.get(0).argv()).as("locate with the node's tools").isEqualTo(PodNodeSession.argv(PodAccessSettings.Tools.NODE, false));
        assertThat(execs.get(1).tty()).as("the shell is a TTY exec").isTrue();
        assertThat(execs.get(1).argv().subList(0, 5)).containsExactly("sh", "-c", PodNodeSession.SHELL_BOOTSTRAP, "k8scap-shell", "xterm-256color");
        assertThat(execs.get(1).resizes()).startsWith("{\"Width\":100,\"Height\":30}").contains("{\"Width\":120,\"Height\":40}");
        assertNoHelperPodLeft();
    }

    @Test
    void sigtermRestoresTheTerminalAndDeletesTheHelperPod() throws Exception {
        JsonNode r = drive("containerd", 24, 80, List.of(
                expect("[#$] $"),
                send("echo ready-$((5*5))\r"),
                expect("ready-25"),
                List.of("signal", "TERM"),
                List.of("sleep", 3)));
        String transcript = r.path("transcript").asText();
        assertThat(r.path("failed").isNull()).as("%s%n%s", r.path("failed"), transcript).isTrue();
        assertThat(r.path("exit").asInt()).as(transcript).isEqualTo(143);
        assertThat(r.path("echo").asBoolean()).as("ECHO restored").isTrue();
        assertThat(r.path("icanon").asBoolean()).as("ICANON restored").isTrue();
        assertNoHelperPodLeft();
        HelperPodMock.LocalExec shell = execsOfThisTest().get(1);
        assertThat(shell.exit().get(20, TimeUnit.SECONDS)).as("the remote shell ended when k8scap went (hang-up)").isNotNull();
    }
}
