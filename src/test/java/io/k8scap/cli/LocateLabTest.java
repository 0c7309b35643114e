package io.k8scap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.k8scap.lab.Lab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code k8scap locate} end to end, as a user runs it: the lab's real containers (dockershim,
 * containerd, hostNetwork, no-veth CNI) on a real node reached over strict-host-key SSH; the only
 * stand-in is the API server. Answers are checked against the kernel's own view, read here.
 */
@Tag("lab")
class LocateLabTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LabCli env;
    private static Lab lab;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() throws IOException {
        env = LabCli.start(dir);
        lab = env.lab();
    }

    @AfterAll
    static void stopCluster() {
        if (env != null) {
            env.close();
        }
    }

    /** locate with the lab node's SSH access as flags; the user's ~/.ssh plays no part. */
    private static CliRunner.Result locate(String... args) {
        return CliRunner.run(locateArgs(args).toArray(String[]::new));
    }

    private static List<String> locateArgs(String... args) {
        return env.args("locate", List.of(args));
    }

    /** JSch logs to the process's own stderr, so this runs k8scap as its own JVM (a real error's trace: SshConnectorLoggerTest). */
    @Test
    void dashVvShowsJschsLogButNoStackTraceForANormalDisconnect() throws Exception {
        Lab.LabPod pod = lab.pod("docker");
        var r = K8sCapProcess.run(dir, Map.of(), locateArgs("-vv", "-n", pod.namespace(), pod.name(), "--via", "ssh"));
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("jsch: Authentication succeeded").contains("jsch: Disconnecting from ");
        // JSch's reader thread usually logs "leaving main loop due to Socket closed" before the JVM exits (not always):
        // when it does, it is one line.
        assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static long netnsInodeOf(long pid) throws IOException {
        String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString(); // net:[4026532253]
        return Long.parseLong(link.substring(link.indexOf('[') + 1, link.indexOf(']')));
    }

    private static String sshdLog() throws IOException {
        return Files.readString(lab.identity().getParent().resolve("sshd_config.log"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker", "containerd", "host", "ipvlan"})
    void locatesEachKindOfLabPodAsTheKernelSeesIt(String key) throws IOException {
        Lab.LabPod pod = lab.pod(key);
        Lab.PodTruth truth = lab.truth(key);
        var r = locate("-n", pod.namespace(), pod.name(), "-o", "json").assertExit(0);
        JsonNode item = JSON.readTree(r.out()).path("items").path(0);

        assertThat(item.path("pod").asText()).isEqualTo(pod.name());
        assertThat(item.path("containerID").asText()).isEqualTo(pod.containerId());
        long pid = item.path("pid").asLong();
        assertThat(pid).isEqualTo(truth.pid());
        // Independent of k8scap and of the lab script: the kernel's own answer for that PID.
        assertThat(item.path("netns").asLong()).isEqualTo(netnsInodeOf(pid));
        assertThat(item.path("method").asText()).isEqualTo(pod.containerId().startsWith("docker://") ? "docker" : "ctr");

        if (pod.hostNetwork()) {
            assertThat(item.path("hostNetwork").asBoolean()).isTrue();
            assertThat(netnsInodeOf(pid)).isEqualTo(netnsInodeOf(ProcessHandle.current().pid()));
            assertThat(item.has("hostInterface")).isFalse();
            assertThat(r.err()).contains("hostNetwork").contains("shares the network namespace of node " + Lab.NODE_NAME);
        } else if (truth.hasPeer()) {
            assertThat(item.path("podInterface").asText()).isEqualTo(truth.podIf() + "@if" + truth.peerIndex());
            assertThat(item.path("hostInterface").asText()).isEqualTo(truth.hostIf());
            // The host interface really is ifindex N on this node.
            assertThat(Files.readString(Path.of("/sys/class/net", truth.hostIf(), "ifindex")).strip())
                    .isEqualTo(String.valueOf(truth.peerIndex()));
            assertThat(item.path("podAddresses").toString()).contains(pod.podIP() + "/");
        } else {
            assertThat(item.path("podInterface").asText()).startsWith(truth.podIf() + "@if");
            assertThat(item.path("podInterfaceKind").asText()).isEqualTo(truth.podIfKind());
            assertThat(item.has("hostInterface")).isFalse();
            assertThat(r.err()).contains(pod.namespace() + "/" + pod.name() + ": eth0 has no veth peer on the host")
                    .contains("inside the pod's network namespace");
        }
    }

    @Test
    void workloadWordGivesTheTableAndNamesTheChosenPod() throws IOException {
        Lab.LabPod pod = lab.pod("containerd");
        Lab.PodTruth truth = lab.truth("containerd");
        var r = locate("-n", pod.namespace(), "flyteadmin").assertExit(0);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).split("\\s+")).containsExactly("NAMESPACE", "POD", "NODE", "ADDRESS", "RUNTIME", "CONTAINER",
                "PID", "NETNS", "POD-IF", "HOST-IF", "POD-IP");
        assertThat(lines.get(1).split("\\s+")).containsExactly(pod.namespace(), pod.name(), Lab.NODE_NAME, lab.sshAddress(),
                "containerd", pod.container(), String.valueOf(truth.pid()), String.valueOf(netnsInodeOf(truth.pid())),
                "eth0@if" + truth.peerIndex(), truth.hostIf(), pod.podIP());
        assertThat(r.err()).contains("deployment " + pod.namespace() + "/flyteadmin").contains(pod.name());
    }

    @Test
    void allPodsOfANodeCostOneSshConnection() throws IOException {
        long before = sshdLog().lines().filter(l -> l.contains("Accepted publickey for root")).count();
        var r = locate("-A", "-l", "app", "-o", "json").assertExit(0);
        long after = sshdLog().lines().filter(l -> l.contains("Accepted publickey for root")).count();
        assertThat(JSON.readTree(r.out()).path("items")).hasSize(lab.podKeys().size());
        assertThat(after - before).as("SSH logins for %d pods on one node", lab.podKeys().size()).isEqualTo(1);
    }

    @Test
    void unknownHostKeyIsRefusedWithItsFingerprint() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts"), "");
        Lab.LabPod pod = lab.pod("docker");
        var r = locate("-n", pod.namespace(), pod.name(), "--known-hosts", empty.toString()).assertExit(3);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("\n").contains(Lab.NODE_NAME).contains(lab.hostKeyFingerprint())
                .contains("--known-hosts");
    }

    @Test
    void changedHostKeyIsRefused() {
        Lab.LabPod pod = lab.pod("docker");
        var r = locate("-n", pod.namespace(), pod.name(), "--known-hosts", lab.wrongKnownHosts().toString()).assertExit(3);
        assertThat(r.err().strip()).doesNotContain("\n").contains(Lab.NODE_NAME).containsIgnoringCase("changed")
                .contains(lab.hostKeyFingerprint());
    }

    @Test
    void insecureSkipHostKeyCheckWorksAndWarns() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty_known_hosts2"), "");
        Lab.LabPod pod = lab.pod("docker");
        var r = locate("-n", pod.namespace(), pod.name(), "--known-hosts", empty.toString(), "--insecure-skip-host-key-check").assertExit(0);
        assertThat(r.out()).contains(pod.name());
        assertThat(r.err()).containsIgnoringCase("host key");
    }

    @Test
    void refusedPublicKeyIsDenied() throws Exception {
        Path key = dir.resolve("stranger_key");
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key.toString()).inheritIO().start();
        assertThat(p.waitFor()).isZero();
        Lab.LabPod pod = lab.pod("docker");
        // Only the stranger's key: -i keys accumulate, so this run does not use locate()'s lab key.
        var r = CliRunner.run("locate", "--kubeconfig", env.kubeconfig().toString(), "--ssh-config", env.emptySshConfig().toString(),
                "--ssh-port", String.valueOf(lab.sshPort()), "--ssh-user", lab.sshUser(), "-i", key.toString(),
                "--known-hosts", lab.knownHosts().toString(), "-n", pod.namespace(), pod.name()).assertExit(5);
        assertThat(r.err().strip()).doesNotContain("\n").contains(Lab.NODE_NAME).contains(lab.sshUser());
    }

    @Test
    void closedSshPortIsUnavailable() throws IOException {
        int closed;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        Lab.LabPod pod = lab.pod("docker");
        var r = locate("-n", pod.namespace(), pod.name(), "--ssh-port", String.valueOf(closed), "--via", "ssh").assertExit(6);
        assertThat(r.err().strip()).doesNotContain("\n").contains(Lab.NODE_NAME).contains(String.valueOf(closed));
        // The default --via auto turns to a helper pod instead, and says why (the mock API cannot run it).
        var auto = locate("-n", pod.namespace(), pod.name(), "--ssh-port", String.valueOf(closed));
        assertThat(auto.exitCode()).isNotZero();
        assertThat(auto.err()).contains("using a helper pod on node " + Lab.NODE_NAME + " (no SSH: ").contains(String.valueOf(closed));
    }

    @Test
    void sudoUserWorksWithSudo() throws IOException {
        Lab.LabPod pod = lab.pod("containerd");
        var r = locate("-n", pod.namespace(), pod.name(), "--ssh-user", lab.sudoUser(), "--sudo", "-o", "json").assertExit(0);
        assertThat(JSON.readTree(r.out()).path("items").path(0).path("pid").asLong()).isEqualTo(lab.truth("containerd").pid());
    }

    @Test
    void nonRootWithoutSudoIsDeniedAndToldAboutSudo() {
        Lab.LabPod pod = lab.pod("containerd");
        var r = locate("-n", pod.namespace(), pod.name(), "--ssh-user", lab.sudoUser()).assertExit(5);
        assertThat(r.err()).contains("--sudo");
    }

    @Test
    void sudoThatWantsAPasswordIsDenied() {
        Lab.LabPod pod = lab.pod("containerd");
        var r = locate("-n", pod.namespace(), pod.name(), "--ssh-user", lab.noSudoUser(), "--sudo").assertExit(5);
        assertThat(r.err().strip()).doesNotContain("\n").contains("sudo").contains("password").contains(lab.noSudoUser());
    }

    @Test
    void reachesTheNodeThroughAJumpHost() throws IOException {
        Lab.LabPod pod = lab.pod("docker");
        var r = locate("-n", pod.namespace(), pod.name(), "--jump", "root@" + lab.sshAddress() + ":" + lab.jumpPort(), "-o", "json")
                .assertExit(0);
        assertThat(JSON.readTree(r.out()).path("items").path(0).path("pid").asLong()).isEqualTo(lab.truth("docker").pid());
    }

    @Test
    void sshConfigHostEntryForTheNodeNameSuppliesEverything() throws IOException {
        Path config = Files.writeString(dir.resolve("ssh_config_alias"), """
                Host %s
                  HostName %s
                  Port %d
                  User %s
                  IdentityFile %s
                  UserKnownHostsFile %s
                """.formatted(Lab.NODE_NAME, lab.sshAddress(), lab.sshPort(), lab.sshUser(), lab.identity(), lab.knownHosts()));
        Lab.LabPod pod = lab.pod("docker");
        var r = CliRunner.run("locate", "--kubeconfig", env.kubeconfig().toString(), "--ssh-config", config.toString(),
                "--node-address", "name", "-n", pod.namespace(), pod.name(), "-o", "json").assertExit(0);
        assertThat(JSON.readTree(r.out()).path("items").path(0).path("pid").asLong()).isEqualTo(lab.truth("docker").pid());
    }

    @Test
    void staleContainerIdIsNotFoundOnTheNode() {
        env.cluster().addPod(new Lab.LabPod("stale", "stale", "gone-6d5f7c-abcde", "", "app",
                "docker://" + "0".repeat(64), "10.244.77.250", false, "app=gone", ""), lab.sshAddress());
        var r = locate("-n", "stale", "gone-6d5f7c-abcde").assertExit(4);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).doesNotContain("\n").contains("stale/gone-6d5f7c-abcde").contains("000000000000").contains(Lab.NODE_NAME);
    }

    @Test
    void runtimeWithoutCliAndNoCgroupMatchIsUnavailable() {
        env.cluster().addPod(new Lab.LabPod("crio", "crio", "crio-app-0", "", "app",
                "cri-o://" + "f".repeat(64), "10.244.77.251", false, "app=crio", ""), lab.sshAddress());
        var r = locate("-n", "crio", "crio-app-0").assertExit(6);
        assertThat(r.err().strip()).doesNotContain("\n").contains("crictl");
    }

    @Test
    void someFailuresStillPrintTheOthersAndExitNonZero() throws IOException {
        env.cluster().addPod(new Lab.LabPod("mixed", "mixed", "ok-0", "", "app", lab.pod("docker").containerId(), "10.244.77.2", false,
                "app=mixed", ""), lab.sshAddress());
        env.cluster().addPod(new Lab.LabPod("mixed", "mixed", "gone-0", "", "app", "docker://" + "1".repeat(64), "10.244.77.252", false,
                "app=mixed", ""), lab.sshAddress());
        var r = locate("-n", "mixed", "-l", "app=mixed").assertExit(4);
        assertThat(r.out()).contains("ok-0").doesNotContain("gone-0");
        assertThat(r.err()).contains("mixed/gone-0");
        var json = locate("-n", "mixed", "-l", "app=mixed", "-o", "json").assertExit(4);
        JsonNode items = JSON.readTree(json.out()).path("items");
        assertThat(items).hasSize(2);
        assertThat(items.findValues("error")).hasSize(1);
    }
}
