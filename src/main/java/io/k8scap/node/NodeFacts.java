package io.k8scap.node;

import java.util.List;
import java.util.Map;

/**
 * Everything one run of the locate script reported for one node.
 *
 * @param node        the node asked
 * @param tools       tool name → absolute path, for the tools found on the node
 *                    (tcpdump, nsenter, ip, crictl, docker, ctr)
 * @param containers  one entry per container asked, in the order asked
 */
public record NodeFacts(NodeTarget node, Map<String, String> tools, List<ContainerLocation> containers) {
    public NodeFacts {
        tools = Map.copyOf(tools);
        containers = List.copyOf(containers);
    }
}
