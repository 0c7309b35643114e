package io.k8scap.proxy;

import java.util.List;

/**
 * The path a new connection to one service port takes on the node.
 *
 * @param rulesWalked iptables: KUBE-SERVICES rules a first packet is compared with up to and including the
 *     service's rule (null when the service has no rule, or in other modes)
 * @param kubeServicesRules iptables: rules in nat KUBE-SERVICES; null in other modes
 * @param comparison the cost of the same lookup in the other modes, in words
 * @param notes what is missing or odd on the path
 */
public record TraceView(String spn, ProxyMode mode, String frontend, List<TraceStep> steps, Integer rulesWalked, Integer kubeServicesRules,
        String comparison, List<String> notes) {
}
