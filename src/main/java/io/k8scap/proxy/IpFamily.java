package io.k8scap.proxy;

import com.fasterxml.jackson.annotation.JsonValue;

/** kube-proxy programs each IP family separately (iptables-save vs ip6tables-save, table ip vs ip6). */
public enum IpFamily {
    IPV4, IPV6;

    public boolean matches(String ip) {
        return ip != null && (ip.indexOf(':') >= 0) == (this == IPV6);
    }

    @JsonValue
    public String id() {
        return this == IPV4 ? "IPv4" : "IPv6";
    }
}
