package org.sonicmigration.sim;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sonicmigration.guest.profile.MemoryProfile;

/** The shared Linux 6.1 profiles; missing data fails the test (the folder is part of the repository's CI). */
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

    static MemoryProfile run1(String stage) {
        return MemoryProfile.load(linux61(), stage);
    }
}
