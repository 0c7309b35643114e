package io.k8scap.capture;

import io.k8scap.ExitCode;
import io.k8scap.K8sCapException;
import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.ContainerLocation;
import io.k8scap.node.NetInterface;
import io.k8scap.node.NodeTarget;
import java.util.function.Consumer;

/**
 * Chooses where to capture a located pod, and says why on the notices:
 * <ul>
 *   <li>the host-side veth peer by default (the seed's way: nothing enters the pod);</li>
 *   <li>inside the pod's netns ({@code nsenter -t PID -n tcpdump}) with {@code --inside}, when an
 *       interface inside the pod is asked for ({@code lo}, {@code any}), or automatically when the
 *       CNI gives no veth peer (ipvlan, macvlan, some cloud CNIs);</li>
 *   <li>on the node's own interface for hostNetwork pods, saying that it is the node's traffic.</li>
 * </ul>
 */
public final class CapturePlanner {
    private CapturePlanner() {}

    /**
     * @param inside     --inside
     * @param podIface   --interface: inside the pod (eth0, lo, any); null = the pod's primary interface
     */
    public static CapturePoint plan(ResolvedPod pod, NodeTarget node, ContainerLocation loc, boolean inside, String podIface,
                                    Consumer<String> notices) {
        if (!loc.ok()) {
            throw new K8sCapException(loc.errorCode(), loc.error());
        }
        NetInterface primary = loc.primary();
        if (loc.hostNetns()) {
            String iface = podIface != null ? podIface : primary != null ? primary.name() : null;
            if (iface == null) {
                throw new K8sCapException(ExitCode.NOT_FOUND, "pod " + pod.key() + " uses hostNetwork and node " + node.name()
                        + " reported no network interface to capture on; name one with --interface");
            }
            notices.accept(pod.key() + " uses hostNetwork: capturing node " + node.name() + "'s own traffic on " + iface
                    + " (add a filter such as 'port 8080' to keep only the pod's)");
            return new CapturePoint(pod, node, iface, 0, iface + ", the node's own interface (hostNetwork pod)");
        }
        boolean wantsInside = inside || (podIface != null && (podIface.equals("lo") || podIface.equals("any")
                || (primary != null && !podIface.equals(primary.name()))));
        if (!wantsInside && loc.hostPeer() != null) {
            return new CapturePoint(pod, node, loc.hostPeer().name(), 0,
                    loc.hostPeer().name() + ", host side of " + (primary == null ? "eth0" : primary.display()));
        }
        String iface = podIface != null ? podIface : primary != null ? primary.name() : "eth0";
        if (!wantsInside) {
            notices.accept(pod.key() + ": " + iface + " has no veth peer on node " + node.name() + " ("
                    + (primary == null || primary.kind().isEmpty() ? "no veth" : primary.kind())
                    + "); capturing inside the pod's network namespace instead");
        }
        return new CapturePoint(pod, node, iface, loc.pid(), iface + " inside the pod's network namespace (pid " + loc.pid() + ")");
    }
}
