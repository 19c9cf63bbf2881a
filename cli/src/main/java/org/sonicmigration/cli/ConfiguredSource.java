package org.sonicmigration.cli;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.HypervisorVersion;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;

/**
 * A source domain whose toolstack configuration is one the operator gave ({@code xl migrate -C}):
 * the stream's xl header carries it instead of the domain's own; everything else is the domain's.
 */
final class ConfiguredSource implements SourceDomain {
    private final SourceDomain domain;
    private final String config;

    ConfiguredSource(SourceDomain domain, String config) {
        this.domain = domain;
        this.config = config;
    }

    @Override
    public Optional<String> toolstackConfig() {
        return Optional.of(config);
    }

    @Override
    public DomainInfo info() {
        return domain.info();
    }

    @Override
    public HypervisorVersion hypervisorVersion() {
        return domain.hypervisorVersion();
    }

    @Override
    public RunState state() {
        return domain.state();
    }

    @Override
    public void pause() {
        domain.pause();
    }

    @Override
    public void unpause() {
        domain.unpause();
    }

    @Override
    public void suspend(Duration timeout) {
        domain.suspend(timeout);
    }

    @Override
    public void resumeAfterSuspend() {
        domain.resumeAfterSuspend();
    }

    @Override
    public void destroy() {
        domain.destroy();
    }

    @Override
    public void retainGuestRam(PageBitmap pfns) {
        domain.retainGuestRam(pfns);
    }

    @Override
    public DirtyLog enableDirtyLog() {
        return domain.enableDirtyLog();
    }

    @Override
    public void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors) {
        domain.readFrames(pfns, count, dst, errors);
    }

    @Override
    public PlatformState captureState() {
        return domain.captureState();
    }

    @Override
    public PlatformState.CpuPolicy cpuPolicy() {
        return domain.cpuPolicy();
    }

    @Override
    public void releaseName() {
        domain.releaseName();
    }

    @Override
    public Optional<HintChannel> hintChannel() {
        return domain.hintChannel();
    }

    /** The caller closes the domain it wrapped. */
    @Override
    public void close() {}
}
