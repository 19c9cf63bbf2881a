package org.sonicmigration.sim.experiment;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.sonicmigration.engine.MigrationControl;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.SimTargetDomain;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.guest.WorkloadHandle;
import org.sonicmigration.sim.kernel.SimulatorException;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.VirtualClock;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.Compression;
import org.sonicmigration.transport.SocketDestination;

/**
 * One simulated migration end to end, as {@code sonic simulate} and the tests run it: two simulated
 * hosts in this process, a guest prepared with its workloads, the real engine sending over loopback
 * TCP to the real receiver, and at the end a page-by-page verification of the destination against the
 * source as it was at suspend ({@link VerificationMode#SOFT} when soft pages may be skipped and the guest has a
 * hint module, else strict).
 */
public final class SimulatedMigration {

    /**
     * What to migrate and how.
     *
     * @param guest       the guest to create on the source host (its clock mode is set from {@code virtualTime})
     * @param prepare     programs run to completion before migrating (fill the cache, allocate memory)
     * @param during      programs that keep running while the guest migrates (writers)
     * @param options     engine options
     * @param virtualTime run on a virtual clock: only the capped link's transfer time passes
     */
    public record Setup(GuestConfig guest, List<WorkloadSpec> prepare, List<WorkloadSpec> during,
                        MigrationOptions options, boolean virtualTime) {
        public Setup {
            Objects.requireNonNull(guest, "guest");
            prepare = List.copyOf(prepare);
            during = List.copyOf(during);
            Objects.requireNonNull(options, "options");
            if (virtualTime && options.bandwidth().isEmpty()) {
                throw new IllegalArgumentException("virtual time needs a bandwidth cap: on a virtual clock only the"
                        + " link's transfer time passes, so without a cap no time would pass at all");
            }
        }
    }

    /**
     * What happened.
     *
     * @param report       the engine's report (also for a failed run)
     * @param verification the destination compared with the source at suspend; empty if the migration failed
     * @param prepareNanos guest time from boot to the end of the preparation
     * @param wireBytes    bytes the stream took on the wire: the report's stream bytes, or fewer compressed
     */
    public record Result(MigrationReport report, Optional<VerificationResult> verification, long prepareNanos,
                         long wireBytes) {
        Result(MigrationReport report, Optional<VerificationResult> verification, long prepareNanos) {
            this(report, verification, prepareNanos, report.bytes());
        }

        public boolean passed() {
            return report.completed() && verification.map(VerificationResult::passed).orElse(false);
        }
    }

