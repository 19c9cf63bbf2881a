package org.sonicmigration.guest.profile;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared Linux 6.1 profile data; a missing folder is a test failure, not a skip. */
final class SharedData {
    private SharedData() {
    }

    static Path linux61() {
        String dir = System.getProperty("sonic.shared.dir");
        if (dir == null) {
            throw new AssertionError("system property sonic.shared.dir is not set");
        }
        Path p = Path.of(dir, "data", "linux61-guest");
        if (!Files.isDirectory(p)) {
            throw new AssertionError("shared profile data missing: " + p);
        }
        return p;
    }
}
