package org.sonicmigration.sim;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.kernel.PageState;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.module.HintModule;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;

/**
 * The migrator's handle on a simulated guest. One handle per guest at a time (a second migration of the same
 * guest is refused); closing it turns off a dirty log it enabled and never changes the guest's run state.
 */
final class SimSourceDomain implements SourceDomain {
    private final SimGuest guest;
    private final Runnable onClose;
    private SimDirtyLog log;
    private SimHintChannel channel;
    private volatile boolean closed;

    SimSourceDomain(SimGuest guest, Runnable onClose) {
        this.guest = guest;
        this.onClose = onClose;
    }

    @Override
    public DomainInfo info() {
        return guest.info();
    }

    @Override
    public RunState state() {
        return guest.state();
    }

    @Override
    public void pause() {
        check();
        guest.pause();
    }

    @Override
    public void unpause() {
        check();
        guest.unpause();
    }

    @Override
    public void suspend(Duration timeout) {
        check();
        guest.suspend(timeout);
    }

    @Override
    public void resumeAfterSuspend() {
        check();
        guest.resumeAfterSuspend();
    }

    @Override
    public synchronized DirtyLog enableDirtyLog() {
        check();
        if (log != null && !log.isClosed()) {
            throw new SimulatorException("log-dirty mode is already enabled on guest " + guest.name());
        }
        log = new SimDirtyLog(guest);
        return log;
    }

    /** The simulated physmap has no hypervisor pages or MMIO: only its holes are not RAM. */
    @Override
    public void retainGuestRam(org.sonicmigration.spi.PageBitmap pfns) {
        check();
        long limit = guest.info().pfnLimit();
        for (long pfn = pfns.nextSetBit(0); pfn >= 0; pfn = pfns.nextSetBit(pfn + 1)) {
            if (pfn >= limit || guest.pageState(pfn) == PageState.HOLE) {
                pfns.clear(pfn);
            }
        }
    }

    @Override
    public void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors) {
        check();
        guest.readFrames(pfns, count, dst, errors);
    }

    @Override
    public PlatformState captureState() {
        check();
        return guest.captureState();
    }

    @Override
    public void destroy() {
        check();
        guest.destroy();
    }

    @Override
    public PlatformState.CpuPolicy cpuPolicy() {
        check();
        return guest.cpuPolicy();
    }

    @Override
    public synchronized Optional<HintChannel> hintChannel() {
        check();
        Optional<HintModule> module = guest.hintModule();
        if (module.isEmpty()) {
            return Optional.empty();
        }
        if (channel == null) {
            channel = new SimHintChannel(guest.name(), module.get());
        }
        return Optional.of(channel);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (log != null) {
            log.close();
        }
        if (channel != null) {
            channel.close();
        }
        onClose.run();
    }

    private void check() {
        if (closed) {
            throw new SimulatorException("source handle of guest " + guest.name() + " is closed");
        }
        // A guest whose vCPU thread died cannot be read or resumed: say why rather than migrate a dead guest.
        guest.crash().ifPresent(c -> {
            throw new SimulatorException("guest " + guest.name() + " crashed: " + c);
        });
    }
}
