package io.k8scap.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.node.NodeScript;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * capture.sh and locate-capture.sh as the node runs them (this machine's sh), with a stand-in
 * tcpdump that records its argv: the filter reaches tcpdump exactly, the same way for a node's
 * first pod (after locate's answer) and for the others, whatever it holds. The real tcpdump gets
 * the same in RemoteTcpdumpLabTest.
 */
class CaptureScriptTest {
    static final List<String> FILTERS = List.of(
            "tcp port 80",
            "port 80 and host 10.0.0.1'; touch /tmp/x #",
            "tcp\nport 80\n",
            "  \"$(id)\" $HOME `id` \\n \\\\ \r\n\tudp  ");

    @TempDir
    Path dir;

    /** A tcpdump that writes its argv (NUL-separated) to $K8SCAP_ARGV and ends at once. */
    private Path fakeTools() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path t = bin.resolve("tcpdump");
        Files.writeString(t, "#!/bin/sh\nprintf '%s\\0' \"$@\" > \"$K8SCAP_ARGV\"\n");
        Files.setPosixFilePermissions(t, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    private record Ran(int status, String stdout, String stderr, List<String> tcpdumpArgv) {}

    private Ran run(String script, List<String> args, String stdin) throws Exception {
        Path argv = dir.resolve("argv");
        Files.deleteIfExists(argv);
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c", NodeScript.load(script).compactText(), "k8scap-" + script));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("PATH", fakeTools() + ":" + System.getenv("PATH"));
        pb.environment().put("K8SCAP_ARGV", argv.toString());
        Process p = pb.start();
        OutputStream in = p.getOutputStream();
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
        in.flush(); // stdin stays open, as the channel's does: the script ends because tcpdump did
        var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = java.util.concurrent.CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("the script ended").isTrue();
        in.close();
        List<String> tcpdump = Files.exists(argv)
                ? Arrays.asList(Files.readString(argv, StandardCharsets.UTF_8).split("\0", -1)) : null;
        return new Ran(p.exitValue(), out.get(), err.get(), tcpdump == null ? null : tcpdump.subList(0, tcpdump.size() - 1));
    }

    private static String read(java.io.InputStream s) {
        try {
            return new String(s.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String stdin(TcpdumpSpec spec) {
        return String.join("\n", RemoteTcpdump.parameters(spec)) + "\n";
    }

    private static TcpdumpSpec spec(String filter) {
        return new TcpdumpSpec("eth0", 0, 96, BpfFilter.of(filter), Duration.ofSeconds(30), Duration.ofSeconds(10));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void theFilterReachesTcpdumpAsOneExactArgument(int which) throws Exception {
        String filter = FILTERS.get(which);
        Ran r = run("capture", List.of(), stdin(spec(filter)));

        assertThat(r.tcpdumpArgv()).as(r.stderr()).containsExactly("-U", "-w", "-", "-s", "96", "-i", "eth0", "--immediate-mode", "--", filter);
        assertThat(r.stderr()).contains("k8scap-capture: started").contains("k8scap-capture: end 0");
        assertThat(r.status()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3})
    void afterLocateOnTheSameChannelTheFilterArrivesTheSameWay(int which) throws Exception {
        String filter = FILTERS.get(which);
        Ran r = run("locate-capture", List.of("docker://" + "ab".repeat(32)), stdin(spec(filter)));

        assertThat(r.stdout()).startsWith("k8scap-locate\t-\t1\n").endsWith("done\t-\t1\n");
        assertThat(r.tcpdumpArgv()).as(r.stderr()).containsExactly("-U", "-w", "-", "-s", "96", "-i", "eth0", "--immediate-mode", "--", filter);
        assertThat(r.stderr()).contains("k8scap-capture: started").contains("k8scap-capture: end 0");
        assertThat(r.status()).isZero();
    }

    @Test
    void withoutAFilterTcpdumpGetsNone() throws Exception {
        Ran r = run("capture", List.of(), stdin(spec(null)));
        assertThat(r.tcpdumpArgv()).containsExactly("-U", "-w", "-", "-s", "96", "-i", "eth0", "--immediate-mode");
    }

    @Test
    void anythingButCaptureFirstEndsTheScriptBeforeTcpdump() throws Exception {
        Ran r = run("locate-capture", List.of(), "no\n");
        assertThat(r.stdout()).endsWith("done\t-\t0\n");
        assertThat(r.tcpdumpArgv()).isNull();
        assertThat(r.stderr()).doesNotContain("k8scap-capture: started");
        assertThat(r.status()).isZero();
    }

    @Test
    void badParametersAreAUsageError() throws Exception {
        Ran r = run("capture", List.of(), "capture\neth0\nx\n96\n30\n10\n1\n0\n");
        assertThat(r.tcpdumpArgv()).isNull();
        assertThat(r.stderr()).startsWith("k8scap-capture: usage:");
        assertThat(r.status()).isEqualTo(2);
    }

    @Test
    void aNulCannotBeAFilter() {
        assertThatThrownBy(() -> BpfFilter.of("tcp\0port 80")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the filter cannot contain a NUL character");
        assertThat(BpfFilter.of(" \n")).isNull();
    }
}
