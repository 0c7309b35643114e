package io.k8scap.node;

import io.k8scap.ExitCode;
import java.util.List;

/**
 * What a node said about one container: how its PID was found, its network namespace, the pod-side
 * interface and the host-side peer — or why it could not be located.
 *
 * @param ref            the container asked for
 * @param method         how the PID was found: {@code docker}, {@code crictl}, {@code ctr}, {@code cgroup}
 * @param pid            the container's PID in the node's PID namespace (0 when not found)
 * @param netnsInode     inode of {@code /proc/PID/ns/net}
 * @param hostNetns      true when the container shares the node's network namespace
 * @param podInterfaces  every interface in the container's netns (loopback included)
 * @param primary        the pod's main interface (eth0, else the first non-loopback), or null
 * @param hostPeer       the host-side interface whose ifindex is the primary's {@code @ifN}, or null
 *                       (hostNetwork, or a CNI without veth such as ipvlan/macvlan)
 * @param errorCode      set when the container could not be located
 * @param error          one-line reason, set with errorCode
 */
public record ContainerLocation(
        ContainerRef ref,
        String method,
        long pid,
        long netnsInode,
        boolean hostNetns,
        List<NetInterface> podInterfaces,
        NetInterface primary,
        NetInterface hostPeer,
        ExitCode errorCode,
        String error) {

    public ContainerLocation {
        podInterfaces = podInterfaces == null ? List.of() : List.copyOf(podInterfaces);
    }

    public static ContainerLocation failed(ContainerRef ref, ExitCode code, String error) {
        return new ContainerLocation(ref, null, 0, 0, false, List.of(), null, null, code, error);
    }

    public boolean ok() {
        return errorCode == null;
    }
}
