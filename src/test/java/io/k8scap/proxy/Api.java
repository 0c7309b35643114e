package io.k8scap.proxy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/** API objects for tests, built with fabric8's builders as the cluster package would fetch them. */
final class Api {
    final List<Service> services = new ArrayList<>();
    final List<EndpointSlice> slices = new ArrayList<>();

    /** {@code name:port/proto=targetPort} specs, e.g. "dns:53/UDP=53", ":80/TCP=8080" (unnamed). */
    static ServicePort port(String spec) {
        String name = spec.substring(0, spec.indexOf(':'));
        String rest = spec.substring(spec.indexOf(':') + 1);
        int port = Integer.parseInt(rest.substring(0, rest.indexOf('/')));
        String proto = rest.substring(rest.indexOf('/') + 1, rest.indexOf('='));
        int target = Integer.parseInt(rest.substring(rest.indexOf('=') + 1));
        return new ServicePortBuilder().withName(name.isEmpty() ? null : name).withPort(port).withProtocol(proto)
                .withTargetPort(new IntOrString(target)).build();
    }

    Api service(String ns, String name, String clusterIP, List<ServicePort> ports, Consumer<ServiceBuilder> more) {
        ServiceBuilder b = new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withType("ClusterIP").withClusterIP(clusterIP).withClusterIPs(clusterIP).withPorts(ports).endSpec();
        if (more != null) {
            more.accept(b);
        }
        services.add(b.build());
        return this;
    }

    Api service(String ns, String name, String clusterIP, String... ports) {
        return service(ns, name, clusterIP, List.of(ports).stream().map(Api::port).toList(), null);
    }

    /** One slice for Service ns/name with the service's target ports under the same names. */
    Api slice(String ns, String name, String sliceName, List<Endpoint> endpoints) {
        Service svc = services.stream().filter(s -> s.getMetadata().getName().equals(name) && s.getMetadata().getNamespace().equals(ns))
                .findFirst().orElseThrow();
        List<EndpointPort> ports = svc.getSpec().getPorts().stream().map(p -> new EndpointPortBuilder().withName(p.getName())
                .withProtocol(p.getProtocol()).withPort(p.getTargetPort().getIntVal()).build()).toList();
        String type = svc.getSpec().getClusterIP().contains(":") ? "IPv6" : "IPv4";
        slices.add(new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(sliceName)
                .addToLabels("kubernetes.io/service-name", name).endMetadata()
                .withAddressType(type).withPorts(ports).withEndpoints(endpoints).build());
        return this;
    }

    Api endpoints(String ns, String name, String... ips) {
        return slice(ns, name, name + "-" + slices.size(), List.of(ips).stream().map(Api::ready).toList());
    }

    static Endpoint ready(String ip) {
        return endpoint(ip, true, true, false, "node-1");
    }

    static Endpoint endpoint(String ip, Boolean ready, Boolean serving, Boolean terminating, String node) {
        return new EndpointBuilder().withAddresses(ip).withNodeName(node).withNewConditions().withReady(ready).withServing(serving)
                .withTerminating(terminating).endConditions().build();
    }

    ApiSnapshot snapshot() {
        return snapshot(IpFamily.IPV4);
    }

    ApiSnapshot snapshot(IpFamily family) {
        return ApiSnapshot.of(services, slices, family, "node-1");
    }
}
