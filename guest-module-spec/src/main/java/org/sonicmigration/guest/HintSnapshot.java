package org.sonicmigration.guest;

import java.util.Optional;
import java.util.Set;

/**
 * The outcome of one read of the live hint: a consistent snapshot, a rejected area, or an area that
 * never held still long enough to be copied. Only {@link Valid} carries a soft set; dom0 treats the
 * other two as "no hint this time".
 */
public sealed interface HintSnapshot {

    /**
     * A snapshot copied inside one even generation of the seqlock.
     *
     * @param generation          the seqlock generation it was copied at (even)
     * @param soft                the live soft set, sized to the domain dom0 expects (PFNs the guest does
     *                            not cover are never soft)
     * @param referenced          the recently referenced soft pages, if the guest published them this time;
     *                            always a subset of {@code soft}
     * @param flags               the publication's known flags
     * @param publishTimeNanos    the guest's monotonic clock at the publication (guest time base)
     * @param publishPeriodMillis the guest's declared publication period, 0 if unknown
     */
    record Valid(long generation, SoftSet soft, Optional<SoftSet> referenced, Set<HintFlag> flags,
                 long publishTimeNanos, long publishPeriodMillis) implements HintSnapshot {
        public Valid {
            flags = Set.copyOf(flags);
        }

        /** Number of publications since the area was initialised. */
        public long publishSeq() {
            return generation >>> 1;
        }
    }

    /** The area (or its content at this read) breaks the ABI: {@code detail} says how, in one line. */
    record Invalid(InvalidReason reason, String detail) implements HintSnapshot {
    }

    /**
     * Every attempt saw an odd generation or a generation that moved during the copy.
     *
     * @param attempts       attempts made
     * @param lastGeneration the generation seen last
     */
    record Torn(int attempts, long lastGeneration) implements HintSnapshot {
    }
}
