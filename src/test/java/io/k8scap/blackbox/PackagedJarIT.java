package io.k8scap.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Black-box tests of the packaged jar and the bin/k8scap launcher, as a user or a script runs them. */
class PackagedJarIT {
    private static final Path JAR = Path.of(System.getProperty("k8scap.jar", "target/k8scap.jar"));

    record Run(int exit, String out, String err) {}

    static Run java(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(List.of(args));
        return exec(cmd);
    }

    static Run exec(List<String> cmd) throws IOException, InterruptedException {
        Path out = Files.createTempFile("k8scap-out", ".txt");
        Path err = Files.createTempFile("k8scap-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("k8scap finished").isTrue();
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    void helpStartsWithoutLoadingFabric8OrJsch() throws Exception {
        Run r = java(List.of("-Xlog:class+load=info"), "--help");
        assertThat(r.exit()).as(r.err()).isZero();
        // -Xlog writes the loaded classes to stdout, next to the help text.
        assertThat(r.out()).contains("Exit codes:").contains("locate");
        assertThat(r.out()).as("classes loaded for --help").contains("picocli.CommandLine")
                .doesNotContain("io.fabric8").doesNotContain("com.jcraft").doesNotContain("org.pcap4j");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"locate", "capture", "debug", "proxy-inspect", "gc", "version", "completion"})
    void everyCommandsHelpStaysFreeOfFabric8AndJsch(String command) throws Exception {
        Run r = java(List.of("-Xlog:class+load=info"), command, "--help");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("Usage: k8scap " + command).contains("picocli.CommandLine")
                .doesNotContain("io.fabric8").doesNotContain("com.jcraft").doesNotContain("org.pcap4j").doesNotContain("org.jline");
    }

    @Test
    void usageErrorsSayOnlyTheUsageErrorAndCompletionStaysFreeOfFabric8AndJsch() throws Exception {
        // A cluster command reads the kubeconfig while picocli parses (KubeClients.prepare): a usage
        // error must still be the one thing said, even when that kubeconfig is broken.
        Path broken = Files.createTempFile("k8scap-broken", ".kubeconfig");
        try {
            Files.writeString(broken, "clusters: [oops\n");
            Run usage = java(List.of(), "locate", "--kubeconfig", broken.toString(), "--ssh-port", "x", "web");
            assertThat(usage.exit()).isEqualTo(2);
            assertThat(usage.err().lines().findFirst().orElse("")).startsWith("error: Invalid value for option '--ssh-port'");
            assertThat(usage.err()).doesNotContain("kubeconfig " + broken).doesNotContain("Exception");
            assertThat(usage.out()).isEmpty();
        } finally {
            Files.deleteIfExists(broken);
        }
        Run completion = java(List.of("-Xlog:class+load=info"), "completion", "bash");
        assertThat(completion.exit()).isZero();
        assertThat(completion.out()).contains("complete -F _complete_k8scap");
        assertThat(completion.out()).doesNotContain("io.fabric8").doesNotContain("com.jcraft");
    }

    @Test
    void usageErrorIsOneLinePlusUsageWithoutStackTrace() throws Exception {
        Run r = java(List.of(), "locate");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().lines().findFirst().orElse("")).startsWith("error: locate needs a TARGET");
        assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void missingKubeconfigIsAConfigurationError() throws Exception {
        Run r = java(List.of(), "locate", "--kubeconfig", "/nonexistent/k8scap/kubeconfig", "web");
        assertThat(r.exit()).as(r.err()).isEqualTo(3);
        assertThat(r.err().strip()).contains("/nonexistent/k8scap/kubeconfig").doesNotContain("\n").doesNotContain("\tat ");
    }

    @Test
    void picocliIsServedFromTheClassDataSharingArchive() throws Exception {
        // picocli's released jar is Java 5 bytecode, which JDK 17's archive cannot hold: every run then
        // loaded and verified it from the jar. The build compiles it for Java 17 (pom.xml).
        Path archive = Files.createTempFile("k8scap-cds", ".jsa");
        try {
            Files.delete(archive);
            Run dump = java(List.of("-XX:ArchiveClassesAtExit=" + archive), "--help");
            assertThat(dump.exit()).as(dump.err()).isZero();
            assertThat(archive).exists();
            Run r = java(List.of("-XX:SharedArchiveFile=" + archive, "-Xshare:auto", "-Xlog:class+load=info"), "--help");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out().lines().filter(l -> l.contains(" picocli.CommandLine "))).as("how picocli.CommandLine was loaded")
                    .singleElement().asString().contains("shared objects file");
            assertThat(r.out().lines().filter(l -> l.contains(" picocli.") && !l.contains("shared objects file")))
                    .as("picocli classes loaded from the jar instead of the archive").isEmpty();
        } finally {
            Files.deleteIfExists(archive);
        }
    }

