package io.k8scap.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.k8scap.ExitCode;
import io.k8scap.lab.Lab;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The real locate.sh through {@link LocalNodeSession} against the lab's real containers
 * ({@code scripts/lab.sh up}). Expectations are read independently of the script: pods.properties'
 * ground truth, {@code docker inspect}, {@code ctr task ls}, the inode of /proc/PID/ns/net, and the
 * node's own {@code ip -o link}.
 */
@Tag("lab")
class NodeLocatorLabTest {
    static Lab lab;
    static Properties truth;

    @BeforeAll
    static void loadLab() throws IOException {
        lab = Lab.load();
        truth = new Properties();
        try (Reader r = Files.newBufferedReader(Lab.dir().resolve("pods.properties"))) {
            truth.load(r);
        }
    }

    static ContainerRef ref(String key) {
        return ContainerRef.parse(lab.pod(key).containerId());
    }

    static String expect(String key, String what) {
        return truth.getProperty("pod." + key + ".expect." + what, "");
    }

    /** All lab pods plus two unknown containers, in ONE run of the script. */
    static final class Run {
        final LocalNodeSession session = new LocalNodeSession(new NodeTarget(Lab.NODE_NAME, "127.0.0.1"), false);
        final Map<String, ContainerLocation> byKey = new LinkedHashMap<>();
        final List<ContainerLocation> all;

        Run(Map<String, ContainerRef> asked) {
            NodeFacts f = new NodeLocator().locate(session, List.copyOf(asked.values()));
            all = f.containers();
            int i = 0;
            for (String k : asked.keySet()) {
                byKey.put(k, all.get(i++));
            }
        }
    }

    static Run runAll() {
        Map<String, ContainerRef> asked = new LinkedHashMap<>();
        for (String k : lab.podKeys()) {
            asked.put(k, ref(k));
        }
        asked.put("missing", ContainerRef.parse("docker://" + "0".repeat(64)));
        asked.put("crio", ContainerRef.parse("cri-o://" + "b0605".repeat(12) + "dead"));
        return new Run(asked);
    }

    @Test
    void everyLabPodInOneRoundTrip() throws Exception {
        Run run = runAll();
        assertThat(run.session.executed()).hasSize(1);
        Map<Integer, HostLink> host = hostLinks();
        long hostNs = inode(Path.of("/proc/self/ns/net"));

        for (String key : lab.podKeys()) {
            ContainerLocation l = run.byKey.get(key);
            assertThat(l.ok()).as(key + ": " + l.error()).isTrue();
            long pid = livePid(ref(key));
            assertThat(l.pid()).as(key + " pid").isEqualTo(pid).isEqualTo(Long.parseLong(expect(key, "pid")));
            assertThat(l.netnsInode()).as(key + " netns").isEqualTo(inode(Path.of("/proc/" + pid + "/ns/net")))
                    .isEqualTo(Long.parseLong(expect(key, "netns")));
            assertThat(l.hostNetns()).as(key + " hostNetns").isEqualTo(lab.pod(key).hostNetwork())
                    .isEqualTo(l.netnsInode() == hostNs);
            if (l.hostNetns()) {
                assertThat(l.hostPeer()).as(key + " peer").isNull();
                continue;
            }
            assertThat(l.primary().name()).as(key + " pod if").isEqualTo(expect(key, "podIf"));
            assertThat(l.primary().index()).as(key + " pod ifindex").isEqualTo(Integer.parseInt(expect(key, "podIfIndex")));
            assertThat(l.primary().kind()).as(key + " pod if kind").isEqualTo(expect(key, "podIfKind"));
            assertThat(l.primary().peerIndex()).as(key + " @ifN").isEqualTo(Integer.parseInt(expect(key, "linkIndex")));
            assertThat(l.primary().addresses()).as(key + " addresses").anyMatch(a -> a.startsWith(lab.pod(key).podIP() + "/"));
            String hostIf = expect(key, "hostIf");
            if (hostIf.isEmpty()) {
                assertThat(l.hostPeer()).as(key + " peer").isNull();
            } else {
                HostLink h = host.get(l.primary().peerIndex());
                assertThat(h).as(key + " host link " + l.primary().peerIndex()).isNotNull();
                assertThat(h.peer).isEqualTo(l.primary().index());
                assertThat(l.hostPeer().name()).as(key + " peer").isEqualTo(h.name).isEqualTo(hostIf);
                assertThat(l.hostPeer().index()).isEqualTo(Integer.parseInt(expect(key, "hostIfIndex")));
            }
        }
    }

    @Test
    void dockerAndContainerdPodsUseTheirRuntimesCli() {
        Run run = runAll();
        for (String key : lab.podKeys()) {
            String expected = switch (ref(key).runtime()) {
                case "docker" -> "docker";
                case "containerd" -> "ctr"; // Debian ships no crictl
                default -> throw new IllegalStateException("unexpected lab runtime " + ref(key).runtime());
            };
            assertThat(run.byKey.get(key).method()).as(key).isEqualTo(expected);
        }
    }

