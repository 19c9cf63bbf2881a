package org.sonicmigration.sim.module;

import java.time.Duration;
import java.util.Objects;
import org.sonicmigration.sim.kernel.SimulatorException;

/**
 * Which SonicMigration guest module a simulated guest has loaded, and how it behaves: {@link None} (no hint
 * area at all), {@link Cooperative} (follows SPEC.md), {@link Slow} (follows it but answers the suspend
 * handshake late) or {@link Hostile} (breaks it in one of the ways dom0 must survive). Part of
 * a guest's configuration; {@link HintModule} is the running module.
 */
public sealed interface HintModuleSpec {

    /** SPEC.md recommends 100 ms … 10 s; the simulator's modules publish every 100 ms unless told otherwise. */
    Duration DEFAULT_PERIOD = Duration.ofMillis(100);
    /** Guest time from the event to the handshake worker running, before any modelled work. */
    Duration DEFAULT_ACK_LATENCY = Duration.ofMillis(3);
    /** Slow's default: past dom0's default 2 s deadline. */
    Duration DEFAULT_SLOW_ACK_DELAY = Duration.ofSeconds(3);
    /** Longest period a module may declare (the header field is 32-bit milliseconds; dom0 clamps to 10 s). */
    Duration MAX_PERIOD = Duration.ofHours(1);

    /** No module: the guest offers no hint channel. */
    record None() implements HintModuleSpec {
    }

    /**
     * How a module gives dom0 its final soft set (SPEC.md §5). {@link #LIST}: the free pages it finds, left in the
     * allocator, so the guest may take and write them before the pause (the final dirty set then sends them);
     * this is what the Linux module does on a kernel with {@code init_on_alloc}, Debian's default, where
     * allocating a page zeroes it. {@link #HOLD}: the free pages above the zones' min watermarks, taken out of
     * the allocator until resume; on an {@code init_on_alloc} kernel taking them zeroes, so dirties, each one.
     */
    enum FinalSet {
        LIST, HOLD
    }

    /**
     * When a module refreshes its live set (SPEC.md §4.4). {@link #ON_DEMAND}: an ABI 1.1 module, which scans
     * once at load and then only while dom0's lease is live (the Linux module's default). {@link #PERIODIC}: an
     * ABI 1.0 module, which republishes every period whether anyone reads it or not.
     */
    enum Publication {
        ON_DEMAND, PERIODIC
    }

    /**
     * A module that follows SPEC.md: publishes the live soft set every {@code period} (always, or only while
     * dom0 holds a lease), answers a request by dropping clean cache and publishing its free pages as the final
     * set, listed or held, within its 1.5 s budget.
     *
     * @param period            live-set publication period (guest time), 1 ms … 1 h
     * @param ackLatency        guest time from dom0's event to the handshake worker's first step, 0 … 1 s
     * @param publishReferenced also publish the hot end of the page-cache LRU as the referenced set (and then
     *                          keep those pages through the handshake's cache drop, as SPEC.md §4.3 demands)
     * @param finalSet          list the free pages (the default) or hold them
     * @param publication       periodic (ABI 1.0) or on dom0's demand (ABI 1.1)
     */
    record Cooperative(Duration period, Duration ackLatency, boolean publishReferenced, FinalSet finalSet,
                       Publication publication) implements HintModuleSpec {
        public Cooperative {
            checkPeriod(period);
            Objects.requireNonNull(ackLatency, "ackLatency");
            Objects.requireNonNull(finalSet, "finalSet");
            Objects.requireNonNull(publication, "publication");
            if (ackLatency.isNegative() || ackLatency.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new SimulatorException("hint module ack latency must be 0 .. 1 s, got " + ackLatency);
            }
        }

        /** A module that publishes periodically, as ABI 1.0 modules do. */
        public Cooperative(Duration period, Duration ackLatency, boolean publishReferenced, FinalSet finalSet) {
            this(period, ackLatency, publishReferenced, finalSet, Publication.PERIODIC);
        }

        /** A module that lists its final set and publishes periodically. */
        public Cooperative(Duration period, Duration ackLatency, boolean publishReferenced) {
            this(period, ackLatency, publishReferenced, FinalSet.LIST);
        }

        /** The same module with final sets given as {@code f}. */
        public Cooperative withFinalSet(FinalSet f) {
            return new Cooperative(period, ackLatency, publishReferenced, f, publication);
        }

        /** The same module publishing as {@code p}. */
        public Cooperative withPublication(Publication p) {
            return new Cooperative(period, ackLatency, publishReferenced, finalSet, p);
        }
    }

