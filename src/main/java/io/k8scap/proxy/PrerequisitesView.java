package io.k8scap.proxy;

import java.util.List;

/**
 * IPVS prerequisites of one node.
 *
 * @param ipvsInKernel false when ip_vs is neither loaded, built in nor loadable: this kernel has no IPVS at all
 * @param satisfied every module loaded or built in, ipset and ipvsadm present
 * @param advice what this means for the node's kube-proxy version, one sentence each
 */
public record PrerequisitesView(String kernel, List<ModuleCheck> modules, List<ToolCheck> tools, String kubeProxyVersion,
        boolean ipvsInKernel, boolean satisfied, List<String> advice) {
}
