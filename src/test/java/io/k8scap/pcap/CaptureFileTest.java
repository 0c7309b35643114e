package io.k8scap.pcap;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CaptureFileTest {
    @TempDir
    Path dir;

    @Test
    void writesPartialThenCommitRenamesToTheFinalName() throws IOException {
        Path target = dir.resolve("cap.pcap");
        CaptureFile f = CaptureFile.create(target);
        f.out().write("pcap bytes".getBytes(StandardCharsets.US_ASCII));
        assertThat(target).doesNotExist();
        assertThat(dir.resolve("cap.pcap.partial")).exists();
        assertThat(f.commit()).isEqualTo(target.toAbsolutePath());
        assertThat(target).hasContent("pcap bytes");
        assertThat(dir.resolve("cap.pcap.partial")).doesNotExist();
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        f.close(); // after commit: no effect
        assertThat(target).exists();
    }

    @Test
    void abortKeepsThePartialFileAndSaysWhere() throws IOException {
        Path target = dir.resolve("cap.pcapng");
        CaptureFile f = CaptureFile.create(target);
        f.out().write(new byte[] {1, 2, 3});
        Path kept = f.abort();
        assertThat(kept).isEqualTo(dir.resolve("cap.pcapng.partial").toAbsolutePath());
        assertThat(Files.readAllBytes(kept)).containsExactly(1, 2, 3);
        assertThat(target).doesNotExist();
    }

    @Test
    void refusesAnExistingFileUnlessToldToOverwrite() throws IOException {
        Path target = dir.resolve("old.pcap");
        Files.writeString(target, "precious");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> CaptureFile.create(target))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).startsWith("refusing to overwrite existing file ").contains("old.pcap");
                });
        assertThat(target).hasContent("precious");
        assertThat(dir.resolve("old.pcap.partial")).doesNotExist();

        CaptureFile f = CaptureFile.create(target, true);
        f.out().write("new".getBytes(StandardCharsets.US_ASCII));
        f.commit();
        assertThat(target).hasContent("new");
        assertThat(Files.getPosixFilePermissions(target)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void leftoverPartialFromAnInterruptedCaptureIsRefusedToo() throws IOException {
        Files.writeString(dir.resolve("x.pcap.partial"), "earlier");
        assertThatThrownBy(() -> CaptureFile.create(dir.resolve("x.pcap")))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("x.pcap.partial").contains("interrupted capture");
                });
        assertThat(dir.resolve("x.pcap.partial")).hasContent("earlier");
    }

    @Test
    void commitDoesNotClobberAFileThatAppearedDuringTheCapture() throws IOException {
        Path target = dir.resolve("race.pcap");
        CaptureFile f = CaptureFile.create(target);
        f.out().write(new byte[] {42});
        Files.writeString(target, "someone else's");
        assertThatThrownBy(f::commit).isInstanceOfSatisfying(K8sCapException.class,
                e -> assertThat(e.getMessage()).contains("appeared during the capture").contains("race.pcap.partial"));
        assertThat(target).hasContent("someone else's");
        assertThat(Files.readAllBytes(dir.resolve("race.pcap.partial"))).containsExactly(42);
    }

    @Test
    void missingDirectoryIsAUsageError() {
        assertThatThrownBy(() -> CaptureFile.create(dir.resolve("nope/cap.pcap")))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.USAGE);
                    assertThat(e.getMessage()).contains("does not exist");
                });
    }

    @Test
    void modeIs0600EvenWhenTheProcessUmaskIs000() throws Exception {
        Path committed = dir.resolve("committed.pcap");
        Path aborted = dir.resolve("aborted.pcap");
        runUnderUmask000(committed.toString());
        runUnderUmask000(aborted.toString(), "abort");
        // sanity: the child really runs with umask 000 (a plain file it creates is 0666)
        assertThat(Files.getPosixFilePermissions(dir.resolve("umask-probe")))
                .isEqualTo(PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(Files.getPosixFilePermissions(committed)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("aborted.pcap.partial")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.size(committed)).isEqualTo(24);
    }

    private void runUnderUmask000(String... args) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("java.class.path");
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("sh", "-c",
                "umask 000 && : > \"$3\" && exec \"$1\" -cp \"$2\" io.k8scap.pcap.CaptureFileUmaskMain \"$4\" ${5:+\"$5\"}",
                "sh", javaBin, cp, dir.resolve("umask-probe").toString()));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
    }
}