    @Test
    void launcherRunsTheJarFromTheSourceTree() throws Exception {
        Path launcher = Path.of("bin/k8scap").toAbsolutePath();
        Run r = exec(List.of(launcher.toString(), "version", "-o", "json"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("\"version\"");
    }
    /**
     * A script that starts k8scap with {@code &} and later sends it SIGINT (as it would tcpdump): the
     * shell started it with SIGINT ignored, and a JVM keeps an ignored SIGINT ignored, so the launcher
     * must reset it. The launcher's java is a stand-in that runs the real JVM on a class that only
     * waits: what the JVM does with the signal is what it inherited from the launcher.
     */
    @Test
    void aJvmStartedWithAmpersandFromAScriptStopsOnSigint() throws Exception {
        Path dir = Files.createTempDirectory("k8scap-sigint");
        Files.writeString(dir.resolve("Wait.java"),
                "public class Wait { public static void main(String[] a) throws Exception { System.out.println(\"waiting\"); Thread.sleep(60_000); } }");
        Path fakeJava = stub(dir.resolve("java"), "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' '" + dir.resolve("Wait.java") + "'");
        Path launcher = Path.of("bin/k8scap").toAbsolutePath();
        Run r = exec(List.of("sh", "-c", """
                K8SCAP_JAVA="$1" "$2" version >"$3/out" &
                p=$!
                i=0; until grep -q waiting "$3/out" 2>/dev/null || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
                kill -INT $p
                i=0; while kill -0 $p 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
                if kill -0 $p 2>/dev/null; then kill -KILL $p; echo "still running after SIGINT"; fi
                wait $p; echo "exit $?"
                """, "sh", fakeJava.toString(), launcher.toString(), dir.toString()));
        assertThat(r.out().strip()).as(r.err()).isEqualTo("exit 130");
    }

    /** nohup (SIGHUP ignored) is kept: `nohup k8scap capture … &` goes on when the terminal closes, as nohup tcpdump does. */
    @Test
    void theLauncherKeepsNohupsIgnoredSighupAndUnignoresOnlySigint() throws Exception {
        Path dir = Files.createTempDirectory("k8scap-nohup");
        Path fakeJava = stub(dir.resolve("java"), "sed -n 's/^SigIgn:[[:space:]]*//p' /proc/$$/status");
        Path launcher = Path.of("bin/k8scap").toAbsolutePath();
        Run r = exec(List.of("sh", "-c", "K8SCAP_JAVA=\"$1\" nohup \"$2\" version & wait", "sh", fakeJava.toString(), launcher.toString()));
        long ignored = Long.parseUnsignedLong(r.out().strip(), 16);
        assertThat(ignored & 1).as("SIGHUP (1) still ignored, mask %s", r.out()).isEqualTo(1);
        assertThat(ignored & 2).as("SIGINT (2) no longer ignored, mask %s", r.out()).isZero();
    }

    private static Path stub(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
