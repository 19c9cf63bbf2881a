package org.sonicmigration.engine;

import org.sonicmigration.spi.Clock;
import org.sonicmigration.stream.XlConfig;
import org.sonicmigration.transport.HandoverUncertainException;
import org.sonicmigration.transport.StreamDestination;
import org.sonicmigration.transport.ThrottledOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.DomainHeader;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side of a migration: one generic pre-copy loop over the backend SPI. A first pass sends
 * every frame; each later pass resends what the dirty log says changed; when the dirty set is small
 * enough, stops shrinking, or the iteration budget is spent, the guest is suspended and the rest goes
 * in a final paused pass, followed by the vCPU and platform state. Any failure before the destination
 * takes over turns log-dirty off and resumes the source guest.
 */
public final class PreCopyEngine {
    private static final Logger log = LoggerFactory.getLogger(PreCopyEngine.class);
    /** The stream's domain type for HVM and PVH guests. */
    static final int DOMAIN_TYPE_HVM = 2;
    static final int PAGE_SHIFT = 12;

    private final MigrationOptions options;
    private final Clock clock;
    private final MigrationListener listener;

    public PreCopyEngine(MigrationOptions options, Clock clock, MigrationListener listener) {
        this.options = options;
        this.clock = clock;
        this.listener = listener;
    }

    /**
     * Migrates {@code domain} into {@code destination}. On success the source guest stays suspended
     * (the caller destroys it); on failure it runs again.
     *
     * @throws MigrationException with a report of what happened, after rollback
     */
    public MigrationReport migrate(SourceDomain domain, String backend, StreamDestination destination)
            throws MigrationException {
        Run run = new Run(domain, backend);
        try {
            try {
                run.execute(destination);
            } catch (IOException | java.io.UncheckedIOException e) {
                // A peer that refuses the stream stops reading; its reason is waiting on the socket.
                Throwable io = e instanceof java.io.UncheckedIOException u ? u.getCause() : e;
                if (io instanceof java.net.SocketException) {
                    String peer = destination.peerError().filter(m -> m.startsWith("peer refused")).orElse(null);
                    if (peer != null) {
                        throw new IOException(peer, e);
                    }
                }
                throw e;
            }
            return run.report(Outcome.COMPLETED, "");
        } catch (HandoverUncertainException e) {
            run.closeLog();
            listener.notice(e.getMessage());
            MigrationReport report = run.report(Outcome.UNCERTAIN_SOURCE_PAUSED, e.getMessage());
            throw new MigrationException(e.getMessage(), report, e);
        } catch (Exception | Error e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = describe(e);
            listener.phase(Phase.ROLLBACK);
            String rollback = run.rollback();
            String message = "migration of " + run.name + " failed: " + why + "; " + rollback;
            log.debug("migration failed", e);
            throw new MigrationException(message, run.report(Outcome.FAILED_SOURCE_RESUMED, message), e);
        } finally {
            run.closeAdvisor();
        }
    }

