package io.k8scap.proxy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A parsed iptables-save (or ip6tables-save) dump: its tables by name (nat, filter, mangle, raw, …). */
public final class IptablesSave {
    private final Map<String, IptablesTable> tables = new LinkedHashMap<>();

    IptablesTable open(String name) {
        return tables.computeIfAbsent(name, IptablesTable::new);
    }

    public Map<String, IptablesTable> tables() {
        return Collections.unmodifiableMap(tables);
    }

    /** The table, or an empty one when the dump has none of that name. */
    public IptablesTable table(String name) {
        IptablesTable t = tables.get(name);
        return t != null ? t : new IptablesTable(name);
    }
}
