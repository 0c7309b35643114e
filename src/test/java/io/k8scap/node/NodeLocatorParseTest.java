package io.k8scap.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link NodeLocator#parse} on whole outputs recorded from real runs of locate.sh on this machine
 * (src/test/resources/io/k8scap/node/locate-*.txt): the lab's four pods plus two unknown containers;
 * the cgroup fallback and a created-but-not-started container; and a run as user nobody.
 */
class NodeLocatorParseTest {
    static final NodeTarget NODE = new NodeTarget("lab-node-1", "127.0.0.1");

    // IDs as they were when locate-lab-all-pods.txt was recorded
    static final ContainerRef DOCKER = ContainerRef.parse("docker://bb25783f732254e27b4080780620df66e62b5fd25db0ade7844b327c231845ac");
    static final ContainerRef CONTAINERD = ContainerRef.parse("containerd://7d7c8f16a554c80a6ef81af1f360bd010583bca50d438d0556df955b11733b70");
    static final ContainerRef HOST = ContainerRef.parse("docker://73d173060b99bf92128d038fd1630be2bf86cd0c7e4c45d55c98398093d86034");
    static final ContainerRef MACVLAN = ContainerRef.parse("containerd://abe3c520f40668994d8f3c8946609ff41d83513714e8155f7405f7c2db03b8f2");
    static final ContainerRef MISSING = ContainerRef.parse("docker://0000000000000000000000000000000000000000000000000000000000000000");
    static final ContainerRef CRIO = ContainerRef.parse("cri-o://bogusbogusbogus0123");

