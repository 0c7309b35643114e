package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8scap.lab.Lab;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code k8scap debug --via node} without a command: k8scap runs as its own JVM on a real
 * pseudo-terminal (driven by {@code pty_drive.py}, python's termios/pty), opens a PTY on the lab
 * node over SSH and hands the user a shell inside the pod's namespaces. Checked as a user would:
 * a prompt, commands evaluated remotely, the window size passed and updated on resize, Ctrl+C
 * reaching the remote program (not k8scap), the shell's exit status, and the terminal back in
 * cooked mode afterwards.
 */
@Tag("lab")
class DebugInteractiveLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LabCli env;
    private static Lab lab;
    private static Path driver;

    @TempDir
    static Path dir;

    @BeforeAll
    static void start() throws IOException {
        env = LabCli.start(dir);
        lab = env.lab();
        driver = dir.resolve("pty_drive.py");
        try (InputStream in = DebugInteractiveLabTest.class.getResourceAsStream("/io/k8scap/debug/pty_drive.py")) {
            Files.write(driver, in.readAllBytes());
        }
    }

    @AfterAll
    static void stop() {
        if (env != null) {
            env.close();
        }
    }

    /** Runs k8scap debug in its own JVM on a fresh pseudo-terminal of ROWS x COLS, driven by {@code steps}. */
    private static JsonNode drive(String key, int rows, int cols, List<List<Object>> steps, String... extra) throws Exception {
        Lab.LabPod pod = lab.pod(key);
        List<String> argv = new ArrayList<>(List.of("python3", driver.toString(), JSON.writeValueAsString(steps),
                String.valueOf(rows), String.valueOf(cols), "--",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                "io.k8scap.K8sCap", "debug", "-n", pod.namespace(), pod.name(), "--via", "node"));
        argv.addAll(env.accessArgs());
        argv.addAll(List.of(extra));
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return JSON.readTree(out);
    }

    private static List<Object> expect(String regex) {
        return List.of("expect", regex, 30);
    }

    private static List<Object> send(String text) {
        return List.of("send", text);
    }

    @Test
    void aShellInThePodWithWindowSizeResizeCtrlCAndTheTerminalRestored() throws Exception {
        String hostname = lab.podProperty("docker", "sandboxID").substring(0, 12); // docker's pod hostname
        JsonNode r = drive("docker", 30, 100, List.of(
                expect("[#$] $"),
                send("echo hi-$((6*7)) $(hostname)\r"),
                expect("hi-42 " + hostname),
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
                List.of("expect", "after-int-2", 10),
                send("exit 7\r")));
        String transcript = r.path("transcript").asText();
        assertThat(r.path("failed").isNull()).as("%s%n%s", r.path("failed"), transcript).isTrue();
        assertThat(transcript).as("Ctrl+C interrupted the remote sleep").doesNotContain("slept-4");
        assertThat(r.path("exit").asInt()).as(transcript).isEqualTo(7);
        assertThat(r.path("echo").asBoolean()).as("ECHO restored").isTrue();
        assertThat(r.path("icanon").asBoolean()).as("ICANON restored").isTrue();
        assertThat(r.path("isig").asBoolean()).as("ISIG restored").isTrue();
    }

    @Test
    void containerdPodShellShowsEth0AndExitsCleanly() throws Exception {
        JsonNode r = drive("containerd", 24, 80, List.of(
                expect("[#$] $"),
                send("ip -o addr show eth0 | grep -c " + lab.pod("containerd").podIP().replace(".", "[.]") + "/; echo n-$((3*3))\r"),
                expect("[\r\n]1\r\nn-9\r\n"),
                send("exit\r")));
        assertThat(r.path("failed").isNull()).as(r.path("transcript").asText()).isTrue();
        assertThat(r.path("exit").asInt()).isZero();
        assertThat(r.path("echo").asBoolean()).isTrue();
        assertThat(r.path("icanon").asBoolean()).isTrue();
    }
}
