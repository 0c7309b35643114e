package io.k8scap.node;

/** {@code --via}: how nodes are reached. */
public enum ViaMode {
    /** SSH only (the foundation's behaviour). */
    SSH,
    /** A helper pod only. */
    POD,
    /** SSH when it works for the node, else a helper pod; the choice and its reason go to notices. */
    AUTO
}