    static String recording(String name) {
        try (InputStream in = NodeLocatorParseTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static NodeFacts labFacts() {
        // asked in another order than the script answered: results follow the order asked
        return NodeLocator.parse(NODE, List.of(CRIO, HOST, DOCKER, MISSING, CONTAINERD, MACVLAN),
                recording("locate-lab-all-pods.txt"));
    }

    @Test
    void resultsComeInTheOrderAsked() {
        assertThat(labFacts().containers()).extracting(ContainerLocation::ref)
                .containsExactly(CRIO, HOST, DOCKER, MISSING, CONTAINERD, MACVLAN);
    }

    @Test
    void toolsFoundOnTheNode() {
        assertThat(labFacts().tools())
                .containsEntry("tcpdump", "/usr/bin/tcpdump")
                .containsEntry("nsenter", "/usr/bin/nsenter")
                .containsEntry("ip", "/usr/sbin/ip")
                .containsEntry("docker", "/usr/local/bin/docker")
                .containsEntry("ctr", "/usr/bin/ctr")
                .doesNotContainKey("crictl");
    }

    @Test
    void dockerPodHasVethPeerOnTheLabBridge() {
        ContainerLocation l = labFacts().containers().get(2);
        assertThat(l.ok()).isTrue();
        assertThat(l.method()).isEqualTo("docker");
        assertThat(l.pid()).isEqualTo(12064);
        assertThat(l.netnsInode()).isEqualTo(4026532408L);
        assertThat(l.hostNetns()).isFalse();
        assertThat(l.podInterfaces()).extracting(NetInterface::display).containsExactly("lo", "eth0@if30");
        assertThat(l.primary().name()).isEqualTo("eth0");
        assertThat(l.primary().index()).isEqualTo(2);
        assertThat(l.primary().kind()).isEqualTo("veth");
        assertThat(l.primary().addresses()).containsExactly("10.244.77.2/24");
        assertThat(l.hostPeer().name()).isEqualTo("vethecda12ef");
        assertThat(l.hostPeer().index()).isEqualTo(30);
        assertThat(l.hostPeer().peerIndex()).isEqualTo(2);
        assertThat(l.hostPeer().kind()).isEqualTo("veth");
    }

    @Test
    void containerdPodFoundWithCtrHasCaliPeer() {
        ContainerLocation l = labFacts().containers().get(4);
        assertThat(l.ok()).isTrue();
        assertThat(l.method()).isEqualTo("ctr");
        assertThat(l.pid()).isEqualTo(10841);
        assertThat(l.primary().display()).isEqualTo("eth0@if28");
        assertThat(l.primary().addresses()).containsExactly("10.244.77.3/24", "fe80::a4cd:27ff:fe18:fd8e/64");
        assertThat(l.hostPeer().display()).isEqualTo("calid779bfe7cd4@if2");
        assertThat(l.hostPeer().index()).isEqualTo(28);
    }

    @Test
    void hostNetworkPodSharesTheNodeNetnsAndHasNoPeer() {
        ContainerLocation l = labFacts().containers().get(1);
        assertThat(l.ok()).isTrue();
        assertThat(l.hostNetns()).isTrue();
        assertThat(l.netnsInode()).isEqualTo(4026531833L);
        assertThat(l.hostPeer()).isNull();
        // the pod's interfaces are the node's
        assertThat(l.podInterfaces()).extracting(NetInterface::name).contains("lo", "eth0", "docker0", "k8scap0");
        assertThat(l.primary().name()).isEqualTo("eth0");
        assertThat(l.primary().addresses()).contains("192.0.2.2/24");
    }

    @Test
    void macvlanPodsIfNIsItsParentNotAPeer() {
        ContainerLocation l = labFacts().containers().get(5);
        assertThat(l.ok()).isTrue();
        assertThat(l.hostNetns()).isFalse();
        assertThat(l.primary().display()).isEqualTo("eth0@if31");
        assertThat(l.primary().kind()).isEqualTo("macvlan");
        assertThat(l.hostPeer()).isNull();
    }

    @Test
    void unknownDockerContainerIsNotFoundNamingContainerAndNode() {
        ContainerLocation l = labFacts().containers().get(3);
        assertThat(l.ok()).isFalse();
        assertThat(l.errorCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(l.error()).contains("000000000000").doesNotContain("0000000000000").contains("lab-node-1")
                .contains("No such container").contains("stale").doesNotContain("\n");
    }

    @Test
    void crioWithoutCrictlAndNoCgroupMatchIsUnavailableNamingTheMissingCli() {
        ContainerLocation l = labFacts().containers().get(0);
        assertThat(l.errorCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(l.error()).contains("bogusbogusbo").contains("lab-node-1").contains("crictl missing");
    }

    @Test
    void cgroupFallbackAndNotRunning() {
        ContainerRef crio = ContainerRef.parse("cri-o://37dee4553d2a12d40492364c056161d880ce5001b22119ff6a33d6703df8e868");
        ContainerRef ctrd = ContainerRef.parse("containerd://37dee4553d2a12d40492364c056161d880ce5001b22119ff6a33d6703df8e868");
        ContainerRef created = ContainerRef.parse("docker://d1a0a5d652da46b6817d9eb70a7838aa27e196676f4e14e3c98768822a704cc9");
        NodeFacts f = NodeLocator.parse(NODE, List.of(crio, ctrd, created), recording("locate-cgroup-and-notrunning.txt"));
        for (ContainerLocation l : f.containers().subList(0, 2)) {
            assertThat(l.ok()).isTrue();
            assertThat(l.method()).isEqualTo("cgroup");
            assertThat(l.pid()).isEqualTo(6920);
            assertThat(l.primary().display()).isEqualTo("eth0@if12");
            assertThat(l.hostPeer().name()).isEqualTo("vethef1dfd1");
        }
        ContainerLocation c = f.containers().get(2);
        assertThat(c.errorCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(c.error()).contains("d1a0a5d652da").contains("not running").contains("created");
    }

    @Test
    void withoutRootTheNetnsIsDeniedButThePidIsKept() {
        ContainerRef d = ContainerRef.parse("docker://37dee4553d2a12d40492364c056161d880ce5001b22119ff6a33d6703df8e868");
        NodeFacts f = NodeLocator.parse(NODE, List.of(d), recording("locate-as-nobody.txt"));
        ContainerLocation l = f.containers().get(0);
        assertThat(l.errorCode()).isEqualTo(ExitCode.DENIED);
        assertThat(l.pid()).isEqualTo(6920);
        assertThat(l.method()).isEqualTo("cgroup");
        assertThat(l.error()).contains("37dee4553d2a").contains("--sudo");
    }

    /** The peer must point back: a host veth with the right index but another @ifM is not the peer. */
    @Test
    void hostPeerIsVerifiedFromBothSides() {
        String out = recording("locate-lab-all-pods.txt").replace("hostlink\t-\t30: vethecda12ef@if2:", "hostlink\t-\t30: vethecda12ef@if7:");
        NodeFacts f = NodeLocator.parse(NODE, List.of(DOCKER, CONTAINERD), out);
        assertThat(f.containers().get(0).hostPeer()).isNull();
        assertThat(f.containers().get(1).hostPeer().name()).isEqualTo("calid779bfe7cd4");
    }

    @Test
    void aContainerTheScriptSaidNothingAboutIsAFailureNotASilentOk() {
        ContainerRef other = ContainerRef.parse("docker://1111111111111111");
        NodeFacts f = NodeLocator.parse(NODE, List.of(other), recording("locate-lab-all-pods.txt"));
        assertThat(f.containers().get(0).errorCode()).isEqualTo(ExitCode.FAILURE);
        assertThat(f.containers().get(0).error()).contains("said nothing").contains("111111111111");
    }

    @Test
    void aSpecWithControlCharactersFailsWithoutBreakingTheProtocol() {
        ContainerRef bad = new ContainerRef("docker", "abc\tpid\tdocker\t1");
        NodeFacts f = NodeLocator.parse(NODE, List.of(bad), recording("locate-lab-all-pods.txt"));
        assertThat(f.containers().get(0).errorCode()).isEqualTo(ExitCode.NOT_FOUND);
        assertThat(f.containers().get(0).error()).doesNotContain("\t");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "Welcome to lab-node-1! Unauthorized access prohibited.\nk8scap-locate\t-\t1\ndone\t-\t0\n",
            "k8scap-locate\t-\t2\ndone\t-\t0\n",
            "k8scap-locate\t-\t1\ntool\t-\tip\t/usr/sbin/ip\nhostns\t-\t4026531833\n"})
    void garbageOrCutOutputIsUnavailable(String out) {
        assertThatThrownBy(() -> NodeLocator.parse(NODE, List.of(DOCKER), out))
                .isInstanceOfSatisfying(K8sCapException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(ExitCode.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("lab-node-1").doesNotContain("\n");
                });
    }

    @ParameterizedTest
    @CsvSource({
            "notfound, NOT_FOUND", "notrunning, NOT_FOUND", "gone, NOT_FOUND", "badspec, NOT_FOUND",
            "noruntime, UNAVAILABLE", "runtimefail, UNAVAILABLE", "notools, UNAVAILABLE", "nsenter, UNAVAILABLE",
            "denied, DENIED", "somethingnew, FAILURE"})
    void scriptErrorCodesMapToExitCodes(String code, ExitCode expected) {
        assertThat(NodeLocator.errorFor(code)).isEqualTo(expected);
    }

    @Test
    void notoolsNamesTheMissingTools() {
        // constructed: PATH on this machine always has nsenter and ip, so this record was not recorded
        String out = "k8scap-locate\t-\t1\nhostns\t-\t4026531833\n"
                + "pid\t" + DOCKER.spec() + "\tdocker\t12064\n"
                + "netns\t" + DOCKER.spec() + "\t4026532408\town\n"
                + "err\t" + DOCKER.spec() + "\tnotools\tnsenter\n"
                + "done\t-\t1\n";
        ContainerLocation l = NodeLocator.parse(NODE, List.of(DOCKER), out).containers().get(0);
        assertThat(l.errorCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(l.pid()).isEqualTo(12064);
        assertThat(l.error()).contains("nsenter missing").contains("bb25783f7322").contains("lab-node-1");
    }

    @Test
    void unknownRuntimeSaysK8scapKnowsNoCli() {
        // constructed: what locate.sh prints for a runtime it knows no CLI for, when no cgroup matches
        ContainerRef rkt = ContainerRef.parse("rkt://abcdefabcdefabcdef");
        String out = "k8scap-locate\t-\t1\nerr\trkt://abcdefabcdefabcdef\tnoruntime\t\ndone\t-\t1\n";
        ContainerLocation l = NodeLocator.parse(NODE, List.of(rkt), out).containers().get(0);
        assertThat(l.errorCode()).isEqualTo(ExitCode.UNAVAILABLE);
        assertThat(l.error()).contains("no CLI for runtime rkt").contains("abcdefabcdef").contains("lab-node-1");
    }

    /** locate.sh parses under the shells a node may have as sh (no bash-isms that fail to parse). */
    @ParameterizedTest
    @ValueSource(strings = {"dash", "busybox sh", "bash --posix"})
    void scriptParsesUnderPosixShells(String shell) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(shell.split(" ")));
        cmd.addAll(List.of("-n", "-c", NodeScript.load("locate").compactText()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(shell + ": " + out).isZero();
    }
}
