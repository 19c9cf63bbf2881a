package org.sonicmigration.engine;

import org.sonicmigration.spi.Clock;
import org.sonicmigration.stream.XlConfig;
import org.sonicmigration.transport.HandoverUncertainException;
import org.sonicmigration.transport.PeerRefusedException;
import org.sonicmigration.transport.StreamDestination;
import org.sonicmigration.transport.ThrottledOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.HypervisorVersion;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.ThreadDeaths;
import org.sonicmigration.stream.DomainHeader;
import org.sonicmigration.stream.EmulatorRecord;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of a migration: one generic pre-copy loop over the backend SPI. A first pass sends
 * every frame; each later pass resends what the dirty log says changed; when the dirty set is small
 * enough or the iteration budget is spent (Xen's two rules), or, if asked, stops shrinking, the guest is
 * suspended and the rest goes in a final paused pass, followed by the vCPU and platform state. Any
 * failure or stop request before the destination may start the guest turns log-dirty off and leaves
 * the source guest as it was (running, or paused if it was paused); a hand-over whose end is unknown
 * keeps the source copy paused.
 */
public final class PreCopyEngine {
    private static final Logger log = LoggerFactory.getLogger(PreCopyEngine.class);
    /** The stream's domain type for HVM and PVH guests. */
    static final int DOMAIN_TYPE_HVM = 2;
    static final int PAGE_SHIFT = 12;

    private final MigrationOptions options;
    private final PassPolicy passPolicy;
    private final Clock clock;
    private final MigrationListener listener;

    public PreCopyEngine(MigrationOptions options, Clock clock, MigrationListener listener) {
        this.options = options;
        this.passPolicy = PassPolicy.of(options);
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Migrates {@code domain} into {@code destination}. On success the source guest stays suspended
     * (the caller destroys it); on failure it is as it was before (running, or paused if it was paused).
     *
     * @throws MigrationException with a report of what happened, after rollback
     */
    public MigrationReport migrate(SourceDomain domain, String backend, StreamDestination destination)
            throws MigrationException {
        return migrate(domain, backend, destination, new MigrationControl());
    }

    /**
     * {@link #migrate(SourceDomain, String, StreamDestination)}, stoppable through {@code control}: a stop
     * requested before the destination may start the guest rolls back and ends in {@link Outcome#ABORTED}.
     *
     * @throws MigrationException with a report of what happened, after rollback
     */
    public MigrationReport migrate(SourceDomain domain, String backend, StreamDestination destination,
                                   MigrationControl control) throws MigrationException {
        // An error that kills another thread of this migration (the receiver, a simulated guest) is the
        // cause of whatever this thread sees next; the deaths after this mark are this migration's.
        long deaths = ThreadDeaths.mark();
        Run run = new Run(domain, backend, control);
        try {
            control.begin();
            try {
                run.execute(destination);
            } catch (IOException | UncheckedIOException e) {
                throw refusalOr(destination, e);
            }
            return run.report(Outcome.COMPLETED, "");
        } catch (HandoverUncertainException e) {
            String message = "migration of " + run.name + ": hand-over uncertain: " + e.getMessage() + "; "
                    + run.keepPaused(destination);
            listener.notice(message);
            throw new MigrationException(message, run.report(Outcome.UNCERTAIN_SOURCE_PAUSED, message), e);
        } catch (Exception | Error e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (e instanceof Error error) {
                ThreadDeaths.record(error);
            }
            Optional<ThreadDeaths.Death> death = ThreadDeaths.firstSince(deaths);
            // Where it failed (the exit code) stays what this thread saw; why is the first death's error.
            Outcome outcome = classify(e, control);
            String cause = death.map(ThreadDeaths.Death::describe).orElseGet(() -> describe(e));
            String why = outcome == Outcome.ABORTED && !(e instanceof MigrationAbortedException)
                    ? "stopped on request (" + control.abortReason().orElseThrow() + "): " + cause : cause;
            listener.phase(Phase.ROLLBACK);
            String rollback = run.rollback();
            String message = "migration of " + run.name + (outcome == Outcome.ABORTED ? " " : " failed: ")
                    + why + "; " + rollback;
            log.debug("migration failed", e);
            death.filter(d -> d.error() != e).ifPresent(d -> log.debug("the error of thread {}", d.thread(), d.error()));
            throw new MigrationException(message, run.report(outcome, message), e);
        } finally {
            control.finish();
            run.closeAdvisor();
        }
    }

    /**
     * Which side failed. A stop request explains whatever failure follows it (the receiver command that got
     * the same Ctrl-C dies and breaks the stream). An I/O failure is the destination's — the stream's
     * writes, the handshake, a refusal — except a guest frame that could not be read, which is ours.
     */
    static Outcome classify(Throwable e, MigrationControl control) {
        if (e instanceof MigrationAbortedException || control.abortReason().isPresent()) {
            return Outcome.ABORTED;
        }
        if (e instanceof UncheckedIOException || (e instanceof IOException && !(e instanceof FrameReadException))) {
            return Outcome.DESTINATION_FAILED;
        }
        return Outcome.FAILED_SOURCE_RESUMED;
    }

    /**
     * A write that broke the connection says only that; a peer that refused the stream stopped reading
     * and left its reason waiting on the connection, which is the better account of the failure.
     */
    private static Exception refusalOr(StreamDestination destination, Exception e) {
        Throwable io = e instanceof UncheckedIOException u ? u.getCause() : e;
        if (io instanceof SocketException) {
            Optional<PeerRefusedException> refusal = destination.refusal();
            if (refusal.isPresent()) {
                return new PeerRefusedException(refusal.get().reason(), e);
            }
        }
        return e;
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /**
     * The state of one migration; lives as long as {@link #migrate} runs. {@link #execute} reads as the
     * list of DESIGN.md's steps; each step is one method below it, and the set algebra of every step is
     * in {@link PageLedger}.
     */
    private final class Run {
        final SourceDomain domain;
        final String backend;
        final String name;
        final DomainInfo info;
        final List<IterationStats> iterations = new ArrayList<>();
        final List<String> notices = new ArrayList<>();
        DirtyLog dirtyLog;
        StreamWriter writer;
        long startNanos;
        long suspendNanos = -1;
        long endNanos = -1;
        boolean suspended;
        final MigrationControl control;
        final boolean startedPaused;
        private StreamDestination destination;
        private SoftPageAdvisor advisor;
        private PageLedger ledger;
        private long skippedLive;
        private long catchUp;
        private long unsent;
        private long softDirtied;

        Run(SourceDomain domain, String backend, MigrationControl control) {
            this.domain = domain;
            this.backend = backend;
            this.control = control;
            this.info = domain.info();
            // A guest its administrator paused must be found paused again after a rollback.
            this.startedPaused = info.state() == RunState.PAUSED;
            this.name = info.name().isEmpty() ? Integer.toString(info.domid()) : info.name();
            this.startNanos = clock.nanoTime();
        }

        void execute(StreamDestination destination) throws IOException, InterruptedException {
            startStream(destination);
            try (PageSender sender = new PageSender(domain, writer, options.batchPages())) {
                PageBitmap finalSoft = null;
                if (options.live()) {
                    startLogDirty();
                    liveRounds(sender);
                    finalSoft = handshake();
                    catchUp(sender, finalSoft);
                    control.check("before the suspend");
                    suspend();
                    ledger.fetchFinal(dirtyLog);
                } else {
                    finalSoft = saveHandshake();
                    suspend();
                    if (dirtyLog != null) {
                        ledger.fetchFinal(dirtyLog);
                    }
                    writer.writeStaticState(domain.cpuPolicy());
                }
                finalRound(sender, finalSoft);
            }
            control.check("during the downtime, before the vCPU state");
            endStream();
            handOver();
        }

        /** Step 1: connect; the xl, libxl and libxc headers. */
        private void startStream(StreamDestination destination) throws IOException {
            this.destination = destination;
            listener.phase(Phase.CONNECT);
            OutputStream raw = destination.open();
            log.debug("connected to the receiver");
            OutputStream out = options.bandwidth()
                    .<OutputStream>map(b -> new ThrottledOutputStream(raw, b, clock)).orElse(raw);
            writer = new StreamWriter(out);
            startNanos = clock.nanoTime();
            ledger = new PageLedger(info.pfnLimit());
            // The toolstack's own configuration lets a stock receiver rebuild the domain.
            writer.writeXlHeader(domain.toolstackConfig().orElseGet(() -> XlConfig.json(info)));
            writer.writeLibxlHeader();
            HypervisorVersion xen = domain.hypervisorVersion();
            writer.beginLibxc(new DomainHeader(DOMAIN_TYPE_HVM, PAGE_SHIFT, xen.major(), xen.minor()));
            log.debug("stream headers written (the domain's configuration included)");
        }

        /** Step 1, live: log-dirty on, the static data, and the guest's hint area if it offers one. */
        private void startLogDirty() throws InterruptedException {
            dirtyLog = domain.enableDirtyLog();
            log.debug("log-dirty on for {}: the live passes start", name);
            writer.writeStaticState(domain.cpuPolicy());
            advisor = SoftPageAdvisor.open(domain, options, clock, listener, notices).orElse(null);
            if (advisor != null) {
                advisor.startLiveHints();
            }
        }

        /**
         * Steps 1 and 4 of a save (not live), when the policy wants soft pages and the guest offers a hint
         * area: log-dirty on before the request, so that whatever the guest writes after it lands in the
         * final dirty set (which wins over the final soft set), then the handshake; no live pass.
         *
         * @return the guest's final soft set, or null (pruning off, no usable hint area, no answer)
         */
        private PageBitmap saveHandshake() throws InterruptedException {
            if (options.soft() == SoftPolicy.OFF) {
                return null;
            }
            advisor = SoftPageAdvisor.open(domain, options, clock, listener, notices).orElse(null);
            if (advisor == null) {
                return null;
            }
            dirtyLog = domain.enableDirtyLog();
            return handshake();
        }

        /** Steps 2 and 3: live passes until the dirty set is small or the budget is spent (or, if asked, stops shrinking). */
        private void liveRounds(PageSender sender) throws IOException {
            listener.phase(Phase.LIVE);
            long previousDirty = Long.MAX_VALUE;
            for (int k = 0; ; k++) {
                PageLedger.LivePass due = ledger.livePass(advisor == null ? null : advisor.liveSoft());
                skippedLive += due.skipped();
                pass(sender, k, PassKind.LIVE, due.send());
                ledger.sent(due.send());
                long dirtyCount = ledger.fetchLive(dirtyLog);
                if (advisor != null) {
                    advisor.dirtied(ledger.dirty());
                }
                finishPass(k, PassKind.LIVE, due.send(), sender, due.skipped(), dirtyCount);
                Optional<String> stop = passPolicy.stopAfter(k, dirtyCount, previousDirty);
                if (stop.isPresent()) {
                    log.debug("stop iterating after pass {}: {}", k, stop.get());
                    return;
                }
                previousDirty = dirtyCount;
            }
        }

        /**
         * Step 4: the suspend handshake, right after the last live fetch-and-clean, so that every later
         * write shows in a later dirty set.
         *
         * @return the guest's final soft set, or null (no hint area, or no usable answer)
         */
        private PageBitmap handshake() throws InterruptedException {
            control.check("after the live passes");
            return advisor == null ? null : advisor.handshake();
        }

        /** Step 5: the stale pages the guest did not give up, while it still runs. */
        private void catchUp(PageSender sender, PageBitmap finalSoft) throws IOException {
            if (advisor == null) {
                return;
            }
            PageBitmap due = ledger.catchUp(finalSoft);
            long count = due.cardinality();
            if (count > 0) {
                int k = iterations.size();
                pass(sender, k, PassKind.CATCH_UP, due);
                ledger.sent(due);
                catchUp = count;
                finishPass(k, PassKind.CATCH_UP, due, sender, 0, 0);
            }
        }

        /** Step 6, paused: what is left with data, the final soft set's clean stale pages without. */
        private void finalRound(PageSender sender, PageBitmap finalSoft) throws IOException {
            listener.phase(Phase.FINAL);
            int k = iterations.size();
            PageLedger.FinalRound due = ledger.finalRound(finalSoft, sender.holes, domain::retainGuestRam);
            softDirtied = due.softDirtied();
            pass(sender, k, PassKind.FINAL, due.withData());
            if (due.noData().isPresent()) {
                unsent = sender.sendWithoutData(due.noData().get(), PageType.XALLOC);
            }
            finishPass(k, PassKind.FINAL, due.withData(), sender, 0, 0);
        }

        /** Step 6, end: the vCPU and platform state, then END. */
        private void endStream() throws IOException {
            PlatformState state = domain.captureState();
            writer.writeFinalState(state);
            writer.endLibxc();
            // libxl's order: the device model's keys, then its state, after the libxc stream.
            domain.deviceModelState().ifPresent(dm -> {
                if (!dm.xenstore().isEmpty()) {
                    writer.writeEmulatorRecord(new EmulatorRecord.XenstoreData(dm.emulatorId(), 0, dm.xenstore()));
                }
                writer.writeEmulatorRecord(new EmulatorRecord.Context(dm.emulatorId(), 0, dm.context()));
            });
            writer.endLibxl();
            writer.flush();
        }

        /** The destination takes over; the source gives up its name just before the guest may start there. */
        private void handOver() throws IOException {
            listener.phase(Phase.HANDOVER);
            destination.handOver(() -> {
                // The last moment a stop can be honoured: once the name is given up the destination may start.
                control.commit("during the downtime, before the destination was told to start the guest");
                domain.releaseName();
            });
            endNanos = clock.nanoTime();
            closeLog();
            listener.phase(Phase.DONE);
        }

        private long passStart;
        private long passBytesStart;

        /** Sends every page in {@code pages}. */
        private void pass(PageSender sender, int k, PassKind kind, PageBitmap pages) throws IOException {
            long count = pages.cardinality();
            listener.iterationStarted(k, kind, count);
            passStart = clock.nanoTime();
            passBytesStart = writer.bytesWritten();
            sender.resetCounters();
            long done = 0;
            String where = kind == PassKind.FINAL ? "during the downtime, in the final pass"
                    : kind == PassKind.LIVE ? "during live pass " + k : "during the catch-up pass";
            for (long pfn = pages.nextSetBit(0); pfn >= 0; pfn = pages.nextSetBit(pfn + 1)) {
                // One volatile read a page: a stop is seen within a batch, not after a pass of minutes.
                control.check(where);
                sender.add(pfn);
                if ((++done & 1023) == 0) {
                    listener.progress(k, done, count, writer.bytesWritten());
                    destination.checkPeer();
                    if (advisor != null && kind == PassKind.LIVE) {
                        advisor.keepLeaseAlive(); // a pass can outlast the lease on a slow link
                    }
                }
            }
            sender.flush();
            listener.progress(k, done, count, writer.bytesWritten());
        }

        private void finishPass(int k, PassKind kind, PageBitmap due, PageSender sender, long skipped,
                                long dirtyAfter) {
            IterationStats s = new IterationStats(k, kind, due.cardinality(), sender.sent, sender.sentNoData, skipped,
                    writer.bytesWritten() - passBytesStart, clock.nanoTime() - passStart, dirtyAfter);
            iterations.add(s);
            listener.iterationFinished(s);
        }

        private void suspend() {
            listener.phase(Phase.SUSPEND);
            suspendNanos = clock.nanoTime();
            domain.suspend(options.suspendTimeout());
            suspended = true;
        }

        void closeAdvisor() {
            if (advisor != null) {
                advisor.close();
            }
        }

        void closeLog() {
            if (dirtyLog != null) {
                DirtyLog l = dirtyLog;
                dirtyLog = null;
                l.close();
            }
        }

        /**
         * Step 7, after any failure before the destination took over: the source as before the migration
         * (running, or paused if its administrator had paused it); says what it did.
         */
        String rollback() {
            List<String> problems = new ArrayList<>();
            try {
                closeLog();
            } catch (RuntimeException e) {
                problems.add("could not turn log-dirty off: " + describe(e));
            }
            try {
                if (suspended || domain.state() == RunState.SUSPENDED) {
                    domain.resumeAfterSuspend();
                }
                RunState now = domain.state();
                if (startedPaused && now == RunState.RUNNING) {
                    domain.pause();
                } else if (!startedPaused && now == RunState.PAUSED) {
                    domain.unpause();
                }
                // A guest that died on its own meanwhile (it crashed, was destroyed) is not "running": say what it is.
                RunState after = domain.state();
                if (after != RunState.RUNNING && after != RunState.PAUSED) {
                    problems.add("log-dirty off, but the source guest is " + after.name().toLowerCase(Locale.ROOT)
                            + ", not running");
                }
            } catch (RuntimeException e) {
                problems.add("could not resume the guest: " + describe(e));
            }
            String result = !problems.isEmpty() ? String.join("; ", problems)
                    : startedPaused ? "log-dirty off, the source guest is paused, as it was before"
                    : "the source guest is running";
            notices.add(result);
            return result;
        }

        /**
         * After an uncertain hand-over (xl's "failed badly"): log-dirty off, and the suspended source copy
         * made a paused one, neither resumed nor destroyed, so that an operator can unpause it if and only
         * if the destination does not run the guest; returns what the operator must check.
         */
        String keepPaused(StreamDestination destination) {
            List<String> problems = new ArrayList<>();
            try {
                closeLog();
            } catch (RuntimeException e) {
                problems.add("could not turn log-dirty off: " + describe(e));
            }
            String now = name;
            try {
                domain.keepPausedAfterSuspend();
                String current = domain.info().name();
                now = current.isEmpty() ? name : current;
            } catch (RuntimeException e) {
                problems.add("could not turn the suspended copy into a paused one (" + describe(e)
                        + "): it stays suspended");
            }
            String renamed = now.equals(name) ? "" : " as " + now;
            String result = "the source copy is kept paused" + renamed + ", neither resumed nor destroyed"
                    + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")")
                    + ". Check " + destination.describe() + ": if the guest runs there, destroy this copy (xl destroy "
                    + now + "); if it does not, " + (renamed.isEmpty() ? "" : "rename this copy back (xl rename " + now
                    + " " + name + ") and ") + "unpause it (xl unpause " + name + "). Never run both: two running"
                    + " copies of one guest corrupt its disks";
            notices.add(result);
            return result;
        }

        MigrationReport report(Outcome outcome, String error) {
            long end = endNanos >= 0 ? endNanos : clock.nanoTime();
            long sent = 0;
            long noData = 0;
            for (IterationStats s : iterations) {
                sent += s.pagesSent();
                noData += s.pagesNoData();
            }
            long downtime = suspendNanos < 0 ? 0 : end - suspendNanos;
            SoftPageSummary soft = advisor == null ? SoftPageSummary.off(options.soft())
                    : new SoftPageSummary(options.soft(), true, advisor.reads, advisor.usable, skippedLive,
                    advisor.finalPages, advisor.handshakeNanos, advisor.handshake, catchUp, unsent, softDirtied,
                    advisor.fallbacks(), advisor.livePublication());
            return new MigrationReport(name, backend, outcome, error, iterations, sent, noData,
                    writer == null ? 0 : writer.bytesWritten(), end - startNanos, downtime, info.totalPages(), notices,
                    soft);
        }
    }
}
