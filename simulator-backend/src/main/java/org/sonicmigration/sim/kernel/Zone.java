package org.sonicmigration.sim.kernel;

/**
 * A memory zone of the guest kernel (DMA, DMA32, Normal) with Linux's free-page watermarks and the
 * lowmem reserve that keeps lower zones for allocations that need them. Counts buddy pages only.
 */
final class Zone {
    final String name;
    final int index;
    final long start;
    final long end;
    long managed;
    long free;
    long min;
    long low;
    long high;
    /** Pages this zone keeps back from allocations whose preferred zone has index i (lowmem_reserve). */
    final long[] reserve = new long[3];
    long cursor;

    Zone(String name, int index, long start, long end) {
        this.name = name;
        this.index = index;
        this.start = start;
        this.end = end;
        this.cursor = start;
    }

    boolean contains(long pfn) {
        return pfn >= start && pfn < end;
    }

    /** Linux's zone_watermark_ok for an order-0 allocation preferring {@code preferred}. */
    boolean watermarkOk(long mark, Zone preferred) {
        return free > mark + reserve[preferred.index];
    }

    @Override
    public String toString() {
        return name + "[free=" + free + " min=" + min + " low=" + low + " high=" + high + " managed=" + managed + "]";
    }
}
