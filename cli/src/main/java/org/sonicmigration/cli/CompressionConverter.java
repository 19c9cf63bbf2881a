package org.sonicmigration.cli;

import org.sonicmigration.transport.Compression;
import picocli.CommandLine;

/** Parses {@code --compress} values: {@code lz4} or {@code zstd}. */
final class CompressionConverter implements CommandLine.ITypeConverter<Compression> {
    @Override
    public Compression convert(String value) {
        if (value.equals(Compression.NONE.cliName())) {
            throw new CommandLine.TypeConversionException("unknown compression 'none' (use lz4 or zstd, or leave --compress out)");
        }
        try {
            return Compression.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
