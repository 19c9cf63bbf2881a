package org.sonicmigration.guest.agent;

import java.util.Objects;
import org.sonicmigration.guest.SoftSet;
import org.sonicmigration.guest.profile.MemoryProfile;

/**
 * One classification pass of the agent: the class of every frame, and the live soft set SPEC.md §3 defines
 * from it (free pages plus clean, unmapped page cache), which is what the agent publishes as its live hint.
 *
 * @param profile   the class of every frame, {@code [0, profile.pfnCount())}
 * @param soft      the frames whose class is {@link org.sonicmigration.guest.profile.PageClass#FREE} or
 *                  {@link org.sonicmigration.guest.profile.PageClass#CLEAN_CACHE}; same size as the profile
 * @param scanNanos how long the pass took (reading and classifying)
 */
public record AgentScan(MemoryProfile profile, SoftSet soft, long scanNanos) {
    public AgentScan {
        Objects.requireNonNull(profile, "profile");
        Objects.requireNonNull(soft, "soft");
        if (soft.size() != profile.pfnCount()) {
            throw new IllegalArgumentException("soft set covers " + soft.size() + " frames, the profile " + profile.pfnCount());
        }
    }
}
