package io.k8scap.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Byte sizes: {@code 1048576}, {@code 500k}, {@code 10M}, {@code 2G} (powers of 1024; {@code KiB}, {@code MB} also read). */
public final class SizeConverter implements ITypeConverter<Long> {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    @Override
    public Long convert(String value) {
        return parse(value);
    }

    public static long parse(String value) {
        Matcher m = SIZE.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new TypeConversionException("'" + value + "' is not a size (use e.g. 1048576, 500k, 10M, 2G)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        long bytes = (long) (Double.parseDouble(m.group(1)) * (1L << shift));
        if (bytes <= 0) {
            throw new TypeConversionException("'" + value + "' must be more than 0 bytes");
        }
        return bytes;
    }
}
