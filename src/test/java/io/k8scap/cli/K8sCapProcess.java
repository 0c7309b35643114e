package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.node.ShellQuote;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * k8scap as its own JVM (the test class path, {@code io.k8scap.K8sCap}), for what an in-process run
 * cannot show: the process's own stderr (JSch's log), its PATH, signals, a terminal.
 */
final class K8sCapProcess {
    private K8sCapProcess() {}

    record Finished(int exitCode, String err) {}

    /** {@code java -cp … io.k8scap.K8sCap ARGS…} */
    static List<String> command(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.k8scap.K8sCap"));
        cmd.addAll(args);
        return cmd;
    }

    /** Runs to the end in {@code cwd} with {@code env} added to this JVM's environment; stdout discarded, stdin empty. */
    static Finished run(Path cwd, Map<String, String> env, List<String> args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).directory(cwd.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("k8scap ended: %s", err).isTrue();
        return new Finished(p.exitValue(), err);
    }

    /** What a terminal shows of a run to the end (stdout and stderr both on a pty, by {@code script -qfec}); fails on a non-zero exit. */
    static String onATerminal(Path cwd, List<String> args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("script", "-qfec", ShellQuote.join(command(args)), "/dev/null").directory(cwd.toFile())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String shown = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("k8scap under script: %s", shown).isZero();
        return shown;
    }
}