    /**
     * A module that does everything right (listing its final set) but publishes its final set only
     * {@code ackDelay} after the request (a guest too busy to answer in time): dom0 must give up at its deadline
     * and send every stale page.
     *
     * @param period   live-set publication period, 1 ms … 1 h
     * @param ackDelay guest time from the request to FINAL_READY, 1 ms … 1 h
     */
    record Slow(Duration period, Duration ackDelay) implements HintModuleSpec {
        public Slow {
            checkPeriod(period);
            Objects.requireNonNull(ackDelay, "ackDelay");
            if (ackDelay.compareTo(Duration.ofMillis(1)) < 0 || ackDelay.compareTo(Duration.ofHours(1)) > 0) {
                throw new SimulatorException("slow hint module ack delay must be 1 ms .. 1 h, got " + ackDelay);
            }
        }
    }

    /** A module that breaks the ABI in the way {@code kind} says, publishing every {@link #DEFAULT_PERIOD}. */
    record Hostile(HostileKind kind) implements HintModuleSpec {
        public Hostile {
            Objects.requireNonNull(kind, "kind");
        }
    }

    /** The ways a {@link Hostile} module misbehaves. */
    enum HostileKind {
        /** Claims every PFN soft, in the live set and in the final set, and holds nothing. */
        ALL_SOFT,
        /** Leaves the seqlock generation odd, and moves it every period, so a live read never settles. */
        TORN_GENERATION,
        /** Overwrites the header's magic. */
        BAD_MAGIC,
        /** Claims ABI major 2. */
        BAD_VERSION,
        /** Gives the live and final sections capacities reaching far beyond the area. */
        BAD_LENGTHS,
        /** Answers the handshake with the free pages it found plus every anonymous page: a final set naming hard pages. */
        LYING_FINAL,
        /**
         * Publishes honestly, then overwrites its live set and its final set with random bits without touching
         * the generation: what dom0 reads looks settled and is garbage (a torn read the seqlock cannot see; the
         * set's count field, left as published, gives it away).
         */
        FLIPPED_BITS,
        /** Claims a pfn_count four times the domain's frames: bits for frames beyond its memory. */
        PFNS_BEYOND_MEMORY
    }

    static None none() {
        return new None();
    }

    /** The default module: on demand, 100 ms period, 3 ms ack latency, no referenced set, final sets listed. */
    static Cooperative cooperative() {
        return new Cooperative(DEFAULT_PERIOD, DEFAULT_ACK_LATENCY, false, FinalSet.LIST, Publication.ON_DEMAND);
    }

    /** Whether the module publishes only while dom0's lease is live (SPEC.md §4.4); slow and hostile ones do not. */
    default boolean publishesOnDemand() {
        return this instanceof Cooperative c && c.publication() == Publication.ON_DEMAND;
    }

    /** The default module, holding its final sets. */
    static Cooperative holding() {
        return cooperative().withFinalSet(FinalSet.HOLD);
    }

    /** Whether the module takes its final set out of the allocator (else it only lists it). */
    default boolean holdsFinalSet() {
        return this instanceof Cooperative c && c.finalSet() == FinalSet.HOLD;
    }

    /** A slow module answering 3 s after the request. */
    static Slow slow() {
        return new Slow(DEFAULT_PERIOD, DEFAULT_SLOW_ACK_DELAY);
    }

    static Hostile hostile(HostileKind kind) {
        return new Hostile(kind);
    }

    /** The live-set publication period ({@link #DEFAULT_PERIOD} for hostile modules, zero for none). */
    default Duration period() {
        return switch (this) {
            case None n -> Duration.ZERO;
            case Cooperative c -> c.period();
            case Slow s -> s.period();
            case Hostile h -> DEFAULT_PERIOD;
        };
    }

    private static void checkPeriod(Duration period) {
        Objects.requireNonNull(period, "period");
        if (period.compareTo(Duration.ofMillis(1)) < 0 || period.compareTo(MAX_PERIOD) > 0) {
            throw new SimulatorException("hint module period must be 1 ms .. 1 h, got " + period);
        }
    }
}
