package org.sonicmigration.sim.guest;

import java.util.Objects;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.sim.kernel.LayoutTemplate;

/**
 * What a guest's memory looks like when it is created: the calibrated Linux 6.1 boot layout (scaled to the
 * guest's size), a replay of a measured {@link MemoryProfile} (every pfn starts in the state its class
 * implies), or all RAM free (for unit tests of the machinery).
 */
public sealed interface GuestLayout {

    /** The default: the 6.1 guest after boot, from {@code data/linux61-guest} run 1, scaled (see {@link LayoutTemplate}). */
    record Linux61() implements GuestLayout {}

    /** Every frame in the state its class in {@code profile} implies; clean/dirty/mapped cache gets files on the disk model. */
    record Replay(MemoryProfile profile) implements GuestLayout {
        public Replay {
            Objects.requireNonNull(profile, "profile");
        }
    }

    /** All RAM free and zero. */
    record Blank() implements GuestLayout {}
}
