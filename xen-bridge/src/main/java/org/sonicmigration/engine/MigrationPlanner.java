package org.sonicmigration.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.sonicmigration.engine.MigrationPlan.Prediction;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.guest.HintSnapshot;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.HintUnavailableException;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.transport.Bandwidth;

/**
 * Predicts a migration without doing one ({@code sonic plan}): watches the guest's dirty log for a
 * sample window, in slices, then reads its live hint, and runs the engine's pass rules (threshold,
 * iteration budget, a dirty set that stops shrinking) on a model of those measurements, once as plain
 * pre-copy and once with the hint's soft pages left unsent. Log-dirty is on only for the sample
 * window and always turned off again, also when anything fails; the guest keeps running throughout.
 */
public final class MigrationPlanner {
    /** A page with data in a PAGE_DATA record: its pfn word and its 4096 bytes. */
    static final long DATA_PAGE_BYTES = 4096 + 8;
    /** A page without data (a hole, or "allocate, no data"): its pfn word. */
    static final long ENTRY_BYTES = 8;
    /** Each PAGE_DATA record of up to 1024 entries has a 16-byte header. */
    static final long RECORD_HEADER_BYTES = 16;
    static final int SLICES = 10;

    private final MigrationOptions options;
    private final Bandwidth bandwidth;
    private final Clock clock;

    /**
     * @param options   the pass rules the prediction follows (threshold, iterations, soft policy)
     * @param bandwidth the link rate the predicted times assume
     * @param clock     the clock the sample window passes on (virtual on a simulator in virtual time)
     */
    public MigrationPlanner(MigrationOptions options, Bandwidth bandwidth, Clock clock) {
        this.options = options;
        this.bandwidth = bandwidth;
        this.clock = clock;
    }

    /** Measures {@code domain} for {@code sample} and predicts both migrations. */
    public MigrationPlan plan(SourceDomain domain, Duration sample) throws InterruptedException {
        if (sample.isNegative() || sample.isZero()) {
            throw new IllegalArgumentException("the sample window must be positive");
        }
        DomainInfo info = domain.info();
        String name = info.name().isEmpty() ? Integer.toString(info.domid()) : info.name();
        PageBitmap ram = new PageBitmap(info.pfnLimit());
        ram.setAll();
        domain.retainGuestRam(ram);
        long guestPages = ram.cardinality();
        long holes = info.pfnLimit() - guestPages;

        PageBitmap union = new PageBitmap(info.pfnLimit());
        long sliceNanos = Math.max(1, sample.toNanos() / SLICES);
        long sliceTotal = 0;
        try (DirtyLog log = domain.enableDirtyLog()) {
            PageBitmap slice = new PageBitmap(info.pfnLimit());
            log.fetchAndClean(slice); // what was dirty before the window does not count
            for (int i = 0; i < SLICES; i++) {
                clock.sleepNanos(sliceNanos);
                log.fetchAndClean(slice);
                sliceTotal += slice.cardinality();
                union.or(slice);
            }
        }
        double sliceSeconds = sliceNanos / 1e9;
        DirtyModel dirty = DirtyModel.fit((double) sliceTotal / SLICES, sliceSeconds, union.cardinality(),
                sliceSeconds * SLICES, guestPages);

        List<String> notes = new ArrayList<>();
        long soft = 0;
        String hint;
        if (options.soft() == SoftPolicy.OFF) {
            hint = "not read (--soft off)";
        } else {
            Optional<PageBitmap> live = readHint(domain, info.pfnLimit(), notes);
            if (live.isPresent()) {
                PageBitmap s = live.get();
                s.and(ram);
                long listed = s.cardinality();
                // A page the guest wrote in the window is hard for now, whatever the hint said before.
                s.andNot(union);
                soft = s.cardinality();
                hint = listed + " soft pages in the live hint, " + (listed - soft) + " of them written in the sample";
            } else {
                hint = "no usable hint: " + notes.getLast();
            }
        }
        notes.add("times are transfer times at the given bandwidth; the guest's suspend handshake and the"
                + " suspend itself are not included");
        Prediction plain = predict(guestPages, holes, 0, dirty, guestPages);
        Prediction skipping = predict(guestPages - soft, holes, soft, dirty, guestPages);
        return new MigrationPlan(name, guestPages, info.pfnLimit(), soft, hint, sample.toNanos(),
                dirty.rate(), Math.round(dirty.hotSet()), bandwidth, plain, skipping, notes);
    }

    private static Optional<PageBitmap> readHint(SourceDomain domain, long pfnLimit, List<String> notes) {
        Optional<HintChannel> channel;
        try {
            channel = domain.hintChannel();
        } catch (HintUnavailableException e) {
            notes.add("the guest's hint channel cannot be used (" + e.getMessage() + ")");
            return Optional.empty();
        }
        if (channel.isEmpty()) {
            notes.add("the guest offers no soft-page hint area");
            return Optional.empty();
        }
        try (HintChannel c = channel.get()) {
            HintSnapshot snapshot = new HintAreaReader(pfnLimit).read(c.area());
            if (snapshot instanceof HintSnapshot.Valid v) {
                PageBitmap soft = new PageBitmap(pfnLimit);
                soft.copyFrom(v.soft().segment());
                return Optional.of(soft);
            }
            notes.add(switch (snapshot) {
                case HintSnapshot.Invalid(var reason, String detail) -> "the hint area is malformed (" + reason + ": "
                        + detail + ")";
                default -> "the hint area did not hold still long enough to be read";
            });
            return Optional.empty();
        }
    }

    /** Pass by pass, as the engine's rules would run on the modelled dirty rate. */
    Prediction predict(long firstWithData, long holes, long neverSent, DirtyModel dirty, long guestPages) {
        double bytesPerSecond = bandwidth.bytesPerSecond();
        long withData = 0;
        long noData = 0;
        long bytes = 0;
        double seconds = 0;
        long due = firstWithData;
        long dueNoData = holes;
        long previous = Long.MAX_VALUE;
        for (int k = 0; ; k++) {
            long b = bytes(due, dueNoData);
            double t = b / bytesPerSecond;
            withData += due;
            noData += dueNoData;
            bytes += b;
            seconds += t;
            long dirtyCount = Math.min(guestPages, Math.round(dirty.distinct(t)));
            if (PassPolicy.of(options).stopAfter(k, dirtyCount, previous).isPresent()) {
                long last = bytes(dirtyCount, neverSent);
                double downtime = last / bytesPerSecond;
                return new Prediction(withData + dirtyCount, noData + neverSent, bytes + last,
                        Math.round((seconds + downtime) * 1e9), Math.round(downtime * 1e9), k + 1);
            }
            previous = dirtyCount;
            due = dirtyCount;
            dueNoData = 0;
        }
    }

    static long bytes(long withData, long withoutData) {
        long entries = withData + withoutData;
        long records = (entries + 1023) / 1024;
        return withData * DATA_PAGE_BYTES + withoutData * ENTRY_BYTES + records * RECORD_HEADER_BYTES;
    }
}
