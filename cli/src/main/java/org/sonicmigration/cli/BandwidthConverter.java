package org.sonicmigration.cli;

import org.sonicmigration.transport.Bandwidth;
import picocli.CommandLine;

/** Parses {@code --bandwidth} values such as {@code 1Gbit} into a {@link Bandwidth}. */
final class BandwidthConverter implements CommandLine.ITypeConverter<Bandwidth> {
    @Override
    public Bandwidth convert(String value) {
        try {
            return Bandwidth.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
