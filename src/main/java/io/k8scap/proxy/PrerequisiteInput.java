package io.k8scap.proxy;

/**
 * What the node printed for the IPVS prerequisite check. Null means "not collected / command missing".
 *
 * @param kernelRelease {@code uname -r}
 * @param procModules {@code cat /proc/modules}
 * @param modulesBuiltin {@code cat /lib/modules/$(uname -r)/modules.builtin}
 * @param modulesDep {@code cat /lib/modules/$(uname -r)/modules.dep} (tells "loadable" from "missing")
 * @param ipsetVersion {@code ipset --version} (e.g. "ipset v7.17, protocol version: 7")
 * @param ipvsadmVersion {@code ipvsadm --version} (e.g. "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)")
 * @param kubeProxyVersion kube-proxy's version (e.g. "v1.28.3", from the DaemonSet image or {@code kube-proxy --version})
 * @param procNetListing {@code ls /proc/net}: {@code ip_vs} and {@code nf_conntrack} there prove the running kernel has
 *     them even when /proc/modules and modules.builtin are missing (kernels without loadable modules)
 */
public record PrerequisiteInput(String kernelRelease, String procModules, String modulesBuiltin, String modulesDep, String ipsetVersion,
        String ipvsadmVersion, String kubeProxyVersion, String procNetListing) {
}
