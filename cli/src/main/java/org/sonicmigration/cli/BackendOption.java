package org.sonicmigration.cli;

import java.util.Optional;
import org.sonicmigration.spi.Backend;
import org.sonicmigration.spi.Backends;
import picocli.CommandLine.Option;

/** {@code --backend xen|sim}: force a backend instead of the automatic choice. */
final class BackendOption {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to use (see 'sonic backends'); default: the best available.")
    String name;

    Backend select() {
        return Backends.discover().select(Optional.ofNullable(name));
    }
}
