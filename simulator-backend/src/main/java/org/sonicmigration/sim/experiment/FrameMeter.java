package org.sonicmigration.sim.experiment;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.HypervisorVersion;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;

/**
 * Meters what the simulated hosts themselves cost a migration: the CPU time spent inside the source
 * domain's frame reads (generating or copying simulated guest memory, which a real hypervisor's mapping
 * does not cost) and inside the destination domain's frame writes and populates (fingerprinting and
 * storing pages for the verifier). A benchmark subtracts these from the sender's and the receiver's
 * threads to give the data path's own cost. The wrappers change nothing else: every call is passed on.
 */
public final class FrameMeter {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final LongAdder sourceNanos = new LongAdder();
    private final LongAdder targetNanos = new LongAdder();

    /** CPU nanoseconds spent in the source domain's {@code readFrames} so far, on any thread. */
    public long sourceCpuNanos() {
        return sourceNanos.sum();
    }

    /** CPU nanoseconds spent in the destination domain's {@code writeFrames} and {@code populate}, on any thread. */
    public long targetCpuNanos() {
        return targetNanos.sum();
    }

    /** Whether this JVM measures per-thread CPU time at all (else every figure stays zero). */
    public static boolean supported() {
        return THREADS.isCurrentThreadCpuTimeSupported() && THREADS.isThreadCpuTimeEnabled();
    }

    private static long now() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** {@code domain} with its frame reads metered. */
    SourceDomain source(SourceDomain domain) {
        return new MeteredSource(domain, sourceNanos);
    }

    /** {@code host} whose new target domains have their frame writes metered. */
    Hypervisor destination(Hypervisor host) {
        return new MeteredHost(host, targetNanos);
    }

    /** The domain a metered target wraps, or {@code target} itself. */
    static TargetDomain unwrap(TargetDomain target) {
        return target instanceof MeteredTarget m ? m.t() : target;
    }

    private record MeteredSource(SourceDomain d, LongAdder nanos) implements SourceDomain {
        @Override
        public void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors) {
            long t = now();
            try {
                d.readFrames(pfns, count, dst, errors);
            } finally {
                nanos.add(now() - t);
            }
        }

        @Override public DomainInfo info() { return d.info(); }
        @Override public HypervisorVersion hypervisorVersion() { return d.hypervisorVersion(); }
        @Override public RunState state() { return d.state(); }
        @Override public void pause() { d.pause(); }
        @Override public void unpause() { d.unpause(); }
        @Override public void suspend(Duration timeout) { d.suspend(timeout); }
        @Override public void resumeAfterSuspend() { d.resumeAfterSuspend(); }
        @Override public void keepPausedAfterSuspend() { d.keepPausedAfterSuspend(); }
        @Override public void destroy() { d.destroy(); }
        @Override public void retainGuestRam(PageBitmap pfns) { d.retainGuestRam(pfns); }
        @Override public DirtyLog enableDirtyLog() { return d.enableDirtyLog(); }
        @Override public PlatformState captureState() { return d.captureState(); }
        @Override public PlatformState.CpuPolicy cpuPolicy() { return d.cpuPolicy(); }
        @Override public Optional<String> toolstackConfig() { return d.toolstackConfig(); }
        @Override public void releaseName() { d.releaseName(); }
        @Override public Optional<HintChannel> hintChannel() { return d.hintChannel(); }
        @Override public void close() { d.close(); }
    }

    private record MeteredHost(Hypervisor h, LongAdder nanos) implements Hypervisor {
        @Override
        public TargetDomain createTarget(DomainSpec spec) {
            return new MeteredTarget(h.createTarget(spec), nanos);
        }

        @Override public String backendName() { return h.backendName(); }
        @Override public List<DomainInfo> listDomains() { return h.listDomains(); }
        @Override public SourceDomain openSource(DomainRef ref) { return h.openSource(ref); }
        // The host belongs to the caller, who closes it.
        @Override public void close() { }
    }

    private record MeteredTarget(TargetDomain t, LongAdder nanos) implements TargetDomain {
        @Override
        public void writeFrames(long[] pfns, int count, MemorySegment src) {
            long s = now();
            try {
                t.writeFrames(pfns, count, src);
            } finally {
                nanos.add(now() - s);
            }
        }

        @Override
        public void populate(long[] pfns, int count) {
            long s = now();
            try {
                t.populate(pfns, count);
            } finally {
                nanos.add(now() - s);
            }
        }

        @Override public DomainInfo info() { return t.info(); }
        @Override public void restoreState(PlatformState state) { t.restoreState(state); }
        @Override public void restoreDeviceModel(org.sonicmigration.spi.DeviceModelState state) { t.restoreDeviceModel(state); }
        @Override public void unpause() { t.unpause(); }
        @Override public void destroy() { t.destroy(); }
        @Override public void close() { t.close(); }
    }
}
