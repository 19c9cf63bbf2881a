package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sonicmigration.cli.FaultProxy.Fault;
import org.sonicmigration.engine.MigrationException;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.MigrationReport;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.receiver.MigrationServer;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.SimTargetDomain;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.sim.kernel.FrameSpace;
import org.sonicmigration.sim.guest.GuestLayout;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.sim.guest.SuspendPolicy;
import org.sonicmigration.sim.verify.MigrationVerifier;
import org.sonicmigration.sim.verify.VerificationMode;
import org.sonicmigration.sim.verify.VerificationResult;
import org.sonicmigration.sim.workload.WorkloadSpec;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.stream.RecordLayer;
import org.sonicmigration.stream.RecordTypes;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.transport.SocketDestination;

/**
 * Faults injected into simulated migrations over real TCP (issue 15, item 2): the link cut at every record
 * boundary of the stream and at points inside records, a stalled receiver, a frame read failing on the
 * source, a guest that never suspends, and an out-of-memory error in the sender, the receiver and the
 * simulated guest's own thread. After each: the source guest runs with its hard pages unchanged and
 * log-dirty off (unless its own thread died), the destination holds no domain, no thread or file
 * descriptor is left behind, the failure is one line naming the true cause with a non-zero exit code, and
 * the same migration then succeeds and verifies. The sweep's guest has a flat frame space (about 15
 * records); {@code -Dsonic.faults.long=true} ({@code scripts/soak.sh faults}) sweeps a guest with Xen's PVH
 * frame space instead, whose first pass sends a million holes (over 1000 records), and cuts every 64 KiB
 * besides.
 */
