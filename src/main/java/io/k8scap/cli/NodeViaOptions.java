package io.k8scap.cli;

import io.k8scap.node.PodAccessSettings;
import io.k8scap.node.ViaMode;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * How node-side work reaches a node: over SSH, or through a short-lived helper pod on it (for
 * clusters without SSH to nodes). Used by locate, capture and proxy-inspect; see docs/node-access.md.
 */
public final class NodeViaOptions {
    @Option(names = "--via", paramLabel = "ssh|pod|auto", defaultValue = "auto", converter = ViaConverter.class,
            description = "How to reach nodes: ssh, pod (a privileged helper pod on the node, removed afterwards), or auto: "
                    + "SSH, and a helper pod only when the node cannot be reached by SSH at all (default: ${DEFAULT-VALUE}).")
    ViaMode via = ViaMode.AUTO;

    @Option(names = "--helper-image", paramLabel = "IMAGE",
            description = "Image of the helper pod (default: " + PodAccessSettings.DEFAULT_IMAGE + "; needs sh and nsenter).")
    String helperImage;

    @Option(names = "--helper-namespace", paramLabel = "NS", description = "Namespace for helper pods (default: the target pod's).")
    String helperNamespace;

    /** Helper pod settings; {@code lifetime} bounds how long the helper may live (its activeDeadlineSeconds adds a grace). */
    PodAccessSettings podSettings(Duration lifetime) {
        return new PodAccessSettings(helperImage, helperNamespace, lifetime, null, null);
    }


    static final class ViaConverter implements ITypeConverter<ViaMode> {
        @Override
        public ViaMode convert(String value) {
            try {
                return ViaMode.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("'" + value + "' is not a way to reach nodes (use ssh, pod or auto)");
            }
        }
    }
}
