package io.k8scap.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Renders a command's view records to stdout as an aligned table (kubectl style), or as JSON/YAML
 * for scripts. Table cells are escaped: they often hold strings from the cluster.
 */
final class Printer {
    private final OutputOptions options;
    private final PrintWriter out;

    private Printer(OutputOptions options, PrintWriter out) {
        this.options = options;
        this.out = out;
    }

    static Printer of(OutputOptions options, PrintWriter out) {
        return new Printer(options, out);
    }

    /** A table column: header, value, and whether it shows only with {@code -o wide}. */
    record Column<T>(String header, Function<T, String> value, boolean wideOnly) {
        static <T> Column<T> of(String header, Function<T, String> value) {
            return new Column<>(header, value, false);
        }

        static <T> Column<T> wide(String header, Function<T, String> value) {
            return new Column<>(header, value, true);
        }
    }

    /** Prints {@code items} as a table, or as {@code {"items": [...]}} in JSON/YAML. */
    <T> void list(List<T> items, List<Column<T>> columns) {
        switch (options.format) {
            case json, yaml -> structured(Map.of("items", items));
            case table, wide -> table(items, columns, options.format == OutputOptions.Format.wide);
        }
    }

    /** Prints one object: {@code text} for table output, the object itself in JSON/YAML. */
    void object(Object view, String text) {
        switch (options.format) {
            case json, yaml -> structured(view);
            case table, wide -> {
                out.println(Terminal.sanitize(text));
                out.flush();
            }
        }
    }

    private <T> void table(List<T> items, List<Column<T>> columns, boolean wide) {
        List<Column<T>> shown = new ArrayList<>();
        for (Column<T> c : columns) {
            if (wide || !c.wideOnly()) {
                shown.add(c);
            }
        }
        List<String[]> rows = new ArrayList<>();
        if (!options.noHeaders) {
            rows.add(shown.stream().map(Column::header).toArray(String[]::new));
        }
        for (T item : items) {
            rows.add(shown.stream().map(c -> cell(c.value().apply(item))).toArray(String[]::new));
        }
        int[] width = new int[shown.size()];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            b.setLength(0);
            for (int i = 0; i < r.length; i++) {
                b.append(r[i]);
                if (i < r.length - 1) {
                    b.append(" ".repeat(width[i] - r[i].length() + 2));
                }
            }
            out.println(b);
        }
        out.flush();
    }

    private static String cell(String v) {
        return v == null || v.isEmpty() ? "-" : Terminal.sanitize(v);
    }

    private void structured(Object value) {
        try {
            ObjectMapper mapper = options.format == OutputOptions.Format.yaml
                    ? new ObjectMapper(new YAMLFactory().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
                    : new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            mapper.setSerializationInclusion(JsonInclude.Include.NON_NULL);
            out.println(mapper.writeValueAsString(value).stripTrailing());
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render output: " + e.getOriginalMessage(), e);
        }
    }
}
