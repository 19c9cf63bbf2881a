package org.sonicmigration.guest.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.sonicmigration.guest.HandshakeFailure;
import org.sonicmigration.guest.HintAreaGeometry;
import org.sonicmigration.guest.HintAreaWriter;
import org.sonicmigration.guest.HintFlag;
import org.sonicmigration.guest.SoftSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user-space reference agent: SonicMigration's guest side for guests that cannot load the kernel module.
 * It reads {@code /proc/kpageflags} and {@code /proc/kpagecount}, classifies every frame with the profiles'
 * classifier, publishes the live soft set of SPEC.md §3 (free pages plus clean, unmapped page cache) through
 * a {@link HintAreaWriter}, and answers the suspend handshake according to a {@link FinalSetPolicy}. Sharing
 * the area with dom0 (grants, event channel, xenstore keys) is the caller's job.
 *
 * <h2>Limits (what a user-space agent cannot do)</h2>
 * <ul>
 *   <li><b>Root only.</b> Both files are mode 0400 root; without root the agent cannot see anything.</li>
 *   <li><b>A hint, never a guarantee.</b> The kernel fills each kpageflags word from {@code struct page}
 *       without the zone lock, frame after frame; the agent cannot take that lock either. By the time a word is
 *       read, its frame may already have been allocated, and the words of one pass are not a snapshot of one
 *       instant (a 2 GiB guest's pass takes tens of milliseconds). That is fine for the live set, which dom0
 *       treats as a hint anyway (a skipped page stays stale and is sent later, §9).</li>
 *   <li><b>Two reads per frame.</b> kpageflags and kpagecount of a frame are read at different moments (at
 *       most one chunk apart, since the agent interleaves the files chunk by chunk): a page mapped between
 *       the two reads can be published as clean unmapped cache. Again only a hint.</li>
 *   <li><b>No atomic drop-and-scan.</b> Writing {@code 1} to {@code drop_caches} drops clean cache, but pages
 *       can be read back in, allocated or dirtied before the scan reaches them, and the agent cannot hold the
 *       pages it finds free (a module allocates them, §5 "held"). So its final set can never carry HELD.</li>
 *   <li><b>Free lists it cannot see.</b> Pages on per-cpu free lists have no BUDDY bit: they are counted hard
 *       ("other, flags == 0"), which only makes the set smaller.</li>
 * </ul>
 *
 * <h2>The handshake</h2>
 * The final set is a promise (§5): F1, every page in it was free at some instant after the request became
 * visible; F2, whoever takes it later writes it before relying on its content; F3, the kernel does not rely on
 * the content of free pages. With {@link FinalSetPolicy.Decline} (the default) the agent makes no promise: it
 * moves REQUESTED → FAILED(DISABLED) and dom0 sends every stale page, so nothing can be lost. With
 * {@link FinalSetPolicy.FreeSeenTwice} it stores the request (with the full fence, §6.2 step 1) before
 * reading anything, optionally drops clean cache, then scans kpageflags twice and publishes only the frames
 * BUDDY in both scans, flags FREE (and CLEAN_CACHE if it dropped). A BUDDY word read after the request is
 * itself an instant at which the frame was in the allocator, which is F1 — except that the kernel's test for a
 * page inside a larger free block takes several unlocked loads and can, in a window of a few instructions
 * around a concurrent allocation, report a frame that is not free. A frame published this way must have
 * fallen into that window in both scans. F2 holds for a stock Linux kernel; F3 is the operator's to check:
 * a kernel booted with {@code init_on_free=1}, {@code page_poison=1} or {@code debug_pagealloc=on} must keep
 * the default policy. The second scan also catches frames allocated between the two scans, which shrinks the
 * final dirty set. Both scans must finish within the policy's budget (default 1.5 s, §6.2 step 5); a second
 * scan cut short contributes only the frames it reached.
 *
 * <p>Not thread-safe: one publisher at a time (SPEC.md §4.1); the caller serialises {@link #publishLive} and
 * {@link #answerRequest} on the same writer.
 */
public final class ReferenceAgent {

    private static final Logger LOG = LoggerFactory.getLogger(ReferenceAgent.class);

    private final KpageSource source;
    private final FinalSetPolicy policy;
    private final LongSupplier nanoClock;

    /** An agent on {@code source} with the system's monotonic clock. */
    public ReferenceAgent(KpageSource source, FinalSetPolicy policy) {
        this(source, policy, System::nanoTime);
    }

    /**
     * @param nanoClock the guest's monotonic clock in nanoseconds: publication times and the handshake budget
     */
    public ReferenceAgent(KpageSource source, FinalSetPolicy policy, LongSupplier nanoClock) {
        this.source = Objects.requireNonNull(source, "source");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public FinalSetPolicy policy() {
        return policy;
    }

    /** One classification pass (see {@link KpageScanner#scan}). */
    public AgentScan scan() {
        return KpageScanner.scan(source);
    }

    /**
     * The shape of this agent's area for a guest of {@code pfnCount} frames: live and final sets, no referenced
     * set — an agent that drops cache with {@code drop_caches} drops all of it and must not publish one (§4.3).
     */
    public static HintAreaGeometry geometryFor(long pfnCount) {
        return HintAreaGeometry.plan(pfnCount, false);
    }

    /**
     * Scans and publishes the live soft set with flags FREE and CLEAN_CACHE. Frames beyond the area are left
     * out; frames the scan did not reach are not soft.
     *
     * @return the scan it published
     */
    public AgentScan publishLive(HintAreaWriter writer) {
        AgentScan scan = scan();
        SoftSet soft = KpageScanner.resize(scan.soft(), writer.geometry().pfnCount());
        writer.publish(soft, EnumSet.of(HintFlag.FREE, HintFlag.CLEAN_CACHE), nanoClock.getAsLong());
        return scan;
    }

    /**
     * Answers one request from dom0 (an event on the channel): starts handshake <i>s</i>+1 and ends it in
     * FINAL_READY or FAILED according to the policy. If reading the files fails, the handshake ends
     * FAILED(INTERNAL) and the exception is rethrown.
     */
    public HandshakeAnswer answerRequest(HintAreaWriter writer) {
        long start = nanoClock.getAsLong();
        writer.request();
        return switch (policy) {
            case FinalSetPolicy.Decline d -> {
                writer.fail(HandshakeFailure.DISABLED);
                yield new HandshakeAnswer(writer.handshake(), Optional.empty(), false, nanoClock.getAsLong() - start);
            }
            case FinalSetPolicy.FreeSeenTwice p -> freeSeenTwice(writer, p, start);
        };
    }

    private HandshakeAnswer freeSeenTwice(HintAreaWriter writer, FinalSetPolicy.FreeSeenTwice p, long start) {
        long deadline = start + p.budget().toNanos();
        try {
            boolean dropped = false;
            if (p.dropCaches().isPresent()) {
                writer.startDropping();
                dropped = dropCaches(p.dropCaches().get());
            }
            long pfns = writer.geometry().pfnCount();
            FreeScan first = KpageScanner.scanFree(source, pfns, nanoClock, deadline);
            if (!first.complete()) {
                LOG.info("final set: first scan reached pfn {} of {} within the budget; failing with TIMEOUT",
                        first.scannedPfns(), pfns);
                return fail(writer, HandshakeFailure.TIMEOUT, dropped, start);
            }
            FreeScan second = KpageScanner.scanFree(source, pfns, nanoClock, deadline);
            SoftSet finalSet = first.free().and(second.free());
            if (!second.complete() && finalSet.isEmpty()) {
                return fail(writer, HandshakeFailure.TIMEOUT, dropped, start);
            }
            EnumSet<HintFlag> flags = dropped ? EnumSet.of(HintFlag.FREE, HintFlag.CLEAN_CACHE) : EnumSet.of(HintFlag.FREE);
            writer.publishFinal(finalSet, flags, nanoClock.getAsLong());
            LOG.debug("final set: {} frames free in both scans (second scan {} of {} frames)", finalSet.cardinality(),
                    second.scannedPfns(), pfns);
            return new HandshakeAnswer(writer.handshake(), Optional.of(finalSet), dropped, nanoClock.getAsLong() - start);
        } catch (AgentException e) {
            writer.fail(HandshakeFailure.INTERNAL);
            throw e;
        }
    }

    private HandshakeAnswer fail(HintAreaWriter writer, HandshakeFailure reason, boolean dropped, long start) {
        writer.fail(reason);
        return new HandshakeAnswer(writer.handshake(), Optional.empty(), dropped, nanoClock.getAsLong() - start);
    }

    /**
     * Writes {@code 1} (page cache only); a failure only costs the cache's pages in the final set, and the answer
     * says so ({@link HandshakeAnswer#cacheDropped()}).
     */
    private static boolean dropCaches(Path file) {
        try {
            Files.writeString(file, "1\n");
            return true;
        } catch (IOException e) {
            LOG.info("cannot drop caches through {}: {}; the final set holds free pages only", file,
                    WordChannel.oneLine(e));
            return false;
        }
    }
}
