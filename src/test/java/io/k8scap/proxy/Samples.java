package io.k8scap.proxy;

import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;

/** The API states the consistent samples are generated from. */
final class Samples {
    private Samples() {
    }

    /** A small cluster with every shape kube-proxy handles differently (IPv4). */
    static Api cluster() {
        Api api = new Api();
        api.service("kube-system", "kube-dns", "10.96.0.10", "dns:53/UDP=53", "dns-tcp:53/TCP=53", "metrics:9153/TCP=9153")
                .endpoints("kube-system", "kube-dns", "10.244.0.5", "10.244.0.6");
        api.service("default", "kubernetes", "10.96.0.1", "https:443/TCP=6443").endpoints("default", "kubernetes", "192.168.10.21");
        api.service("ns1", "web", "10.96.0.20", List.of(new ServicePortBuilder(Api.port(":80/TCP=8080")).withNodePort(30080).build()),
                b -> b.editSpec().withType("LoadBalancer").withExternalIPs("192.0.2.10").withSessionAffinity("ClientIP").endSpec()
                        .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("198.51.100.7").endIngress().endLoadBalancer().endStatus());
        api.slice("ns1", "web", "web-abc", List.of(Api.ready("10.244.1.4"), Api.ready("10.244.1.5"),
                Api.endpoint("10.244.2.7", false, false, false, "node-2"), Api.endpoint("10.244.2.8", false, true, true, "node-2")));
        api.slice("ns1", "web", "web-def", List.of(Api.ready("10.244.2.6")));
        api.service("ns1", "empty", "10.96.0.50", "http:80/TCP=80");
        api.service("tel", "sig", "10.96.7.7", "sctp:3868/SCTP=3868").endpoints("tel", "sig", "10.244.3.3");
        api.service("ns1", "local", "10.96.0.30", List.of(Api.port("http:80/TCP=80")),
                b -> b.editSpec().withInternalTrafficPolicy("Local").endSpec());
        api.slice("ns1", "local", "local-1", List.of(Api.ready("10.244.0.9"), Api.endpoint("10.244.5.9", true, true, false, "node-2")));
        // Things kube-proxy programs nothing for:
        api.service("ns1", "headless", "None", "http:80/TCP=80").endpoints("ns1", "headless", "10.244.0.44");
        return api;
    }

    static Api ipv6() {
        Api api = new Api();
        api.service("ns6", "web", "fd00:10:96::a", "http:80/TCP=8080").endpoints("ns6", "web", "fd00:10:244::5", "fd00:10:244::6",
                "fd00:10:244::7");
        api.service("ns6", "idle", "fd00:10:96::b", "http:80/TCP=8080");
        return api;
    }
}
