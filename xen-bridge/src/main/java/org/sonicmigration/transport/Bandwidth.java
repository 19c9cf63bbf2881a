package org.sonicmigration.transport;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A link rate in bytes per second, parsed from what users type: {@code 1Gbit}, {@code 100Mbit},
 * {@code 125MB} (per second), {@code 1G} (bits, as network people write it). {@code bits} and
 * {@code bit} mean bits, {@code B} bytes; decimal prefixes for bits, binary for bytes (MiB/GiB
 * also accepted).
 */
public record Bandwidth(long bytesPerSecond) {
    private static final Pattern FORMAT = Pattern.compile(
            "(?i)\\s*(\\d+(?:\\.\\d+)?)\\s*([kmgt]?)(i?)(bit|bits|b|bps)?(/s)?\\s*");

    public Bandwidth {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bandwidth must be positive");
        }
    }

    public static Bandwidth parse(String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException("cannot read bandwidth '" + text
                    + "': use e.g. 1Gbit, 500Mbit, 100MB (bytes/s) or 64MiB");
        }
        double value = Double.parseDouble(m.group(1));
        String prefix = m.group(2).toLowerCase(Locale.ROOT);
        boolean binary = !m.group(3).isEmpty();
        String unit = m.group(4) == null ? "bit" : m.group(4);
        boolean bytes = unit.equals("B");
        double base = binary ? 1024 : 1000;
        int power = switch (prefix) {
            case "k" -> 1;
            case "m" -> 2;
            case "g" -> 3;
            case "t" -> 4;
            default -> 0;
        };
        double perSecond = value * Math.pow(base, power);
        double bytesPerSecond = bytes ? perSecond : perSecond / 8;
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bandwidth '" + text + "' is below one byte per second");
        }
        return new Bandwidth((long) bytesPerSecond);
    }

    /** Time to move {@code bytes} at this rate. */
    public long nanosFor(long bytes) {
        return (long) (bytes * 1e9 / bytesPerSecond);
    }

    @Override
    public String toString() {
        double bits = bytesPerSecond * 8.0;
        if (bits >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbit/s", bits / 1e9);
        }
        return String.format(Locale.ROOT, "%.1f Mbit/s", bits / 1e6);
    }
}
