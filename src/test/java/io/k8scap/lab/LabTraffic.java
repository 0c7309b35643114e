package io.k8scap.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What capture lab tests need around k8scap: real traffic sent in the background, tshark to read
 * the pcaps back, and a count of tcpdump processes left on the node (the lab node is this machine).
 */
public final class LabTraffic implements AutoCloseable {
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    /** Runs {@code command} (a shell line) every 200 ms until {@link #close()}. */
    public void keepSending(String command) {
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                try {
                    new ProcessBuilder("sh", "-c", command).redirectErrorStream(true)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(6, TimeUnit.SECONDS);
                    Thread.sleep(200);
                } catch (IOException | InterruptedException e) {
                    return;
                }
            }
        }, "lab-traffic");
        t.setDaemon(true);
        t.start();
        threads.add(t);
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    /** The given fields of every packet, {@code |}-separated, as tshark reads them; fails when tshark cannot read the file. */
    public static List<String> tshark(Path pcap, String... fields) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-r", pcap.toString(), "-T", "fields", "-E", "separator=|"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("tshark reads %s without error", pcap).isZero();
        return out.lines().toList();
    }

    /** tcpdump processes on the node whose command line carries {@code marker} (a unique port in the filter). */
    public static long tcpdumpsWith(String marker) {
        return ProcessHandle.allProcesses()
                .filter(ph -> ph.info().commandLine().map(c -> c.contains("tcpdump") && c.contains(marker) && !c.contains("timeout")).orElse(false))
                .count();
    }

    /** No tcpdump with {@code marker} left within 10 s (the node's own clean-up takes a few seconds at most). */
    public static void assertNoTcpdumpLeft(String marker) throws InterruptedException {
        assertNoTcpdumpLeft(marker, Duration.ofSeconds(10));
    }

    public static void assertNoTcpdumpLeft(String marker, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (tcpdumpsWith(marker) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(tcpdumpsWith(marker)).as("tcpdump processes left on the node for filter marker %s", marker).isZero();
    }
}
