package org.sonicmigration.sim;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.TargetDomain;

/**
 * A destination domain on a simulated host. It records, per populated pfn, a fingerprint of the content it
 * received (always) and the bytes themselves while the host's byte budget allows; pages populated without
 * data read as zeros and are marked as such. Storage is sparse (chunks of 512 pfns), so any pfn below the
 * spec's limit is accepted, and the number of populated pages is bounded by the host's memory. The object
 * stays on its host after the receiver closes its handle, so tests can verify it; {@link #destroy()}
 * removes it.
 */
public final class SimTargetDomain implements TargetDomain {
    private static final Logger LOG = LoggerFactory.getLogger(SimTargetDomain.class);
    private static final int CHUNK_SHIFT = 9;
    private static final int CHUNK = 1 << CHUNK_SHIFT;

    private final SimHypervisor host;
    private final int domid;
    /** Replaced (with a new name) only by {@link #rename}; read without the lock by {@link #name()}. */
    private volatile DomainSpec spec;
    private final long maxPages;
    private final Map<Long, Chunk> chunks = new HashMap<>();
    private long byteBudget;
    private boolean keepBytes;
    private long populated;
    private long withoutData;
    private PlatformState restored;
    private RunState state = RunState.PAUSED;

    private static final class Chunk {
        final long[] fingerprint = new long[CHUNK];
        final long[] present = new long[CHUNK / 64];
        final long[] noData = new long[CHUNK / 64];
        byte[] bytes;
    }

    SimTargetDomain(SimHypervisor host, int domid, DomainSpec spec, long maxPages, long byteBudget) {
        this.host = host;
        this.domid = domid;
        this.spec = spec;
        this.maxPages = maxPages;
        this.byteBudget = byteBudget;
        this.keepBytes = byteBudget > 0;
    }

    public String name() {
        return spec.name();
    }

    public int domid() {
        return domid;
    }

    public DomainSpec spec() {
        return spec;
    }

    @Override
    public synchronized DomainInfo info() {
        return new DomainInfo(domid, spec.name(), spec.pfnLimit(), populated, spec.pageSize(), state);
    }

    public synchronized RunState state() {
        return state;
    }

    @Override
    public synchronized void writeFrames(long[] pfns, int count, MemorySegment src) {
        checkBuilding();
        checkBatch(pfns, count);
        if (src.byteSize() < (long) count * PageContent.PAGE_SIZE) {
            throw new IllegalArgumentException("source of " + src.byteSize() + " bytes holds fewer than " + count + " pages");
        }
        for (int i = 0; i < count; i++) {
            long off = (long) i * PageContent.PAGE_SIZE;
            Chunk c = slot(pfns[i]);
            int idx = (int) (pfns[i] & (CHUNK - 1));
            c.fingerprint[idx] = PageContent.fingerprint(src, off);
            if (clear(c.noData, idx)) {
                withoutData--;
            }
            if (keepBytes) {
                if (c.bytes == null) {
                    reserveBytes(c);
                }
                if (keepBytes) {
                    MemorySegment.copy(src, off, MemorySegment.ofArray(c.bytes), (long) idx * PageContent.PAGE_SIZE,
                            PageContent.PAGE_SIZE);
                }
            }
            if (!keepBytes) {
                c.bytes = null;
            }
        }
    }

    @Override
    public synchronized void populate(long[] pfns, int count) {
        checkBuilding();
        checkBatch(pfns, count);
        for (int i = 0; i < count; i++) {
            Chunk c = slot(pfns[i]);
            int idx = (int) (pfns[i] & (CHUNK - 1));
            c.fingerprint[idx] = PageContent.ZERO_FINGERPRINT;
            if (!get(c.noData, idx)) {
                c.noData[idx >>> 6] |= 1L << idx;
                withoutData++;
            }
            if (c.bytes != null) {
                java.util.Arrays.fill(c.bytes, idx * PageContent.PAGE_SIZE, (idx + 1) * PageContent.PAGE_SIZE, (byte) 0);
            }
        }
    }

    @Override
    public synchronized void restoreState(PlatformState s) {
        checkBuilding();
        if (restored != null) {
            throw new SimulatorException("platform state of domain " + name() + " was already restored");
        }
        restored = java.util.Objects.requireNonNull(s, "state");
    }

    private org.sonicmigration.spi.DeviceModelState deviceModel;

    /** Kept, not run: the simulator emulates no devices, and a test can check what arrived. */
    @Override
    public synchronized void restoreDeviceModel(org.sonicmigration.spi.DeviceModelState s) {
        checkBuilding();
        if (restored == null) {
            throw new SimulatorException("device model of domain " + name() + " before its platform state");
        }
        deviceModel = java.util.Objects.requireNonNull(s, "device model");
    }

    /** The device model's state the stream carried, if it carried one (an HVM guest's). */
    public synchronized Optional<org.sonicmigration.spi.DeviceModelState> deviceModel() {
        return Optional.ofNullable(deviceModel);
    }

    @Override
    public synchronized void unpause() {
        if (state == RunState.DYING) {
            throw new SimulatorException("domain " + name() + " has been destroyed");
        }
        if (restored == null) {
            throw new SimulatorException("cannot start domain " + name() + ": no platform state was restored");
        }
        state = RunState.RUNNING;
    }

    @Override
    public void rename(String name) {
        host.rename(this, name);
    }

