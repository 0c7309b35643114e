package io.k8scap.proxy;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** kube-proxy's dataplane modes, named as {@code /proxyMode} answers. */
public enum ProxyMode {
    IPTABLES, IPVS, NFTABLES;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
