package org.sonicmigration.engine;

import org.sonicmigration.spi.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HandshakeProtocol;
import org.sonicmigration.guest.HandshakeTicket;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintFreshness;
import org.sonicmigration.guest.HintSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's side of the guest ABI (guest-module-spec/SPEC.md): reads the live hint each iteration
 * and runs the suspend handshake, and turns everything a guest can get wrong — no area, a torn,
 * stale, malformed or hostile one, a late or failed answer — into the safe fallback SPEC §8.3 names,
 * with a notice saying so. Only the final soft set can make a page go unsent; live hints only decide
 * what to send early.
 */
final class SoftPageAdvisor implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SoftPageAdvisor.class);
    private static final long VIRTUAL_POLL_NANOS = 1_000_000L;
    private static final long FIRST_HINT_POLL_NANOS = 2_000_000L;
    /** What an on-demand guest gets beyond its declared period to publish after the request: its scan, a wake-up. */
    private static final long ON_DEMAND_MARGIN_NANOS = 500_000_000L;

    private final HintChannel channel;
    private final HintAreaReader reader;
    private final HintFreshness freshness = new HintFreshness();
    private final SoftPolicy policy;
    private final boolean retainHot;
    private final Duration handshakeTimeout;
    private final Clock clock;
    private final PageBitmap live;
    private final PageBitmap referenced; // null unless retainHot
    private final LiveHintLease lease;
    private final Set<String> fallbacks = new LinkedHashSet<>();
    private final MigrationListener listener;
    /** Null unless --verify-hints. */
    private final HintVerifier verifier;
    /** Why the guest's hints are no longer believed at all, once it was caught lying. */
    private String liar;
    private boolean gaveUp;
    long reads;
    long usable;
    long finalPages;
    long handshakeNanos;
    long firstHintWaitNanos;
    String handshake = "not run";
    /** How the guest published its live hint in this migration, in words, as it started. */
    private String livePublication = "not asked (no live pass)";

    private SoftPageAdvisor(HintChannel channel, long pfnLimit, long guestPages, MigrationOptions options, Clock clock,
                            MigrationListener listener) {
        this.channel = channel;
        this.reader = new HintAreaReader(pfnLimit);
        this.policy = options.soft();
        this.retainHot = options.retainHot();
        this.handshakeTimeout = options.handshakeTimeout();
        this.clock = clock;
        this.listener = listener;
        this.live = new PageBitmap(pfnLimit);
        // Only hot-page retention reads the referenced set; a 1 TiB guest's bitmap is 32 MiB.
        this.referenced = retainHot ? new PageBitmap(pfnLimit) : null;
        this.verifier = options.verifyHints() ? new HintVerifier(pfnLimit, guestPages) : null;
        this.lease = new LiveHintLease(channel, clock, LiveHintLease.DEFAULT);
    }

    /** After each live fetch-and-clean: what the guest wrote, for checking its claims (--verify-hints). */
    void dirtied(PageBitmap dirty) {
        if (verifier != null) {
            verifier.dirtied(dirty);
        }
    }

    /**
     * Stops believing a guest caught lying: no live hint and no final soft set from now on, so every page goes
     * with its data, as in plain pre-copy.
     */
    private void caughtLying(String why) {
        liar = why;
        gaveUp = true;
        fallback(why + ": its hints and final soft set are ignored, plain pre-copy");
    }

    /**
     * The advisor for {@code domain}, or empty when pruning is off or the guest offers no hint area
     * or offers one this backend cannot use (then the migration is plain pre-copy, and {@code notices}
     * says why).
     */
    static Optional<SoftPageAdvisor> open(SourceDomain domain, MigrationOptions options, Clock clock,
                                          MigrationListener listener, List<String> notices) {
        if (options.soft() == SoftPolicy.OFF) {
            return Optional.empty();
        }
        Optional<HintChannel> channel;
        try {
            channel = domain.hintChannel();
        } catch (HintUnavailableException e) {
            String m = "the guest's soft-page hint channel cannot be used (" + e.getMessage() + "): plain pre-copy";
            notices.add(m);
            listener.fallback(m);
            return Optional.empty();
        }
        if (channel.isEmpty()) {
            String m = "the guest offers no soft-page hint area: plain pre-copy";
            notices.add(m);
            listener.fallback(m);
            return Optional.empty();
        }
        SoftPageAdvisor a = new SoftPageAdvisor(channel.get(), domain.info().pfnLimit(), domain.info().totalPages(),
                options, clock, listener);
        if (!channel.get().keepCache(options.soft() == SoftPolicy.FREE)) {
            a.fallback("this guest's channel cannot be told to keep its page cache: it may drop it");
        }
        return Optional.of(a);
    }

    /**
     * Step 1, before pass 0: asks for the live hint (SPEC §4.4) and waits for the first publication pass 0 can
     * use. A guest that publishes on demand gets a lease and one declared period (plus a margin for its scan)
     * to publish after it; a guest that publishes periodically (ABI 1.0) is waited for only if it never
     * published yet. Pass 0 can then skip what the guest calls soft instead of sending every page, which
     * leaves nothing stale for the final soft set to spare. A guest that does not publish in time costs that
     * wait and a notice, never correctness.
     */
    void startLiveHints() throws InterruptedException {
        if (gaveUp) {
            return;
        }
        HintSnapshot before = reader.read(channel.area());
        if (!channel.publishesOnDemand()) {
            // An ABI 1.0 guest publishes by itself; a lease would be a store write it ignores.
            livePublication = "periodic (the guest does not publish on demand)";
            awaitFirstPublication(before);
            return;
        }
        if (!lease.start()) {
            livePublication = "on demand, but not asked: this channel cannot carry the request";
            fallback("the guest publishes its live hint only on request and this channel cannot ask for it: the live"
                    + " passes go without a fresh hint");
            return;
        }
        String onDemand = "on demand (lease " + lease.lease().toSeconds() + " s)";
        if (!(before instanceof HintSnapshot.Valid v)) {
            livePublication = onDemand;
            return;
        }
        long period = HintFreshness.periodNanos(v);
        long waited = awaitGenerationOtherThan(v.generation(), period + ON_DEMAND_MARGIN_NANOS);
        if (waited >= 0) {
            firstHintWaitNanos = waited;
            livePublication = onDemand + ": first hint " + millis(waited) + " after the request";
            log.debug("the guest published on demand {} after the request", millis(waited));
        } else {
            firstHintWaitNanos = -waited;
            livePublication = onDemand + ": no hint within " + millis(period + ON_DEMAND_MARGIN_NANOS)
                    + " of the request";
            fallback("the guest did not publish its live hint within its declared period (" + millis(period)
                    + ") of the request: the first pass sends without a fresh one");
        }
    }

    /** For a guest that publishes periodically: waits out a just-loaded module's first publication. */
    private void awaitFirstPublication(HintSnapshot first) throws InterruptedException {
        if (!(first instanceof HintSnapshot.Valid v) || v.generation() != 0) {
            return;
        }
        long period = HintFreshness.periodNanos(v);
        long waited = awaitGenerationOtherThan(0, period);
        if (waited >= 0) {
            firstHintWaitNanos = waited;
            log.debug("the guest's first hint came {} after the migration started", millis(waited));
            return;
        }
        firstHintWaitNanos = -waited;
        fallback("the guest's module had not published a hint within its declared period (" + millis(period)
                + "): the first pass sends without one");
    }

    /**
     * Polls the area until a settled publication other than {@code generation} (or a withdrawn channel), at
     * most {@code limitNanos}. @return the time waited, or minus it when the limit passed first
     */
    private long awaitGenerationOtherThan(long generation, long limitNanos) throws InterruptedException {
        long start = clock.nanoTime();
        long deadline = start + limitNanos;
        for (long now = start; now < deadline; now = clock.nanoTime()) {
            clock.sleepNanos(Math.min(deadline - now, FIRST_HINT_POLL_NANOS));
            HintSnapshot s = reader.read(channel.area());
            if ((s instanceof HintSnapshot.Valid v && v.generation() != generation) || channel.withdrawn().isPresent()) {
                return clock.nanoTime() - start;
            }
        }
        return -(clock.nanoTime() - start);
    }

    /** During a long pass: keeps the lease alive (a clock read unless a renewal is due). */
    void keepLeaseAlive() {
        if (gaveUp) {
            lease.end(); // hints no longer read: the guest may stop scanning
        } else {
            lease.renewIfDue();
        }
    }

    /**
     * The pages the guest's live hint calls soft now (minus recently referenced ones when hot pages
     * are retained), or null when there is no usable hint this time.
     */
    PageBitmap liveSoft() {
        keepLeaseAlive();
        if (gaveUp) {
            return null;
        }
        reads++;
        HintSnapshot snapshot = reader.read(channel.area());
        switch (freshness.observe(snapshot, clock.nanoTime())) {
            case GIVE_UP -> {
                gaveUp = true;
                fallback("the hint area never settled (torn reads): hints ignored for the rest of this migration");
                return null;
            }
            case UNUSABLE -> {
                if (snapshot instanceof HintSnapshot.Invalid(var reason, String detail)) {
                    fallback("the hint area is malformed (" + reason + ": " + detail + "): no live hint");
                } else {
                    fallback("a hint read was torn (the guest kept rewriting it): no live hint that time");
                }
                return null;
            }
            case STALE -> {
                Optional<String> gone = channel.withdrawn();
                if (gone.isPresent()) {
                    gaveUp = true;
                    fallback(withdrawn(gone.get()) + ": hints ignored for the rest of this migration");
                } else {
                    fallback("the guest stopped refreshing its hint: stale hints ignored");
                }
                return null;
            }
            case FRESH -> {
                HintSnapshot.Valid v = (HintSnapshot.Valid) snapshot;
                usable++;
                live.copyFrom(v.soft().segment());
                if (retainHot && v.referenced().isPresent()) {
                    referenced.copyFrom(v.referenced().get().segment());
                    live.andNot(referenced);
                }
                if (verifier != null) {
                    Optional<String> lie = verifier.liveLie(live);
                    if (lie.isPresent()) {
                        caughtLying(lie.get());
                        return null;
                    }
                }
                return live;
            }
        }
        throw new IllegalStateException("unreachable");
    }

    /**
     * Asks the guest for its final soft set and waits for it, at most the handshake timeout. Must be
     * called right after the last live fetch-and-clean.
     *
     * @return the final soft set, or null: then every stale page must be sent
     */
    PageBitmap handshake() throws InterruptedException {
        PageBitmap set;
        if (liar != null) {
            // A guest caught lying is not asked: whatever it answered would not be believed.
            handshake = "not run: " + liar;
            set = null;
        } else {
            set = awaitFinalSet();
        }
        // No live pass follows the handshake: the guest may stop scanning (never before the answer, so the
        // store write is not on the handshake's critical path).
        lease.end();
        listener.handshake(new HandshakeOutcome(set != null, set == null ? 0 : finalPages, handshakeNanos, handshake));
        return set;
    }

    private PageBitmap awaitFinalSet() throws InterruptedException {
        Optional<String> gone = channel.withdrawn();
        if (gone.isPresent()) {
            return noFinalSet(withdrawn(gone.get()));
        }
        HandshakeTicket ticket = reader.beginHandshake(channel.area());
        long start = clock.nanoTime();
        long deadline = start + handshakeTimeout.toNanos();
        channel.notifyGuest();
        while (true) {
            FinalRead answer = reader.readFinal(channel.area(), ticket);
            long now = clock.nanoTime();
            handshakeNanos = now - start;
            switch (answer) {
                case FinalRead.Ready r -> {
                    live.copyFrom(r.finalSet().segment());
                    if (verifier != null) {
                        Optional<String> lie = verifier.finalLie(live);
                        if (lie.isPresent()) {
                            caughtLying(lie.get());
                            handshake = lie.get();
                            return null;
                        }
                    }
                    finalPages = live.cardinality();
                    handshake = "final soft set of " + finalPages + " pages in " + millis(handshakeNanos);
                    return live;
                }
                case FinalRead.Failed f -> {
                    return noFinalSet("the guest could not give a final soft set (" + f.reason() + ")");
                }
                case FinalRead.Released r -> {
                    return noFinalSet("the guest released its final soft set before we read it");
                }
                case FinalRead.Invalid i -> {
                    return noFinalSet("the guest's final soft set is malformed (" + i.reason() + ": " + i.detail() + ")");
                }
                case FinalRead.Pending p -> { }
                case FinalRead.Torn t -> { }
            }
            if (!HandshakeProtocol.keepWaiting(answer) || now >= deadline) {
                return noFinalSet("the guest did not answer within " + handshakeTimeout.toMillis() + " ms");
            }
            // A module unloaded while we wait never answers: stop waiting at once, not at the timeout.
            gone = channel.withdrawn();
            if (gone.isPresent()) {
                return noFinalSet(withdrawn(gone.get()));
            }
            long wait = Math.min(deadline - now, HandshakeProtocol.DOM0_RECHECK_INTERVAL.toNanos());
            if (clock.isVirtual()) {
                clock.sleepNanos(Math.min(wait, VIRTUAL_POLL_NANOS));
            } else {
                channel.awaitGuestEvent(Duration.ofNanos(wait));
            }
        }
    }

    private static String withdrawn(String why) {
        return "the guest withdrew its hint channel (" + why + "; its module was unloaded)";
    }

    private PageBitmap noFinalSet(String why) {
        handshake = why;
        fallback(why + ": every stale page is sent");
        return null;
    }

    private void fallback(String message) {
        if (fallbacks.add(message)) {
            log.info("{}", message);
            listener.fallback(message);
        }
    }

    List<String> fallbacks() {
        return new ArrayList<>(fallbacks);
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    /** How the guest published its live hint, for the report: as started, and how often the lease was renewed. */
    String livePublication() {
        int n = lease.renewals();
        return n == 0 ? livePublication : livePublication + "; lease renewed " + n + (n == 1 ? " time" : " times");
    }

    @Override
    public void close() {
        try {
            lease.end();
        } finally {
            channel.close();
        }
    }
}