    private static final Duration PREPARE_LIMIT = Duration.ofHours(1);
    private static final Duration PREPARE_SLICE = Duration.ofSeconds(2);
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);

    private SimulatedMigration() {}

    /**
     * Something done with the prepared guest on its host, on the run's clock (virtual in virtual time:
     * sleeping on it lets the guest's time pass).
     */
    @FunctionalInterface
    public interface GuestUse<T> {
        T apply(SimHypervisor host, SimGuest guest, Clock clock) throws Exception;
    }

    /** Runs the migration; a failed migration is reported in the result, with the source guest running. */
    public static Result run(Setup setup, MigrationListener listener) throws InterruptedException, IOException {
        return run(setup, listener, g -> { }, new MigrationControl());
    }

    /** Runs the migration, stoppable through {@code control} (a stopped one is reported like a failed one). */
    public static Result run(Setup setup, MigrationListener listener, MigrationControl control)
            throws InterruptedException, IOException {
        return run(setup, listener, g -> { }, control);
    }

    /**
     * Runs the migration with both hosts' frame access metered by {@code meter} (a benchmark's split of
     * the simulator's own cost from the data path's).
     */
    public static Result run(Setup setup, MigrationListener listener, FrameMeter meter)
            throws InterruptedException, IOException {
        return run(setup, listener, meter, Compression.NONE);
    }

    /**
     * Runs the migration metered as {@link #run(Setup, MigrationListener, FrameMeter)} does, its stream sent
     * compressed with {@code compression} to a receiver that takes it.
     */
    public static Result run(Setup setup, MigrationListener listener, FrameMeter meter, Compression compression)
            throws InterruptedException, IOException {
        try (SimHypervisor destination = destinationHost()) {
            return withPreparedGuest(setup, (source, guest, clock) -> migrate(guest, source, destination,
                    setup.options(), clock, listener, guest.uptime().toNanos(), new MigrationControl(), meter,
                    compression, null));
        }
    }

    /**
     * Runs the migration; {@code beforeMigration} sees the prepared guest just before the engine starts
     * (to record what preparation produced).
     */
    public static Result run(Setup setup, MigrationListener listener, java.util.function.Consumer<SimGuest> beforeMigration)
            throws InterruptedException, IOException {
        return run(setup, listener, beforeMigration, new MigrationControl());
    }

    /** {@link #run(Setup, MigrationListener, java.util.function.Consumer)}, stoppable through {@code control}. */
    public static Result run(Setup setup, MigrationListener listener,
                             java.util.function.Consumer<SimGuest> beforeMigration, MigrationControl control)
            throws InterruptedException, IOException {
        return run(setup, listener, (GuestUse<Void>) (host, guest, clock) -> {
            beforeMigration.accept(guest);
            return null;
        }, control);
    }

    /**
     * Runs the migration after {@code beforeMigration} has used the prepared guest on its host (e.g. to
     * plan the migration that follows); it must close what it opens.
     */
    public static Result run(Setup setup, MigrationListener listener, GuestUse<?> beforeMigration)
            throws InterruptedException, IOException {
        return run(setup, listener, beforeMigration, new MigrationControl());
    }

    private static Result run(Setup setup, MigrationListener listener, GuestUse<?> beforeMigration,
                              MigrationControl control) throws InterruptedException, IOException {
        return run(setup, listener, beforeMigration, null, control);
    }

    /**
     * Runs the migration between {@code beforeMigration} (as in {@link #run(Setup, MigrationListener, GuestUse)})
     * and {@code afterMigration}, which, if the migration completed, gets the source guest after the verification
     * and before it is destroyed: suspended as the destination received it, so that resuming it here plays the
     * guest's life on the destination (its page cache is the one that arrived there).
     */
    public static Result run(Setup setup, MigrationListener listener, GuestUse<?> beforeMigration,
                             GuestUse<?> afterMigration) throws InterruptedException, IOException {
        return run(setup, listener, beforeMigration, afterMigration, new MigrationControl());
    }

    private static Result run(Setup setup, MigrationListener listener, GuestUse<?> beforeMigration,
                              GuestUse<?> afterMigration, MigrationControl control)
            throws InterruptedException, IOException {
        try (SimHypervisor destination = destinationHost()) {
            return withPreparedGuest(setup, (source, guest, clock) -> {
                long prepared = guest.uptime().toNanos();
                beforeMigration.apply(source, guest, clock);
                return migrate(guest, source, destination, setup.options(), clock, listener, prepared, control,
                        null, Compression.NONE,
                        afterMigration == null ? null : () -> afterMigration.apply(source, guest, clock));
            });
        }
    }

    /**
     * Creates and prepares the guest on a source host as {@link #run} does, with its running workloads
     * started, and hands it to {@code use} instead of migrating it.
     */
    public static <T> T withPreparedGuest(Setup setup, GuestUse<T> use) throws InterruptedException, IOException {
        GuestConfig config = setup.guest().withClock(setup.virtualTime() ? ClockMode.VIRTUAL : ClockMode.REAL_TIME);
        try (SimHypervisor source = new SimHypervisor("source")) {
            SimGuest guest = source.createGuest(config);
            prepare(guest, setup);
            for (WorkloadSpec w : setup.during()) {
                guest.start(w);
            }
            Clock clock = Clock.SYSTEM;
            if (setup.virtualTime()) {
                VirtualClock virtual = new VirtualClock();
                virtual.onAdvance(nanos -> guest.advance(Duration.ofNanos(nanos)));
                clock = virtual;
            }
            try {
                return use.apply(source, guest, clock);
            } catch (InterruptedException | IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e.getMessage(), e);
            }
        }
    }

    private static long prepare(SimGuest guest, Setup setup) throws InterruptedException {
        Duration before = guest.uptime();
        for (WorkloadSpec w : setup.prepare()) {
            WorkloadHandle h = guest.start(w);
            long lastTouched = -1;
            // Run in slices; a program that stalls for memory without progress for a whole slice has
            // taken all it can get (a guest asked for more memory than it has): keep what it holds.
            for (long waited = 0; !h.isReady(); waited += PREPARE_SLICE.toNanos()) {
                if (waited > PREPARE_LIMIT.toNanos()) {
                    throw new SimulatorException("the guest did not finish preparing (" + w + ") within " + PREPARE_LIMIT);
                }
                boolean ready = setup.virtualTime()
                        ? guest.advanceUntilReady(Duration.ofMillis(10), PREPARE_SLICE)
                        : guest.awaitReady(PREPARE_SLICE);
                long touched = h.pagesTouched();
                if (!ready && touched == lastTouched && h.stalls() > 0) {
                    break;
                }
                lastTouched = touched;
            }
        }
        return guest.uptime().minus(before).toNanos();
    }

    /**
     * The destination host keeps fingerprints only: the verifier compares fingerprints, and keeping a
     * gibibyte of page bytes besides (the host's default) is what made a 64 GiB guest's run die in a 1 GiB heap.
     */
    private static SimHypervisor destinationHost() {
        return new SimHypervisor("destination", SimHypervisor.DEFAULT_MAX_TARGET_PAGES, 0);
    }

    private static Result migrate(SimGuest guest, SimHypervisor sourceHost, SimHypervisor destinationHost,
                                  MigrationOptions options, Clock clock, MigrationListener listener, long prepared,
                                  MigrationControl control, FrameMeter meter, Compression compression,
                                  java.util.concurrent.Callable<?> afterMigration)
            throws InterruptedException, IOException {
        Hypervisor receivingHost = meter == null ? destinationHost : meter.destination(destinationHost);
        ExecutorService receiverThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sim-receiver");
            t.setDaemon(true);
            return t;
        });
        try (MigrationServer server = new MigrationServer(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), PEER_TIMEOUT)) {
            Future<MigrationServer.Result> received = receiverThread.submit(() -> server.receiveOne(
                    new Receiver(receivingHost, StreamLimits.defaults(), null).accepting(compression), PEER_TIMEOUT));
            PreCopyEngine engine = new PreCopyEngine(options, clock, listener);
            MigrationReport report;
            long wireBytes;
            try (SourceDomain opened = sourceHost.openSource(new DomainRef.ByName(guest.name()));
                 SocketDestination link = new SocketDestination(
                         new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), PEER_TIMEOUT)) {
                SourceDomain domain = meter == null ? opened : meter.source(opened);
                if (compression != Compression.NONE) {
                    link.compress(compression);
                }
                report = engine.migrate(domain, sourceHost.backendName(), link, control);
                wireBytes = link.wireBytes().orElse(report.bytes());
            } catch (MigrationException e) {
                awaitQuietly(received);
                return new Result(e.report(), Optional.empty(), prepared);
            }
            MigrationServer.Result arrived = await(received);
            SimTargetDomain target = (SimTargetDomain) FrameMeter.unwrap(arrived.received().domain());
            // a guest with a hint module may have had soft pages skipped: check the soft-migration invariant
            // Plain pre-copy must reproduce every page; only a migration that may skip soft pages is judged softly.
            VerificationMode mode = options.soft() != SoftPolicy.OFF && guest.hintModule().isPresent()
                    ? VerificationMode.SOFT : VerificationMode.STRICT;
            VerificationResult verdict = MigrationVerifier.verify(guest, target, mode);
            if (afterMigration != null) {
                try {
                    afterMigration.call();
                } catch (InterruptedException | IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e.getMessage(), e);
                }
            }
            guest.destroy();
            return new Result(report, Optional.of(verdict), prepared, wireBytes);
        } finally {
            receiverThread.shutdownNow();
        }
    }

    private static MigrationServer.Result await(Future<MigrationServer.Result> f) throws InterruptedException, IOException {
        try {
            return f.get(PEER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the simulated receiver failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the simulated receiver did not finish", e);
        }
    }

    private static void awaitQuietly(Future<MigrationServer.Result> f) throws InterruptedException {
        try {
            f.get(PEER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            f.cancel(true);
        }
    }
}