    @Test
    void unknownContainersFailEachWithItsOwnReasonWithoutStoppingTheOthers() {
        Run run = runAll();
        ContainerLocation missing = run.byKey.get("missing");
        assertThat(missing.errorCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(missing.error()).contains("000000000000").contains(Lab.NODE_NAME).contains("No such container");
        // cri-o on a node without crictl: nothing in any cgroup names the ID → UNAVAILABLE, naming crictl
        ContainerLocation crio = run.byKey.get("crio");
        assertThat(crio.errorCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(crio.error()).contains("crictl missing").contains(Lab.NODE_NAME);
        assertThat(run.all.stream().filter(ContainerLocation::ok)).hasSize(lab.podKeys().size());
    }

    /** Without a CLI for the runtime, the process whose cgroup names the container ID is found. */
    @Test
    void cgroupFallbackFindsTheContainersInit() throws Exception {
        ContainerRef docker = ref("docker");
        ContainerRef asCrio = new ContainerRef("cri-o", docker.id());
        Run run = new Run(Map.of("x", asCrio));
        ContainerLocation l = run.byKey.get("x");
        assertThat(l.ok()).as(String.valueOf(l.error())).isTrue();
        assertThat(l.method()).isEqualTo("cgroup");
        assertThat(l.pid()).isEqualTo(livePid(docker));
        assertThat(l.hostPeer().name()).isEqualTo(expect("docker", "hostIf"));
    }

    @Test
    void shellMetacharactersInAContainerIdAreData() throws Exception {
        Path pwned = Path.of("/tmp/k8scap-nodehelper-pwned");
        Files.deleteIfExists(pwned);
        Map<String, ContainerRef> asked = new LinkedHashMap<>();
        asked.put("subst", ContainerRef.parse("docker://$(touch " + pwned + ")';x"));
        asked.put("backtick", ContainerRef.parse("docker://`touch " + pwned + "`"));
        asked.put("semicolon", ContainerRef.parse("containerd://x; touch " + pwned + " #"));
        asked.put("dash", ContainerRef.parse("docker://--help"));
        asked.put("ok", ref("docker"));
        Run run = new Run(asked);
        assertThat(pwned).doesNotExist();
        for (String k : List.of("subst", "backtick", "semicolon", "dash")) {
            // the script echoed each spec back byte for byte (else no record would match it)
            assertThat(run.byKey.get(k).errorCode()).as(k).isEqualTo(ExitCode.NOT_FOUND);
            assertThat(run.byKey.get(k).error()).as(k).contains("not one any runtime uses");
        }
        assertThat(run.byKey.get("ok").ok()).isTrue();
    }

    /** The same answers when the script's {@code sh} is busybox ash instead of dash. */
    @Test
    void busyboxShGivesTheSameAnswers(@org.junit.jupiter.api.io.TempDir Path bin) throws Exception {
        Files.createSymbolicLink(bin.resolve("sh"), Path.of("/bin/busybox"));
        List<ContainerRef> refs = new ArrayList<>();
        for (String k : lab.podKeys()) {
            refs.add(ref(k));
        }
        refs.add(ContainerRef.parse("docker://" + "0".repeat(64)));
        NodeTarget node = new NodeTarget(Lab.NODE_NAME, "127.0.0.1");
        LocalNodeSession busybox = new LocalNodeSession(node, false, Map.of("PATH", bin + ":" + System.getenv("PATH")));
        NodeFacts viaBusybox = new NodeLocator().locate(busybox, refs);
        NodeFacts viaDash = new NodeLocator().locate(new LocalNodeSession(node, false), refs);
        assertThat(busybox.executed().get(0)).startsWith("sh -c ");
        assertThat(viaBusybox.tools()).isEqualTo(viaDash.tools());
        assertThat(viaBusybox.containers()).isEqualTo(viaDash.containers());
        assertThat(viaBusybox.containers().stream().filter(ContainerLocation::ok)).hasSize(lab.podKeys().size());
    }

    // ---- ground truth, read without the script -------------------------------------------

    static long livePid(ContainerRef ref) throws Exception {
        return switch (ref.runtime()) {
            case "docker" -> Long.parseLong(run("docker", "inspect", "--type", "container", "--format", "{{.State.Pid}}", ref.id()).strip());
            case "containerd" -> {
                for (String line : run("ctr", "-n", "k8s.io", "task", "ls").split("\n")) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length >= 2 && f[0].equals(ref.id())) {
                        yield Long.parseLong(f[1]);
                    }
                }
                throw new AssertionError("ctr has no task " + ref.id());
            }
            default -> throw new IllegalArgumentException(ref.runtime());
        };
    }

    static long inode(Path p) throws IOException {
        return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
    }

    record HostLink(int index, String name, int peer) {}

    static final Pattern LINK = Pattern.compile("^(\\d+): ([^:@\\s]+)(?:@if(\\d+))?[:@]");

    static Map<Integer, HostLink> hostLinks() throws Exception {
        Map<Integer, HostLink> m = new LinkedHashMap<>();
        for (String line : run("ip", "-o", "link", "show").split("\n")) {
            Matcher x = LINK.matcher(line);
            if (x.find()) {
                int i = Integer.parseInt(x.group(1));
                m.put(i, new HostLink(i, x.group(2), x.group(3) == null ? -1 : Integer.parseInt(x.group(3))));
            }
        }
        return m;
    }

    static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(new ArrayList<>(List.of(cmd))).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }
}
