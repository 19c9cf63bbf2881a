package org.sonicmigration.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the measured Linux 6.1 guest profiles that the repository carries (data/linux61-guest,
 * passed to the tests as the system property {@code sonic.profiles.dir}). A missing folder fails the
 * test rather than skipping it: the data is part of the repository, so its absence is a broken build.
 */
public final class ProfileData {
    private ProfileData() {
    }

    /** The folder of run 1's snapshots; run 2's are in its {@code run2} subfolder. */
    public static Path linux61() {
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
