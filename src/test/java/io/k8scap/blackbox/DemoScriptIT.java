package io.k8scap.blackbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.lab.Lab;
import io.k8scap.lab.LabTraffic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/demo.sh as a newcomer runs it, on the lab (already up here, so the demo reuses it and
 * must leave it running): up explains each step, locates and captures the flyteadmin pod through
 * its own API server on loopback, and the pcap holds the HTTP requests it sent; down stops that API
 * server and removes its files, and nothing else.
 */
@Tag("lab")
class DemoScriptIT {
    @TempDir
    Path tmp;

    record Run(int exit, String out) {}

    private Run demo(Path dir, String verb) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Path.of("scripts/demo.sh").toAbsolutePath().toString(), verb)
                .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().put("K8SCAP_DEMO_DIR", dir.toString());
        pb.environment().put("K8SCAP_MVN_OPTS", "-o");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(300, TimeUnit.SECONDS)).as("demo.sh %s finished: %s", verb, out).isTrue();
        return new Run(p.exitValue(), out);
    }

    /** The process exists and has not exited (a zombie waiting to be reaped has). */
    private static boolean running(long pid) throws java.io.IOException {
        Path status = Path.of("/proc", String.valueOf(pid), "status");
        try {
            return Files.readAllLines(status).stream().noneMatch(l -> l.startsWith("State:") && l.contains("Z"));
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    @Test
    void upShowsTheWholeFlowAgainstTheLabAndDownRemovesOnlyWhatItMade() throws Exception {
        Lab lab = Lab.load();
        Lab.LabPod pod = lab.pod("containerd");
        Path dir = tmp.resolve("demo");
        long sshd = Long.parseLong(Files.readString(lab.labDir().resolve("ssh/sshd_config.pid")).strip());
        try {
            Run up = demo(dir, "up");
            assertThat(up.exit()).as(up.out()).isZero();
            assertThat(up.out()).as(up.out())
                    .contains("the lab is already up")
                    .contains("export KUBECONFIG=" + dir.resolve("kubeconfig"))
                    .contains("k8scap locate -n flyte flyteadmin --ssh-config " + dir.resolve("ssh_config"))
                    .contains(pod.name() + "  " + Lab.NODE_NAME)
                    .contains("k8scap capture -n flyte flyteadmin --duration 5s")
                    .contains("stopped (--duration 5s reached)")
                    .contains("demo: 6/6");
            Path pcap = dir.resolve("flyteadmin.pcap");
            assertThat(Files.getPosixFilePermissions(pcap)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            List<String> requests = LabTraffic.tshark(pcap, "ip.dst", "http.request.method").stream()
                    .filter(l -> l.equals(pod.podIP() + "|GET")).toList();
            assertThat(requests).as("HTTP requests to %s in the demo's capture %s; demo said: %s", pod.podIP(), LabTraffic.tshark(pcap, "ip.dst", "http.request.method"), up.out()).isNotEmpty();
            long api = Long.parseLong(Files.readString(dir.resolve("api.pid")).strip());
            assertThat(running(api)).as("the demo's API server runs on after up").isTrue();

            Run down = demo(dir, "down");
            assertThat(down.exit()).as(down.out()).isZero();
            assertThat(down.out()).contains("the lab was running before the demo: left as it is");
            assertThat(running(api)).as("API server stopped").isFalse();
            assertThat(dir).doesNotExist();
            assertThat(running(sshd)).as("the lab's sshd still runs").isTrue();
            assertThat(lab.labDir().resolve("pods.properties")).exists();
        } finally {
            if (Files.exists(dir)) {
                demo(dir, "down");
            }
        }
    }
}
