package org.sonicmigration.spi;

import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Optional;

/**
 * A running domain being migrated away: the operations of Xen's save loop, one method each.
 * Implementations must be safe to call from the engine thread while the guest keeps running.
 */
public interface SourceDomain extends AutoCloseable {

    DomainInfo info();

    /** The hypervisor this domain runs on, for the stream's domain header. */
    default HypervisorVersion hypervisorVersion() {
        return HypervisorVersion.XEN_4_17;
    }

    RunState state();

    void pause();

    void unpause();

    /**
     * Asks the guest to suspend and waits until it has (Xen: shut down with reason suspend).
     *
     * @throws BackendException if the guest did not suspend within {@code timeout}; it is then still running
     */
    void suspend(Duration timeout);

    /**
     * Undoes {@link #suspend}: the guest continues on this host (a cancelled migration). An administrator's
     * pause is not undone: a guest paused before the migration is paused again afterwards.
     */
    void resumeAfterSuspend();

    /**
     * After a hand-over whose end is unknown: turns the suspended guest into a paused one, keeping the name
     * {@link #releaseName} gave up, so that it neither runs nor is lost. An operator who finds that the
     * destination does not run the guest unpauses it (Xen: {@code xl unpause}) and it continues as after a
     * cancelled suspend. Pausing comes first: the guest never runs in between.
     */
    default void keepPausedAfterSuspend() {
        if (state() != RunState.PAUSED) {
            pause();
        }
        resumeAfterSuspend();
    }

    /**
     * Discards the domain for good: only once its state has safely moved elsewhere (the destination
     * confirmed a migration, or a save file is complete and synced), as {@code xl} does.
     */
    void destroy();

    /**
     * Clears from {@code pfns} every frame that is not the guest's own RAM (a hole, a page of the
     * hypervisor's in the guest's physmap, MMIO, a broken page), so that only guest RAM is ever
     * allocated on the destination without its data. The engine asks this of pages that may leave
     * without content, since a page skipped in every pass was never looked at otherwise.
     */
    void retainGuestRam(PageBitmap pfns);

    /** Turns on dirty-page logging; closing the returned log turns it off. */
    DirtyLog enableDirtyLog();

    /** {@link #readFrames} outcome of a frame that is not guest memory (a hole): it goes as a hole. */
    int FRAME_HOLE = 1;
    /** {@link #readFrames} outcome of a guest page the hypervisor marked broken: never read, sent as broken. */
    int FRAME_BROKEN = 2;

    /**
     * Copies guest frames into {@code dst}: frame {@code pfns[i]} goes to offset {@code i * pageSize}.
     * {@code errors[i]} says how: 0 read; {@link #FRAME_HOLE} or {@link #FRAME_BROKEN} not read, and
     * rightly so; a negative errno: reading this piece of guest memory failed, and a migration that
     * went on would leave the destination without it, so the engine stops (as Xen's saver does).
     *
     * @param count how many entries of {@code pfns} to read (at most 1024 is a good batch)
     */
    void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors);

    /** The vCPU and platform state to carry at the end of the stream; valid when paused or suspended. */
    PlatformState captureState();

    /**
     * The domain's CPUID and MSR policies; valid while it runs. Backends whose state capture works on
     * a running domain need not override this.
     */
    default PlatformState.CpuPolicy cpuPolicy() {
        PlatformState s = captureState();
        return new PlatformState.CpuPolicy(s.cpuidPolicy(), s.msrPolicy());
    }

    /**
     * The device model's state, for a guest that has one (Xen: an HVM guest's QEMU); valid after
     * {@link #suspend}, which stops the device model so that its own writes to guest memory end before
     * the final pass (and {@link #resumeAfterSuspend} lets it run again). Empty for a guest without one.
     */
    default Optional<DeviceModelState> deviceModelState() {
        return Optional.empty();
    }

    /**
     * The domain's configuration in its toolstack's own format, if the toolstack keeps one (Xen: libxl's
     * JSON, which {@code xl save} and {@code xl migrate} put in the xl header so that stock
     * {@code xl restore} / {@code xl migrate-receive} can rebuild the domain). Empty: the engine writes a
     * minimal configuration of its own, enough for this project's receiver.
     */
    default Optional<String> toolstackConfig() {
        return Optional.empty();
    }

    /**
     * Gives up the domain's name so the destination's copy can take it: called during a migration to a
     * peer, after the peer confirmed the whole stream and before it may start the guest (Xen: renamed to
     * {@code NAME--migratedaway}, as {@code xl migrate} does). {@link #resumeAfterSuspend} takes the name back.
     */
    default void releaseName() {}

    /**
     * The guest's soft-page hint channel, when the guest offers one; empty when it advertises none.
     * The caller closes it; closing the domain (or destroying it) closes it too.
     *
     * @throws HintUnavailableException the guest advertises a channel that cannot be used here; the
     *                                  message is the one-line reason (the migration goes on without hints)
     */
    Optional<HintChannel> hintChannel();

    /** Releases handles; never changes the guest's run state. */
    @Override
    void close();
}
