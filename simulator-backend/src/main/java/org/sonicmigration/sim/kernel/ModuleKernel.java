package org.sonicmigration.sim.kernel;

import java.lang.foreign.MemorySegment;
import java.util.function.LongPredicate;

/**
 * The guest kernel as a loaded kernel module sees it: its clock, page states, kernel pages it may allocate
 * and share with dom0, the dirty log of its own writes to them, and the memory-management calls a soft-page
 * module needs (drop clean cache, find or hold free pages, find hot cache). Calls run on the guest's vCPU
 * context.
 */
public interface ModuleKernel {

    /** Guest time since boot, in nanoseconds. */
    long now();

    /** The kernel state of frame {@code pfn}. */
    PageState state(long pfn);

    /**
     * Allocates {@code n} zeroed kernel pages.
     *
     * @throws SimulatorException if memory runs out (pages taken so far are given back)
     */
    long[] allocateKernelPages(int n);

    /** Backs frame {@code pfn} by {@code page} from now on (a page granted to dom0). */
    void share(long pfn, MemorySegment page);

    /** Logs a write the module made to a shared frame. */
    void markDirty(long pfn);

    /** Frees clean, unmapped cache pages except those {@code keep} names, at most {@code limit}; returns pages freed. */
    long dropCaches(LongPredicate keep, long limit);

    /** Bits of the buddy-free pages, into {@code out} (covering pfns {@code [0, 64 * out.length)}). */
    void freeWords(long[] out);

    /** Bits of the buddy-free and clean-cache pages, into {@code out}. */
    void softWords(long[] out);

    /** Clean cache pages among the newest {@code 1 / fraction} of the LRU, as bits into {@code out}. */
    void hotCleanCache(long[] out, int fraction);

    /** Takes free pages above the zones' min watermarks out of the allocator into {@code held}; returns pages taken. */
    long holdFree(long[] held);

    /** Gives a held page back through the free path. */
    void releaseHeld(long pfn);
}
