package org.sonicmigration.guest.agent;

/**
 * Where the agent reads the kernel's per-frame words: {@code /proc/kpageflags} and {@code /proc/kpagecount}
 * of the running kernel, a saved snapshot of them ({@link KpageFiles}), or anything else that yields the same
 * little-endian words indexed by pfn (tests use arrays that change between passes, as a live guest does).
 * Each {@link #open} is a fresh pass from pfn 0.
 */
public interface KpageSource {

    /**
     * Starts a pass over the frames from pfn 0.
     *
     * @param withCounts whether the pass also reads kpagecount (a free-page scan needs only the flags)
     * @throws AgentException if a file is missing, unreadable or not a kpage file
     */
    KpageReader open(boolean withCounts);

    /** How many frames one {@link KpageReader#read} call should ask for: the agent's read granularity. */
    int chunkWords();

    /** A short description for messages and profiles, e.g. the kpageflags path. */
    String name();
}
