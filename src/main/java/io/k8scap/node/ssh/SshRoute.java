package io.k8scap.node.ssh;

import io.k8scap.node.NodeTarget;
import java.util.List;

/**
 * How to reach one node: the bastion hops to cross first (possibly none), then the node itself.
 *
 * @param configHost the name the ssh config was consulted with (the node name when a Host entry
 *                   matched it, else the node address)
 */
public record SshRoute(NodeTarget target, String configHost, List<SshEndpoint> jumps, SshEndpoint node) {
    public SshRoute {
        jumps = List.copyOf(jumps);
    }
}
