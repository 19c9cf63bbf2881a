package org.sonicmigration.guest.profile;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared Linux 6.1 profile data; a missing folder is a test failure, not a skip. */
final class SharedData {
    private SharedData() {
    }

    static Path linux61() {
        String dir = System.getProperty("sonic.profiles.dir");
        if (dir == null) {
            throw new AssertionError("system property sonic.profiles.dir is not set");
        }
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            throw new AssertionError("profile data missing: " + p);
        }
        return p;
    }
}
