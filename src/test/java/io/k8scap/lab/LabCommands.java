package io.k8scap.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the lab sanity tests read the kernel and the runtimes with, directly (never through k8scap's code). */
final class LabCommands {
    private static final Pattern IP_LINK = Pattern.compile("^(\\d+): ([^:@]+)(?:@if(\\d+))?: .*");

    private LabCommands() {}

    record Result(int code, String out, String err) {}

    /** {@code cmd}'s stdout; fails the test when it exits non-zero. */
    static String run(String... cmd) {
        Result r = exec(cmd);
        if (r.code() != 0) {
            fail(String.join(" ", cmd) + " exited " + r.code() + ": " + r.err().trim());
        }
        return r.out();
    }

    static Result exec(String... cmd) {
        try {
            Process p = new ProcessBuilder(List.of(cmd)).start();
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p.getErrorStream()));
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " did not finish in 30 s");
            }
            return new Result(p.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + cmd[0], e);
        }
    }

    /** An {@code ip -o link} line: group 1 the ifindex, 2 the name, 3 the N of {@code @ifN} (or null). */
    static Matcher link(String ipLinkLine) {
        Matcher m = IP_LINK.matcher(ipLinkLine.trim());
        if (!m.matches()) {
            fail("not an `ip -o link` line: " + ipLinkLine);
        }
        return m;
    }

    /**
     * The recorded PID is the pod's container process: it is alive in the recorded netns, its cgroup names
     * the container, and docker (State.Pid, k8s_ name) or containerd (a RUNNING task in k8s.io) agrees.
     */
    static void assertIsTheContainersProcess(String key, Lab.LabPod pod, Lab.PodTruth t) throws IOException {
        Path proc = Path.of("/proc", Long.toString(t.pid()));
        assertThat(proc).as("process %d of pod %s", t.pid(), key).isDirectory();
        assertThat(Files.readSymbolicLink(proc.resolve("ns/net")).toString()).isEqualTo("net:[" + t.netns() + "]");

        String id = pod.containerId().substring(pod.containerId().indexOf("://") + 3);
        assertThat(Files.readString(proc.resolve("cgroup"))).as("cgroup of pid %d names container %s", t.pid(), id).contains(id);
        if (pod.containerId().startsWith("docker://")) {
            String[] f = run("/usr/bin/docker", "inspect", "-f", "{{.State.Pid}} {{.Name}}", id).trim().split(" ");
            assertThat(Long.parseLong(f[0])).isEqualTo(t.pid());
            assertThat(f[1]).isEqualTo("/k8s_%s_%s_%s_%s_0", pod.container(), pod.name(), pod.namespace(), pod.uid());
        } else {
            String row = Arrays.stream(run("ctr", "-n", "k8s.io", "task", "ls").split("\n"))
                    .filter(l -> l.startsWith(id + " "))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no containerd task " + id + " in k8s.io"));
            assertThat(row.trim().split("\\s+")).containsExactly(id, Long.toString(t.pid()), "RUNNING");
        }
    }

    private static String slurp(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
