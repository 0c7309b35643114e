package io.k8scap.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.ContainerRef;
import io.k8scap.node.NetInterface;
import io.k8scap.node.NodeTarget;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapturePlannerTest {
    private static final NodeTarget NODE = new NodeTarget("node-1", "10.0.0.12");
    private static final ResolvedPod POD = new ResolvedPod("flyte", "flyteadmin-0", "uid", "node-1", "10.244.1.7", false,
            "flyteadmin", "containerd://abc");
    private static final NetInterface ETH0_VETH = new NetInterface("eth0", 3, 19, "veth", List.of("10.244.1.7/24"));
    private static final NetInterface PEER = new NetInterface("calid97ed9edaec", 19, 3, "veth", List.of());
    private final List<String> notices = new ArrayList<>();

    private static ContainerLocation located(NetInterface primary, NetInterface peer, boolean hostNetns) {
        return new ContainerLocation(ContainerRef.parse("containerd://abc"), "ctr", 11389, 4026532253L, hostNetns,
                List.of(primary), primary, peer, null, null);
    }

    @Test
    void vethPodIsCapturedOnTheHostPeerWithoutEnteringThePod() {
        CapturePoint p = CapturePlanner.plan(POD, NODE, located(ETH0_VETH, PEER, false), false, null, notices::add);
        assertThat(p.iface()).isEqualTo("calid97ed9edaec");
        assertThat(p.netnsPid()).isZero();
        assertThat(p.description()).isEqualTo("node-1 calid97ed9edaec, host side of eth0@if19");
        assertThat(notices).isEmpty();
    }

    @Test
    void insideFlagUsesThePodsOwnInterfaceInItsNetns() {
        CapturePoint p = CapturePlanner.plan(POD, NODE, located(ETH0_VETH, PEER, false), true, null, notices::add);
        assertThat(p.iface()).isEqualTo("eth0");
        assertThat(p.netnsPid()).isEqualTo(11389);
        assertThat(notices).isEmpty();
    }

    @Test
    void loopbackOrAnyMeansInsideThePod() {
        assertThat(CapturePlanner.plan(POD, NODE, located(ETH0_VETH, PEER, false), false, "lo", notices::add).netnsPid()).isEqualTo(11389);
        assertThat(CapturePlanner.plan(POD, NODE, located(ETH0_VETH, PEER, false), false, "any", notices::add).iface()).isEqualTo("any");
    }

    @Test
    void noVethPeerFallsBackToInsideAndSaysSo() {
        NetInterface macvlan = new NetInterface("eth0", 2, 5, "macvlan", List.of("10.244.78.2/24"));
        CapturePoint p = CapturePlanner.plan(POD, NODE, located(macvlan, null, false), false, null, notices::add);
        assertThat(p.iface()).isEqualTo("eth0");
        assertThat(p.netnsPid()).isEqualTo(11389);
        assertThat(notices).singleElement().asString().contains("no veth peer").contains("macvlan").contains("inside the pod's network namespace");
    }

    @Test
    void hostNetworkPodCapturesTheNodesInterfaceAndSaysItIsTheNodesTraffic() {
        NetInterface nodeEth0 = new NetInterface("ens5", 2, -1, "", List.of("10.0.0.12/24"));
        CapturePoint p = CapturePlanner.plan(POD, NODE, located(nodeEth0, null, true), false, null, notices::add);
        assertThat(p.iface()).isEqualTo("ens5");
        assertThat(p.netnsPid()).isZero();
        assertThat(notices).singleElement().asString().contains("hostNetwork").contains("node node-1's own traffic on ens5");
    }

    @Test
    void aFailedLocationBecomesItsError() {
        ContainerLocation failed = ContainerLocation.failed(ContainerRef.parse("containerd://abc"), ExitCode.NOT_FOUND, "container abc not found on node node-1");
        assertThatThrownBy(() -> CapturePlanner.plan(POD, NODE, failed, false, null, notices::add))
                .isInstanceOf(K8sCapException.class).hasMessage("container abc not found on node node-1")
                .extracting(e -> ((K8sCapException) e).exitCode()).isEqualTo(ExitCode.NOT_FOUND);
    }
}
