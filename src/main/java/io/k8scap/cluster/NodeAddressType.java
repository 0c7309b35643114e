package io.k8scap.cluster;

/** Which of a Node's addresses SSH goes to (--node-address). */
public enum NodeAddressType {
    /** status.addresses[type=InternalIP] — the default. */
    INTERNAL,
    /** status.addresses[type=ExternalIP]. */
    EXTERNAL,
    /** status.addresses[type=Hostname]. */
    HOSTNAME,
    /** The Node object's name, for DNS or ~/.ssh/config Host entries. */
    NAME
}
