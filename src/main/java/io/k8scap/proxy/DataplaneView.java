package io.k8scap.proxy;

import java.util.List;

/**
 * One node's kube-proxy dataplane for one mode and IP family, checked against the API.
 *
 * @param apiServicePorts service ports the API has for this family
 * @param programmedServicePorts service ports the node has load-balancing for
 * @param natRules iptables/IPVS: total rules in the nat table (null in nftables mode)
 * @param nftRules nftables: rules in table kube-proxy (null otherwise)
 * @param ipvsVirtualServers IPVS: virtual servers (null otherwise)
 */
public record DataplaneView(ProxyMode mode, IpFamily family, int apiServicePorts, int programmedServicePorts, Integer natRules,
        Integer nftRules, Integer ipvsVirtualServers, List<ServiceView> services, List<Finding> findings) {

    /** Drift that breaks traffic (exit code 7 material); warnings alone do not count. */
    public boolean hasErrors() {
        return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
    }
}
