package io.k8scap.proxy;

import java.util.List;

/**
 * A service port as the node programmed it next to what the API says.
 *
 * @param chain the load-balancing chain (KUBE-SVC/SVL, nft service chain) or IPVS scheduler text; null when missing
 * @param scheduler IPVS scheduler (rr, wrr, …), null in other modes
 * @param apiEndpoints usable endpoints in the slices
 * @param rejects whether the node rejects the service ("has no endpoints")
 */
public record ServiceView(String service, String portName, String spn, String protocol, int port, String chain, String scheduler,
        boolean sessionAffinity, int apiEndpoints, boolean rejects, List<FrontendView> frontends, List<BackendView> backends) {
}
