package io.k8scap.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static io.k8scap.lab.LabCommands.exec;
import static io.k8scap.lab.LabCommands.link;
import static io.k8scap.lab.LabCommands.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks that the lab built by {@code scripts/lab.sh up} is what {@code pods.properties} says it
 * is, reading the kernel and the runtimes directly (not through k8scap's code), and that real
 * traffic flows between the lab pods. If this fails, every other lab test is suspect: re-run
 * {@code sudo scripts/lab.sh up}.
 */
@Tag("lab")
class LabSanityTest {
    private static final String BRIDGE = "k8scap0";

    private static Lab lab;

    @BeforeAll
    static void loadLab() {
        lab = Lab.loadPods();
    }

    @Test
    void labHasTheFourPodShapesOnOneNode() {
        assertThat(lab.podKeys()).containsExactly("docker", "containerd", "host", "ipvlan");
        for (String key : lab.podKeys()) {
            assertThat(lab.podProperty(key, "node")).as("node of %s", key).isEqualTo(Lab.NODE_NAME);
        }
        assertThat(lab.pod("docker").containerId()).matches("docker://[0-9a-f]{64}");
        assertThat(lab.pod("host").containerId()).matches("docker://[0-9a-f]{64}");
        assertThat(lab.pod("containerd").containerId()).matches("containerd://[0-9a-f]{64}");
        assertThat(lab.pod("ipvlan").containerId()).matches("containerd://[0-9a-f]{64}");
        assertThat(lab.pod("docker").owner()).isEqualTo("ReplicaSet/web-7c9d8f6b5");
        assertThat(lab.pod("containerd").owner()).isEqualTo("ReplicaSet/flyteadmin-675b978d44");
        assertThat(lab.pod("host").owner()).isEqualTo("DaemonSet/node-agent");
        assertThat(lab.pod("ipvlan").owner()).isEqualTo("StatefulSet/ipvl");
        assertThat(lab.pod("host").hostNetwork()).isTrue();
        assertThat(lab.pod("docker").hostNetwork()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd", "host", "ipvlan"})
    void recordedPidIsTheContainersProcessInTheRecordedNetns(String key) throws IOException {
        LabCommands.assertIsTheContainersProcess(key, lab.pod(key), lab.truth(key));
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd", "ipvlan"})
    void podInterfaceAndHostPeerAreWhatTheKernelSays(String key) {
        Lab.LabPod pod = lab.pod(key);
        Lab.PodTruth t = lab.truth(key);
        String pid = Long.toString(t.pid());
        assertThat(t.podIf()).isEqualTo("eth0");

        Matcher in = link(run("nsenter", "-t", pid, "-n", "ip", "-o", "link", "show", "dev", t.podIf()));
        assertThat(Integer.parseInt(in.group(1))).as("ifindex of %s in pod %s", t.podIf(), key).isEqualTo(t.podIfIndex());
        assertThat(in.group(3)).as("@ifN of %s in pod %s", t.podIf(), key).isEqualTo(Integer.toString(t.linkIndex()));
        assertThat(run("nsenter", "-t", pid, "-n", "ip", "-o", "-d", "link", "show", "dev", t.podIf()))
                .contains(" " + t.podIfKind() + " ");
        assertThat(run("nsenter", "-t", pid, "-n", "ip", "-o", "-4", "addr", "show", "dev", t.podIf()))
                .contains(" inet " + pod.podIP() + "/24 ");

        if (key.equals("ipvlan")) {
            assertThat(t.podIfKind()).isIn("ipvlan", "macvlan");
            assertThat(t.hasPeer()).isFalse();
            assertThat(t.hostIf()).isEmpty();
            // @ifN names the parent device on the host, which is not a peer of anything
            String parent = lab.podProperty(key, "expect.parentIf");
            Matcher p = link(run("ip", "-o", "link", "show", "dev", parent));
            assertThat(Integer.parseInt(p.group(1))).isEqualTo(t.linkIndex());
            assertThat(run("ip", "-o", "-d", "link", "show", "dev", parent)).doesNotContain(" veth ");
        } else {
            assertThat(t.podIfKind()).isEqualTo("veth");
            assertThat(t.peerIndex()).isEqualTo(t.linkIndex()).isEqualTo(t.hostIfIndex());
            assertThat(t.hostIf()).matches(key.equals("docker") ? "veth[0-9a-f]{8}" : "cali[0-9a-f]{11}");
            String hostLine = run("ip", "-o", "link", "show", "dev", t.hostIf());
            Matcher h = link(hostLine);
            assertThat(Integer.parseInt(h.group(1))).isEqualTo(t.hostIfIndex());
            assertThat(h.group(3)).as("host veth points back at the pod's eth0").isEqualTo(Integer.toString(t.podIfIndex()));
            assertThat(hostLine).contains(" master " + BRIDGE + " ");
        }
    }

    @Test
    void hostNetworkPodSharesTheNodesNetns() throws IOException {
        Lab.PodTruth t = lab.truth("host");
        assertThat(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString())
                .isEqualTo("net:[" + t.netns() + "]");
        assertThat(t.podIf()).isEmpty();
        assertThat(t.hasPeer()).isFalse();
        assertThat(t.hostIf()).isEmpty();
    }

    @Test
    void dockerAndContainerdPodsTalkOverTheBridge() {
        Lab.PodTruth docker = lab.truth("docker");
        Lab.PodTruth containerd = lab.truth("containerd");
        assertThat(fetchFrom(containerd.pid(), docker.url())).isEqualTo(docker.content() + "\n");
        assertThat(fetchFrom(docker.pid(), containerd.url())).isEqualTo(containerd.content() + "\n");
        assertThat(docker.content()).contains("lab/web-7c9d8f6b5-x2x4q");
        assertThat(containerd.content()).contains("flyte/flyteadmin-675b978d44-98zg5");
    }

    @Test
    void ipvlanPodServesInItsOwnNetnsOnly() {
        Lab.PodTruth ipvlan = lab.truth("ipvlan");
        assertThat(fetchFrom(ipvlan.pid(), ipvlan.url())).isEqualTo(ipvlan.content() + "\n");
        // its subnet is not on the bridge: the docker pod has no route to it
        LabCommands.Result r = exec("timeout", "5", "nsenter", "-t", Long.toString(lab.truth("docker").pid()), "-n",
                "busybox", "wget", "-q", "-O", "-", ipvlan.url());
        assertThat(r.code()).as("wget from docker pod to %s: %s", ipvlan.url(), r.err()).isNotZero();
    }

    @Test
    void hostNetworkPodServesOnTheNodesLoopback() {
        Lab.PodTruth host = lab.truth("host");
        assertThat(host.url()).startsWith("http://127.0.0.1:");
        assertThat(run("timeout", "5", "busybox", "wget", "-q", "-O", "-", host.url()))
                .isEqualTo(host.content() + "\n");
    }

    // ---- helpers ----------------------------------------------------------------------------

    /** busybox wget from inside the netns of {@code pid}. (No {@code -T}: busybox 1.35 segfaults with it.) */
    private static String fetchFrom(long pid, String url) {
        return run("timeout", "5", "nsenter", "-t", Long.toString(pid), "-n", "busybox", "wget", "-q", "-O", "-", url);
    }
}