    /** Called by the host, which checks the name is free. */
    synchronized void renameTo(String name) {
        spec = new DomainSpec(name, spec.pfnLimit(), spec.pageSize(), spec.domainType());
    }

    @Override
    public synchronized void destroy() {
        state = RunState.DYING;
        chunks.clear();
        populated = 0;
        withoutData = 0;
        host.forget(this);
    }

    /** Releases the receiver's handle; the domain stays (running or paused) on its host. */
    @Override
    public void close() {
    }

    // ---- inspection ------------------------------------------------------------------------------------

    public synchronized boolean isPopulated(long pfn) {
        Chunk c = chunks.get(pfn >>> CHUNK_SHIFT);
        return c != null && get(c.present, (int) (pfn & (CHUNK - 1)));
    }

    /** Populated by an "allocate, no data" entry and never written since. */
    public synchronized boolean isPopulatedWithoutData(long pfn) {
        Chunk c = chunks.get(pfn >>> CHUNK_SHIFT);
        return c != null && get(c.noData, (int) (pfn & (CHUNK - 1)));
    }

    /** Fingerprint of the page's content (zero-page fingerprint for no-data pages), empty if not populated. */
    public synchronized Optional<Long> fingerprint(long pfn) {
        Chunk c = chunks.get(pfn >>> CHUNK_SHIFT);
        int idx = (int) (pfn & (CHUNK - 1));
        if (c == null || !get(c.present, idx)) {
            return Optional.empty();
        }
        return Optional.of(c.fingerprint[idx]);
    }

    /** The page's bytes, when populated and the host kept bytes for this domain. */
    public synchronized Optional<byte[]> readPage(long pfn) {
        Chunk c = chunks.get(pfn >>> CHUNK_SHIFT);
        int idx = (int) (pfn & (CHUNK - 1));
        if (c == null || !get(c.present, idx)) {
            return Optional.empty();
        }
        if (get(c.noData, idx)) {
            return Optional.of(new byte[PageContent.PAGE_SIZE]);
        }
        if (c.bytes == null) {
            return Optional.empty();
        }
        byte[] out = new byte[PageContent.PAGE_SIZE];
        System.arraycopy(c.bytes, idx * PageContent.PAGE_SIZE, out, 0, out.length);
        return Optional.of(out);
    }

    /** Whether page bytes are kept (false once the byte budget ran out: fingerprints only). */
    public synchronized boolean keepsBytes() {
        return keepBytes;
    }

    public synchronized long populatedPages() {
        return populated;
    }

    public synchronized long pagesWithoutData() {
        return withoutData;
    }

    /** The platform state the receiver installed. */
    public synchronized Optional<PlatformState> restoredState() {
        return Optional.ofNullable(restored);
    }

    /** The highest populated pfn + 1 (0 when empty). */
    public synchronized long populatedEnd() {
        long end = 0;
        for (Map.Entry<Long, Chunk> e : chunks.entrySet()) {
            long[] present = e.getValue().present;
            for (int w = present.length - 1; w >= 0; w--) {
                if (present[w] != 0) {
                    long pfn = (e.getKey() << CHUNK_SHIFT) + w * 64L + 63 - Long.numberOfLeadingZeros(present[w]);
                    end = Math.max(end, pfn + 1);
                    break;
                }
            }
        }
        return end;
    }

    // ---- internals -------------------------------------------------------------------------------------

    private Chunk slot(long pfn) {
        Chunk c = chunks.computeIfAbsent(pfn >>> CHUNK_SHIFT, k -> new Chunk());
        int idx = (int) (pfn & (CHUNK - 1));
        if (!get(c.present, idx)) {
            if (populated >= maxPages) {
                throw new SimulatorException("destination host out of memory: domain " + name() + " already has "
                        + populated + " pages (host limit " + maxPages + ")");
            }
            c.present[idx >>> 6] |= 1L << idx;
            populated++;
        }
        return c;
    }

    private void reserveBytes(Chunk target) {
        long chunkBytes = (long) CHUNK * PageContent.PAGE_SIZE;
        if (byteBudget < chunkBytes) {
            LOG.info("domain {}: byte budget exhausted, keeping fingerprints only from now on", name());
            keepBytes = false;
            for (Chunk c : chunks.values()) {
                c.bytes = null;
            }
            return;
        }
        byteBudget -= chunkBytes;
        target.bytes = new byte[CHUNK * PageContent.PAGE_SIZE];
    }

    private void checkBuilding() {
        if (state != RunState.PAUSED) {
            throw new SimulatorException("domain " + name() + " is " + state + ": pages and state can only be restored while it is being built");
        }
    }

    private void checkBatch(long[] pfns, int count) {
        if (count < 0 || count > pfns.length) {
            throw new IllegalArgumentException("count " + count + " does not fit pfns[" + pfns.length + "]");
        }
        for (int i = 0; i < count; i++) {
            if (pfns[i] < 0 || pfns[i] >= spec.pfnLimit()) {
                throw new SimulatorException("pfn " + pfns[i] + " is outside domain " + name() + "'s frame space (limit "
                        + spec.pfnLimit() + ")");
            }
        }
    }

    private static boolean get(long[] bits, int idx) {
        return (bits[idx >>> 6] & (1L << idx)) != 0;
    }

    private static boolean clear(long[] bits, int idx) {
        boolean was = get(bits, idx);
        bits[idx >>> 6] &= ~(1L << idx);
        return was;
    }
}