    private static String describe(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** The state of one migration; lives as long as {@link #migrate} runs. */
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
        private StreamDestination destination;
        private SoftPageAdvisor advisor;
        private PageBitmap stale;
        private long skippedLive;
        private long catchUp;
        private long unsent;

        Run(SourceDomain domain, String backend) {
            this.domain = domain;
            this.backend = backend;
            this.info = domain.info();
            this.name = info.name().isEmpty() ? Integer.toString(info.domid()) : info.name();
            this.startNanos = clock.nanoTime();
        }

        void execute(StreamDestination destination) throws IOException, InterruptedException {
            this.destination = destination;
            listener.phase(Phase.CONNECT);
            OutputStream raw = destination.open();
            OutputStream out = options.bandwidth()
                    .<OutputStream>map(b -> new ThrottledOutputStream(raw, b, clock)).orElse(raw);
            writer = new StreamWriter(out);
            startNanos = clock.nanoTime();
            long pfnLimit = info.pfnLimit();
            stale = new PageBitmap(pfnLimit);
            stale.setAll();
            PageBitmap dirty = new PageBitmap(pfnLimit);
            PageBitmap send = new PageBitmap(pfnLimit);

            // The toolstack's own configuration lets a stock receiver rebuild the domain.
            writer.writeXlHeader(domain.toolstackConfig().orElseGet(() -> XlConfig.json(info)));
            writer.writeLibxlHeader();
            writer.beginLibxc(new DomainHeader(DOMAIN_TYPE_HVM, PAGE_SHIFT, 4, 17));
            try (PageSender sender = new PageSender(domain, writer, options.batchPages())) {
                PageBitmap finalSoft = null;
                if (options.live()) {
                    dirtyLog = domain.enableDirtyLog();
                    writer.writeStaticState(domain.cpuPolicy());
                    advisor = SoftPageAdvisor.open(domain, options, clock, listener, notices).orElse(null);
                    listener.phase(Phase.LIVE);
                    long previousDirty = Long.MAX_VALUE;
                    for (int k = 0; ; k++) {
                        long skipped = choose(send, dirty, k);
                        pass(sender, k, PassKind.LIVE, send);
                        stale.andNot(send);
                        dirtyLog.fetchAndClean(dirty);
                        stale.or(dirty);
                        long dirtyCount = dirty.cardinality();
                        finishPass(k, PassKind.LIVE, send, sender, skipped, dirtyCount);
                        String stop = stopReason(k, dirtyCount, previousDirty);
                        if (stop != null) {
                            log.debug("stop iterating after pass {}: {}", k, stop);
                            break;
                        }
                        previousDirty = dirtyCount;
                    }
                    if (advisor != null) {
                        // Right after the last live fetch-and-clean: every later write shows in a later dirty set.
                        finalSoft = advisor.handshake();
                        // Stale pages the guest did not give up go now, while it still runs: without a final
                        // set that is every page skipped on a hint, which must not land in the downtime.
                        send.copyFrom(stale);
                        if (finalSoft != null) {
                            send.andNot(finalSoft);
                        }
                        if (send.cardinality() > 0) {
                            int k = iterations.size();
                            pass(sender, k, PassKind.CATCH_UP, send);
                            stale.andNot(send);
                            catchUp = send.cardinality();
                            finishPass(k, PassKind.CATCH_UP, send, sender, 0, 0);
                        }
                    }
                    suspend();
                    dirtyLog.fetchAndClean(dirty);
                    stale.or(dirty);
                } else {
                    suspend();
                    writer.writeStaticState(domain.cpuPolicy());
                }
                listener.phase(Phase.FINAL);
                int k = iterations.size();
                PageBitmap noData = null;
                if (finalSoft != null) {
                    // Stale pages the guest promised free, and that stayed clean, go without content.
                    noData = finalSoft;
                    noData.and(stale);
                    noData.andNot(dirty);
                    // A guest may only give up its own memory: a hole it calls free stays a hole.
                    noData.andNot(sender.holes);
                    stale.andNot(noData);
                }
                pass(sender, k, PassKind.FINAL, stale);
                if (noData != null) {
                    unsent = sender.sendWithoutData(noData, PageType.XALLOC);
                }
                finishPass(k, PassKind.FINAL, stale, sender, 0, 0);
            }
            PlatformState state = domain.captureState();
            writer.writeFinalState(state);
            writer.endLibxc();
            writer.endLibxl();
            writer.flush();
            listener.phase(Phase.HANDOVER);
            destination.handOver(domain::releaseName);
            endNanos = clock.nanoTime();
            closeLog();
            listener.phase(Phase.DONE);
        }

        /**
         * Fills {@code send} with the pages due in live pass {@code k}: every stale page, less those the
         * guest's current hint calls soft and that were not just dirtied (DESIGN.md step 2). Skipped
         * pages stay stale.
         *
         * @return how many due pages were skipped
         */
        private long choose(PageBitmap send, PageBitmap lastDirty, int k) {
            send.copyFrom(stale);
            PageBitmap soft = advisor == null ? null : advisor.liveSoft();
            if (soft == null) {
                return 0;
            }
            if (k > 0) {
                soft.andNot(lastDirty);
            }
            long before = send.cardinality();
            send.andNot(soft);
            long skipped = before - send.cardinality();
            skippedLive += skipped;
            return skipped;
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
            for (long pfn = pages.nextSetBit(0); pfn >= 0; pfn = pages.nextSetBit(pfn + 1)) {
                sender.add(pfn);
                if ((++done & 1023) == 0) {
                    listener.progress(k, done, count, writer.bytesWritten());
                    destination.checkPeer();
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

        private String stopReason(int k, long dirtyCount, long previousDirty) {
            if (dirtyCount < options.dirtyThreshold()) {
                return dirtyCount + " dirty pages, under the threshold of " + options.dirtyThreshold();
            }
            if (k >= options.maxIterations()) {
                return "reached " + options.maxIterations() + " iterations";
            }
            if (k >= 1 && dirtyCount >= previousDirty) {
                return "dirty set stopped shrinking (" + previousDirty + " -> " + dirtyCount + ")";
            }
            return null;
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

        /** Puts the source back the way it was; says what it did. */
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
                } else if (domain.state() == RunState.PAUSED) {
                    domain.unpause();
                }
            } catch (RuntimeException e) {
                problems.add("could not resume the guest: " + describe(e));
            }
            String result = problems.isEmpty() ? "the source guest is running" : String.join("; ", problems);
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
                    advisor.finalPages, advisor.handshakeNanos, advisor.handshake, catchUp, unsent,
                    advisor.fallbacks());
            return new MigrationReport(name, backend, outcome, error, iterations, sent, noData,
                    writer == null ? 0 : writer.bytesWritten(), end - startNanos, downtime, info.totalPages(), notices,
                    soft);
        }
    }
}
