package org.sonicmigration.sim;

import java.nio.file.Files;
import java.nio.file.Path;
import org.sonicmigration.guest.profile.MemoryProfile;

/** The Linux 6.1 profiles in the repository (data/linux61-guest); missing data fails the test (the folder is part of the repository's CI). */
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

    static MemoryProfile run1(String stage) {
        return MemoryProfile.load(linux61(), stage);
    }
}
