package io.k8scap.cli;

import io.k8scap.cluster.NodeAddressType;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** --node-address internal|external|hostname|name, lower case as users type it. */
final class NodeAddressConverter implements ITypeConverter<NodeAddressType> {
    static final List<String> NAMES = List.of("internal", "external", "hostname", "name");

    @Override
    public NodeAddressType convert(String value) {
        String v = value.toLowerCase(Locale.ROOT);
        if (!NAMES.contains(v)) {
            throw new TypeConversionException("'" + value + "' is not a node address type (use " + String.join(", ", NAMES) + ")");
        }
        return NodeAddressType.valueOf(v.toUpperCase(Locale.ROOT));
    }

    static final class Candidates implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return NAMES.iterator();
        }
    }
}
