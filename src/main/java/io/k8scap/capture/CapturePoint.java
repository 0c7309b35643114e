package io.k8scap.capture;

import io.k8scap.cluster.ResolvedPod;
import io.k8scap.node.NodeTarget;

/**
 * Where one pod's traffic is captured: an interface on the node (the pod's veth peer, or the node's
 * own for hostNetwork pods), or an interface inside the pod's network namespace.
 *
 * @param pod        the pod
 * @param node       its node
 * @param iface      interface name tcpdump gets with -i
 * @param netnsPid   0 = the node's network namespace; else a PID whose netns tcpdump enters
 * @param where      human description for messages and the pcapng interface description
 */
public record CapturePoint(ResolvedPod pod, NodeTarget node, String iface, long netnsPid, String where) {

    public boolean insidePod() {
        return netnsPid > 0;
    }

    /** pcapng if_description: the node and where on it. */
    public String description() {
        return node.name() + " " + where;
    }
}
