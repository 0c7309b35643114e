package io.k8scap.proxy;

import java.util.List;

/** The result of inspecting one node's dataplane in one mode: the checked model and the per-service trace. */
public interface Inspection {
    DataplaneView view();

    /**
     * The path of a new connection to Service {@code ns/name}, every port or only {@code port} (a port name or
     * number). Empty when the API has no such Service port.
     */
    List<TraceView> trace(String namespace, String name, String port);
}
