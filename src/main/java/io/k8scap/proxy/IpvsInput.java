package io.k8scap.proxy;

/**
 * What the node printed for IPVS mode.
 *
 * @param ipvsadm {@code ipvsadm -Sn} (preferred) or {@code ipvsadm -Ln}; required
 * @param ipsetList {@code ipset list}; null when not collected (the KUBE-CLUSTER-IP check is skipped)
 * @param kubeIpvs0 {@code ip addr show dev kube-ipvs0}; null when not collected (the binding check is skipped)
 * @param iptablesSave {@code iptables-save} of the backend kube-proxy uses; null when not collected
 */
public record IpvsInput(String ipvsadm, String ipsetList, String kubeIpvs0, String iptablesSave) {
}
