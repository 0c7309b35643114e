package io.k8scap.node.pod;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.node.NodeLocator;
import io.k8scap.node.NodeScript;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PodNodeSession#BOOTSTRAP} is what really runs on the node (after nsenter): here it runs
 * under this machine's real shells (dash as sh, and busybox when installed), fed exactly the
 * stdin PodNodeSession sends.
 */
class BootstrapTest {
    static List<String> shells() {
        List<String> s = new ArrayList<>(List.of("/bin/sh"));
        for (String b : List.of("/bin/busybox", "/usr/bin/busybox")) {
            if (Files.isExecutable(Path.of(b))) {
                s.add(b + " sh");
                break;
            }
        }
        return s;
    }

    record Run(int status, String out, String err) {}

    static final String TOKEN = "k8scap-ack-0123456789abcdef01234567";

    static Run run(String shell, String mode, byte[] stdin, boolean closeStdin) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(shell.split(" ")));
        cmd.addAll(List.of("-c", PodNodeSession.BOOTSTRAP, "k8scap-exec", mode));
        if (mode.equals("stdin")) {
            cmd.add(TOKEN);
        }
        Process p = new ProcessBuilder(cmd).start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try {
                return p.getErrorStream().readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        OutputStream in = p.getOutputStream();
        in.write(stdin);
        in.flush();
        if (closeStdin) {
            in.close();
        }
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the command ended").isTrue();
        in.close();
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.join(), StandardCharsets.UTF_8));
    }

    static byte[] concat(byte[] a, String b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(a);
        o.writeBytes(b.getBytes(StandardCharsets.UTF_8));
        return o.toByteArray();
    }

    @ParameterizedTest
    @MethodSource("shells")
    void theCommandLineRunsAndTheRestOfStdinIsTheCommandsByteForByte(String shell) throws Exception {
        // A heartbeat protocol like capture.sh's: the command reads lines until "stop".
        String commandLine = NodeScriptLike.LINES_UNTIL_STOP;
        Run r = run(shell, "stdin", concat(PodNodeSession.stdinHeader(commandLine),
                "heartbeat\nhb 2\nstop\nnot read\n\n" + TOKEN + "\n"), false);
        assertThat(r.out()).isEqualTo("got heartbeat\ngot hb 2\nstopped\n");
        // the end record, then the wait past the heartbeats still coming, until the token
        assertThat(r.err()).isEqualTo("\001k8scap-end " + TOKEN + " 3\n");
        assertThat(r.status()).isEqualTo(3);
    }

    @ParameterizedTest
    @MethodSource("shells")
    void afterTheCommandEndsTheBootstrapWaitsForTheTokenNotForAnyLine(String shell) throws Exception {
        // the command ends at once; "", a near-miss and heartbeats must not end the wait, EOF does
        Run r = run(shell, "stdin", concat(PodNodeSession.stdinHeader("exit 4"), "\nhb\n" + TOKEN + "x\n"), true);
        assertThat(r.err()).isEqualTo("\001k8scap-end " + TOKEN + " 4\n");
        assertThat(r.status()).isEqualTo(4);
    }

    @org.junit.jupiter.api.Test
    void theEndRecordIsTakenOutOfStderrWhateverTheFrameBoundaries() throws Exception {
        String stderr = "warn: \001k8scap-end no\n\001k8scap-end " + TOKEN + " 12";
        byte[] all = (stderr + "\n").getBytes(StandardCharsets.ISO_8859_1);
        for (int cut = 1; cut < all.length; cut++) {
            var rec = new PodNodeSession.EndRecord(TOKEN);
            var seen = new ByteArrayOutputStream();
            var ended = new java.util.concurrent.CountDownLatch(1);
            rec.onEnd(ended::countDown);
            var head = new PodNodeSession.StderrHead(seen, rec);
            head.write(all, 0, cut);
            head.write(all, cut, all.length - cut);
            assertThat(seen.toString(StandardCharsets.ISO_8859_1)).as("cut at %d", cut).isEqualTo("warn: \001k8scap-end no\n");
            assertThat(rec.status()).isEqualTo(12);
            assertThat(ended.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @ParameterizedTest
    @MethodSource("shells")
    void withoutStdinTheCommandReadsDevNull(String shell) throws Exception {
        // "null": the exec's stdin never reaches EOF (v4 cannot half-close), so cat must read /dev/null.
        Run r = run(shell, "null", concat(PodNodeSession.stdinHeader("cat; echo after-cat"), "ignored\n"), false);
        assertThat(r.out()).isEqualTo("after-cat\n");
        assertThat(r.status()).isZero();
    }

    @ParameterizedTest
    @MethodSource("shells")
    void theRealLocateScriptsCommandLineSurvivesQuotesNewlinesAndUtf8(String shell) throws Exception {
        String commandLine = NodeScript.load(NodeLocator.SCRIPT).commandLine(
                List.of("docker://" + "ab".repeat(32), "it's; $(x) \"é\"", "containerd://" + "0".repeat(1500)), false);
        assertThat(commandLine.getBytes(StandardCharsets.UTF_8).length).isGreaterThan(8000);
        Run viaBootstrap = run(shell, "null", PodNodeSession.stdinHeader(commandLine), false);
        Process direct = new ProcessBuilder("sh", "-c", commandLine).start();
        direct.getOutputStream().close();
        String directOut = new String(direct.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        direct.waitFor();
        assertThat(viaBootstrap.status()).isZero();
        assertThat(viaBootstrap.out()).startsWith("k8scap-locate\t-\t").contains("err\tit's; $(x) \"é\"\tbadspec");
        // Host links may change between the two runs on a shared machine: compare the per-container records.
        assertThat(containerRecords(viaBootstrap.out())).isEqualTo(containerRecords(directOut));
    }

    @ParameterizedTest
    @MethodSource("shells")
    void aMissingHeaderEndsAt255WithoutRunningAnything(String shell) throws Exception {
        Run r = run(shell, "stdin", new byte[0], true);
        assertThat(r.status()).isEqualTo(255);
        assertThat(r.out()).isEmpty();
    }

    private static List<String> containerRecords(String out) {
        return out.lines().filter(l -> l.startsWith("err\t") || l.startsWith("pid\t") || l.startsWith("done\t")).toList();
    }

    /** Command lines built the way NodeScript builds them. */
    static final class NodeScriptLike {
        static final String LINES_UNTIL_STOP = io.k8scap.node.ShellQuote.join(List.of("sh", "-c",
                "while IFS= read -r l; do [ \"$l\" = stop ] && { echo stopped; exit 3; }; echo \"got $l\"; done; echo eof",
                "k8scap-test"));
    }
}
