package io.k8scap.proxy;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** One kernel module IPVS mode needs, and where the node has it. */
public record ModuleCheck(String name, State state) {
    public enum State {
        /** in /proc/modules */
        LOADED,
        /** in modules.builtin */
        BUILTIN,
        /** not loaded, but modules.dep lists a module file the kernel can load */
        AVAILABLE,
        /** ip_vs is in the kernel but nothing lists modules (no /proc/modules, no modules.builtin): cannot tell */
        UNKNOWN,
        MISSING;

        @JsonValue
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public boolean ok() {
        return state == State.LOADED || state == State.BUILTIN;
    }
}
