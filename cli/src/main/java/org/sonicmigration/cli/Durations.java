package org.sonicmigration.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Durations as users write them: {@code 500ms}, {@code 3s}, {@code 2m}, {@code 1h}; a bare number is
 * seconds (so the older spelling {@code --connect-timeout 120} keeps its meaning). Zero is allowed
 * here; each option says whether it needs a positive value.
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("(?i)\\s*(\\d+)\\s*(ms|s|m|h)?\\s*");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        Matcher m = FORMAT.matcher(value);
        if (!m.matches()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (use e.g. 500ms, 3s, 2m)");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is too long a duration");
        }
        String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofSeconds(n);
        };
    }

    /** Requires a positive duration, else a usage error naming the option. */
    static Duration positive(Duration d, String option, CommandLine cl) {
        if (d.isZero() || d.isNegative()) {
            throw new CommandLine.ParameterException(cl, option + " must be positive, got 0");
        }
        return d;
    }

    /** Requires a positive duration where no command line is at hand (options checked when they are used). */
    static Duration positive(Duration d, String option) {
        if (d.isZero() || d.isNegative()) {
            throw new CommandLine.TypeConversionException(option + " must be positive, got 0");
        }
        return d;
    }
}
