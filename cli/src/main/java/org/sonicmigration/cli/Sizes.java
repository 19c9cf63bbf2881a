package org.sonicmigration.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Memory sizes as users write them: {@code 256M}, {@code 2G}, {@code 64GiB}, {@code 512MB}. Memory is
 * binary, so M and MB both mean MiB, as in xl's {@code memory=} setting. Plain numbers are MiB.
 */
final class Sizes implements CommandLine.ITypeConverter<Long> {
    private static final Pattern FORMAT = Pattern.compile("(?i)\\s*(\\d+)\\s*(k|m|g|t)?(i?b)?\\s*");

    @Override
    public Long convert(String value) {
        return parseBytes(value);
    }

    static long parseBytes(String value) {
        Matcher m = FORMAT.matcher(value);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a size (use e.g. 256M, 2G, 64GiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "m" : m.group(2).toLowerCase(Locale.ROOT);
        int shift = switch (unit) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 40;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too large");
        }
        return n << shift;
    }

    static String format(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
        }
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