@Timeout(600)
class FaultInjectionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Duration STALL_TIMEOUT = Duration.ofSeconds(2);
    private static final boolean LONG_SWEEP = Boolean.getBoolean("sonic.faults.long");
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private SimHypervisor sourceHost;
    private SimHypervisor destinationHost;

    @BeforeEach
    void hosts() {
        sourceHost = new SimHypervisor("source");
        destinationHost = new SimHypervisor("destination");
    }

    @AfterEach
    void close() {
        sourceHost.close();
        destinationHost.close();
    }

    /**
     * An idle guest with anonymous memory (hard pages), page cache and free memory (soft pages) and its hint
     * module: only a migration could change its hard pages. Small, so that a sweep of many cuts stays short.
     */
    private SimGuest boot(SimHypervisor host, String name) throws InterruptedException {
        return boot(host, name, 16L << 20, 3L << 20);
    }

    private SimGuest boot(SimHypervisor host, String name, long memory, long anon) throws InterruptedException {
        SimGuest g = host.createGuest(GuestConfig.linux61(name, memory).withLayout(new GuestLayout.Blank())
                .withFrameSpace(LONG_SWEEP ? FrameSpace.XEN_PVH : FrameSpace.FLAT).withSeed(7));
        g.start(WorkloadSpec.allocateAnon(anon));
        g.start(WorkloadSpec.fillCache(4L << 20));
        assertThat(g.awaitReady(Duration.ofSeconds(60))).as("the guest prepared its memory").isTrue();
        return g;
    }

    /** How one faulty attempt ended on both sides. */
    private record Attempt(MigrationException failure, Optional<MigrationServer.Result> received, boolean struck) {}

    private Attempt attempt(SimGuest guest, Fault fault, Duration timeout, UnaryOperator<SourceDomain> view,
                            Hypervisor destination, MigrationOptions options) throws Exception {
        // The receiver waits the full TIMEOUT: a stalled link must be ended by the source's watchdog (timeout).
        try (MigrationServer server = new MigrationServer(new InetSocketAddress(LOOPBACK, 0), TIMEOUT);
             FaultProxy proxy = new FaultProxy(server.port(), fault)) {
            CompletableFuture<MigrationServer.Result> received = receive(server, destination, TIMEOUT);
            MigrationException failure;
            try (SourceDomain domain = sourceHost.openSource(new DomainRef.ByName(guest.name()));
                 SocketDestination link = new SocketDestination(new InetSocketAddress(LOOPBACK, proxy.port()), timeout)) {
                PreCopyEngine engine = new PreCopyEngine(options, Clock.SYSTEM, MigrationListener.NONE);
                failure = assertThrows(MigrationException.class, () -> engine.migrate(view.apply(domain), "sim", link),
                        () -> "the migration failed (" + fault + ")");
            }
            Optional<MigrationServer.Result> result;
            try {
                result = Optional.of(received.get(2 * TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException e) {
                result = Optional.empty();
            }
            return new Attempt(failure, result, proxy.struck());
        }
    }

    private Attempt attempt(SimGuest guest, Fault fault) throws Exception {
        return attempt(guest, fault, TIMEOUT, d -> d, destinationHost, MigrationOptions.defaults());
    }

    private static CompletableFuture<MigrationServer.Result> receive(MigrationServer server, Hypervisor destination,
                                                                    Duration timeout) {
        CompletableFuture<MigrationServer.Result> f = new CompletableFuture<>();
        Thread.ofPlatform().name("sim-receiver").start(() -> {
            try {
                f.complete(server.receiveOne(new Receiver(destination, StreamLimits.defaults(), null), timeout));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * The failure as the operator sees it: one line naming {@code causes}, the exit code a script reads; nothing
     * on the destination; nothing leaked.
     */
    private void assertFailedSafely(Attempt a, ExitCode code, String... causes) {
        MigrationException e = a.failure();
        String line = "sonic: " + e.getMessage();
        System.out.println("fault outcome: exit " + ExitCode.of(e.report().outcome(), Optional.empty()).code + ": " + line);
        assertThat(line).as("one line").doesNotContain("\n", "\r");
        for (String cause : causes) {
            assertThat(line).contains(cause);
        }
        assertThat(ExitCode.of(e.report().outcome(), Optional.empty())).as(line).isEqualTo(code);
        assertThat(a.received().map(MigrationServer.Result::started)).as("the receiver started nothing")
                .isNotEqualTo(Optional.of(true));
        assertThat(destinationHost.listDomains()).as("no half-built domain on the destination").isEmpty();
    }

    /** The same migration, through a clean link, completes and the destination's memory verifies. */
    private void assertRetrySucceeds(SimGuest guest) throws Exception {
        try (MigrationServer server = new MigrationServer(new InetSocketAddress(LOOPBACK, 0), TIMEOUT)) {
            CompletableFuture<MigrationServer.Result> received = receive(server, destinationHost, TIMEOUT);
            MigrationReport report;
            try (SourceDomain domain = sourceHost.openSource(new DomainRef.ByName(guest.name()));
                 SocketDestination link = new SocketDestination(new InetSocketAddress(LOOPBACK, server.port()), TIMEOUT)) {
                report = new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE)
                        .migrate(domain, "sim", link);
            }
            assertThat(report.completed()).isTrue();
            assertThat(received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).started()).isTrue();
            SimTargetDomain target = destinationHost.target(guest.name()).orElseThrow();
            VerificationResult v = MigrationVerifier.verify(guest, target, VerificationMode.SOFT);
            assertThat(v.passed()).as(v.toString()).isTrue();
        }
    }

    /**
     * A failed attempt first (it loads the classes and opens the jars a failure needs, which are no leak),
     * then the witness of the guest as it is.
     */
    private SourceWitness warmedUp(SimGuest guest) throws Exception {
        attempt(guest, new Fault.CutAtRecord(new FaultProxy.Anchor(RecordLayer.LIBXC, RecordTypes.PAGE_DATA, 0)));
        return SourceWitness.of(guest);
    }

    /** The guest as before, nothing left behind, and the same migration then succeeds. */
    private void assertUnharmedAndRetried(SourceWitness witness) throws Exception {
        witness.assertGuestUnharmed();
        witness.assertNoLeaks();
        assertRetrySucceeds(witness.guest());
    }

    @Test
    void theLinkCutAtEveryRecordBoundaryAndInsideRecordsLeavesTheGuestRunningUntouched() throws Exception {
        // A clean run of an identical guest through the proxy gives the stream's record offsets.
        List<FaultProxy.Anchor> records;
        long streamBytes;
        try (SimHypervisor probeDestination = new SimHypervisor("probe-destination")) {
            SimGuest probe = boot(sourceHost, "victim");
            try (MigrationServer server = new MigrationServer(new InetSocketAddress(LOOPBACK, 0), TIMEOUT);
                 FaultProxy proxy = new FaultProxy(server.port(), new Fault.None())) {
                CompletableFuture<MigrationServer.Result> received = receive(server, probeDestination, TIMEOUT);
                try (SourceDomain domain = sourceHost.openSource(new DomainRef.ByName("victim"));
                     SocketDestination link = new SocketDestination(new InetSocketAddress(LOOPBACK, proxy.port()), TIMEOUT)) {
                    new PreCopyEngine(MigrationOptions.defaults(), Clock.SYSTEM, MigrationListener.NONE)
                            .migrate(domain, "sim", link);
                }
                assertThat(received.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).started()).isTrue();
                records = proxy.records();
                streamBytes = proxy.streamBytes();
            }
            probe.destroy();
        }
        assertThat(records).hasSizeGreaterThan(LONG_SWEEP ? 1000 : 10);
        assertThat(records.getFirst()).isEqualTo(new FaultProxy.Anchor(RecordLayer.LIBXL, RecordTypes.LIBXL_LIBXC_CONTEXT, 0));
        // Every record boundary, the bytes on either side of it, the end of its header and the middle of its
        // body, each record named by its type and occurrence; but for the last two PAGE_DATA records, of which
        // another run may have fewer (its later passes find other dirty pages), the records after them are the
        // same in every run. And a dozen byte offsets of the stream's first half, whose size does not vary.
        long pageRecords = records.stream().filter(r -> r.type() == RecordTypes.PAGE_DATA).count();
        List<Fault> faults = new java.util.ArrayList<>();
        for (FaultProxy.Anchor r : records) {
            if (r.type() == RecordTypes.PAGE_DATA && r.layer() == RecordLayer.LIBXC && r.occurrence() >= pageRecords - 2) {
                continue;
            }
            faults.add(new Fault.CutAtRecord(r));
            if (r != records.getFirst()) {
                faults.add(new Fault.CutInRecord(r, -1));
            }
            faults.add(new Fault.CutInRecord(r, 1));
            faults.add(new Fault.CutInRecord(r, 8));
            faults.add(new Fault.CutHalfwayThrough(r));
        }
        for (long at = 0; at < streamBytes / 2; at += LONG_SWEEP ? 64 << 10 : Math.max(1, streamBytes / 24)) {
            faults.add(new Fault.CutAtByte(at));
        }

        SimGuest guest = boot(sourceHost, "victim");
        SourceWitness witness = warmedUp(guest);
        TreeSet<String> outcomes = new TreeSet<>();
        long started = System.nanoTime();
        for (Fault fault : faults) {
            Attempt a = attempt(guest, fault);
            assertThat(a.struck()).as("the fault struck: " + fault).isTrue();
            assertFailedSafely(a, ExitCode.DESTINATION_FAILED, "the source guest is running");
            witness.assertGuestUnharmed();
            outcomes.add(a.failure().getMessage().replaceAll("\\d+", "N"));
        }
        witness.assertNoLeaks();
        System.out.printf("fault sweep: %d cuts at and inside the %d records of a %d-byte stream in %.1f s%n",
                faults.size(), records.size(), streamBytes, (System.nanoTime() - started) / 1e9);
        outcomes.forEach(o -> System.out.println("  sonic: " + o));
        assertRetrySucceeds(guest);
    }

    @Test
    void aReceiverThatStopsReadingIsEndedByTheWatchdog() throws Exception {
        // 48 MiB of hard pages: more than the sockets' buffers hold, so the sender's writes block.
        SimGuest guest = boot(sourceHost, "victim", 64L << 20, 48L << 20);
        SourceWitness witness = warmedUp(guest);
        Attempt a = attempt(guest, new Fault.StallAtRecord(new FaultProxy.Anchor(RecordLayer.LIBXC, RecordTypes.PAGE_DATA, 1)),
                STALL_TIMEOUT, d -> d, destinationHost, MigrationOptions.defaults());
        assertThat(a.struck()).isTrue();
        assertFailedSafely(a, ExitCode.DESTINATION_FAILED, "stopped reading for 2 s", "the source guest is running");
        assertUnharmedAndRetried(witness);
    }

    @Test
    void aFrameReadThatFailsOnTheSourceStopsTheMigration() throws Exception {
        assertAReadFailureRollsBack(() -> new org.sonicmigration.spi.BackendException(
                "xenforeignmemory_map failed: Input/output error (errno 5)"), "xenforeignmemory_map failed: Input/output error");
    }

    /** The source's first frame read fails with {@code failure}: named by {@code cause}, the guest runs on. */
    private void assertAReadFailureRollsBack(java.util.function.Supplier<? extends Throwable> failure, String... cause)
            throws Exception {
        SimGuest guest = boot(sourceHost, "victim");
        SourceWitness witness = warmedUp(guest);
        Attempt a = attempt(guest, new Fault.None(), TIMEOUT, failingReads(1, failure), destinationHost,
                MigrationOptions.defaults());
        assertFailedSafely(a, ExitCode.FAILED, cause);
        assertThat(a.failure().getMessage()).endsWith("; the source guest is running");
        assertUnharmedAndRetried(witness);
    }

    @Test
    void aGuestThatNeverSuspendsRunsOn() throws Exception {
        SimGuest guest = boot(sourceHost, "victim");
        SourceWitness witness = warmedUp(guest);
        guest.setSuspendPolicy(new SuspendPolicy.Refuse());
        Attempt a = attempt(guest, new Fault.None(), TIMEOUT, d -> d, destinationHost,
                MigrationOptions.defaults().withSuspendTimeout(Duration.ofMillis(500)));
        assertFailedSafely(a, ExitCode.FAILED, "did not suspend within 500 ms", "the source guest is running");
        witness.assertGuestUnharmed();
        witness.assertNoLeaks();
        guest.setSuspendPolicy(SuspendPolicy.cooperative());
        assertRetrySucceeds(guest);
    }

    @Test
    void anOutOfMemoryInTheSenderIsTheCause() throws Exception {
        assertAReadFailureRollsBack(() -> new OutOfMemoryError("Java heap space"),
                "out of memory in " + Thread.currentThread().getName() + ": Java heap space", "-Xmx");
    }

    @Test
    void anOutOfMemoryInTheReceiverIsTheCauseNotABrokenPipe() throws Exception {
        SimGuest guest = boot(sourceHost, "victim");
        SourceWitness witness = warmedUp(guest);
        Attempt a = attempt(guest, new Fault.None(), TIMEOUT, d -> d, failingTargets(destinationHost, 1),
                MigrationOptions.defaults());
        assertFailedSafely(a, ExitCode.DESTINATION_FAILED, "out of memory in sim-receiver: Java heap space", "-Xmx",
                "the source guest is running");
        assertThat(a.failure().getMessage()).doesNotContain("Broken pipe", "Connection reset");
        assertThat(a.received().orElseThrow().error()).startsWith("out of memory in sim-receiver: Java heap space");
        assertUnharmedAndRetried(witness);
    }

    @Test
    void anOutOfMemoryInTheSimulatedGuestsThreadIsTheCause() throws Exception {
        SimGuest warm = boot(sourceHost, "warm-up");
        SourceWitness before = warmedUp(warm);
        SimGuest guest = boot(sourceHost, "victim");
        // The guest's vCPU thread dies of it a few quanta into the migration's first pass.
        AtomicInteger quanta = new AtomicInteger();
        guest.addTask((g, dt) -> {
            if (g.dirtyTracker().enabled() && quanta.incrementAndGet() == 5) {
                throw new OutOfMemoryError("Java heap space");
            }
        });
        Attempt a = attempt(guest, new Fault.None(), TIMEOUT, d -> failing(SourceDomain.class, d, "readFrames", 1, () -> null, () -> guest.state() == RunState.DYING),
                destinationHost,
                MigrationOptions.defaults());
        assertFailedSafely(a, ExitCode.FAILED, "out of memory in sim-guest-victim: Java heap space", "-Xmx",
                "the source guest is dying, not running");
        // A guest whose vCPU died is not resumed: the simulation says so instead of pretending.
        assertThat(guest.state()).isEqualTo(RunState.DYING);
        assertThat(guest.dirtyTracker().enabled()).as("log-dirty is off").isFalse();
        guest.destroy();
        before.assertNoLeaks();
        assertRetrySucceeds(boot(sourceHost, "victim"));
    }

    /**
     * {@code real}, except that its method {@code name} fails from its {@code after}-th call on with what
     * {@code failure} gives, or, when that gives nothing, first waits until {@code waitFor} holds (so that
     * another thread's error comes first). A dynamic proxy: only the one method differs.
     */
    private static <T> T failing(Class<T> type, T real, String name, int after,
                                 java.util.function.Supplier<? extends Throwable> failure,
                                 java.util.function.BooleanSupplier waitFor) {
        AtomicInteger calls = new AtomicInteger();
        return type.cast(java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    if (method.getName().equals(name) && calls.incrementAndGet() >= after) {
                        Throwable t = failure.get();
                        if (t != null) {
                            throw t;
                        }
                        long deadline = System.nanoTime() + 10_000_000_000L;
                        while (!waitFor.getAsBoolean() && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    }
                    return invoke(method, real, args);
                }));
    }

    /** A source whose frame reads fail from the {@code after}-th batch on. */
    private static UnaryOperator<SourceDomain> failingReads(int after, java.util.function.Supplier<? extends Throwable> failure) {
        return d -> failing(SourceDomain.class, d, "readFrames", after, failure, () -> true);
    }

    /** A destination host whose domains run out of memory at their {@code after}-th batch of pages. */
    private static Hypervisor failingTargets(Hypervisor host, int after) {
        return (Hypervisor) java.lang.reflect.Proxy.newProxyInstance(Hypervisor.class.getClassLoader(),
                new Class<?>[] {Hypervisor.class}, (proxy, method, args) -> {
                    Object result = invoke(method, host, args);
                    return result instanceof TargetDomain t ? failing(TargetDomain.class, t, "writeFrames", after,
                            () -> new OutOfMemoryError("Java heap space"), () -> true) : result;
                });
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
