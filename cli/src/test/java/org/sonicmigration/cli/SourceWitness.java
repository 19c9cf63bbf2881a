package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.RunState;

/**
 * What a failed migration must not have changed on the source, taken before it and checked after: the
 * guest runs, its log-dirty mode is off, every page that was hard (but for its hint area, which its module
 * rewrites every period) holds the same content, and this process has no more threads or open files than
 * before. The guest must not run a workload in between: only the migration could change its hard pages.
 */
record SourceWitness(SimGuest guest, Map<Long, Long> hard, Set<String> threads, long fds) {
    /** How long threads and sockets of a failed attempt may take to end after it returned. */
    private static final long SETTLE_NANOS = 15_000_000_000L;

    static SourceWitness of(SimGuest guest) {
        return new SourceWitness(guest, hardFingerprints(guest), threadNames(), openFds());
    }

    private static Map<Long, Long> hardFingerprints(SimGuest guest) {
        PageBitmap hard = guest.hardPages();
        guest.hintModule().ifPresent(m -> {
            for (long pfn : m.areaPfns()) {
                hard.clear(pfn);
            }
        });
        Map<Long, Long> fingerprints = new HashMap<>();
        for (long pfn = hard.nextSetBit(0); pfn >= 0; pfn = hard.nextSetBit(pfn + 1)) {
            fingerprints.put(pfn, guest.fingerprint(pfn));
        }
        return fingerprints;
    }

    /** The guest runs on as before: running, log-dirty off, its hard pages unchanged. */
    void assertGuestUnharmed() {
        assertThat(guest.state()).as("the source guest runs").isEqualTo(RunState.RUNNING);
        assertThat(guest.dirtyTracker().enabled()).as("log-dirty is off").isFalse();
        int changed = 0;
        for (Map.Entry<Long, Long> e : hard.entrySet()) {
            if (guest.fingerprint(e.getKey()) != e.getValue()) {
                changed++;
            }
        }
        assertThat(changed).as("hard pages changed, of " + hard.size()).isZero();
    }

    /** No thread and no file descriptor more than before (waiting a little for those on their way out). */
    void assertNoLeaks() throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE_NANOS;
        Set<String> extra;
        long fdsNow;
        do {
            Thread.sleep(50);
            extra = new TreeSet<>(threadNames());
            extra.removeAll(threads);
            fdsNow = openFds();
        } while ((!extra.isEmpty() || fdsNow > fds) && System.nanoTime() < deadline);
        assertThat(extra).as("threads left behind").isEmpty();
        assertThat(fdsNow).as("open file descriptors (before: " + fds + ")").isLessThanOrEqualTo(fds);
    }

    /**
     * Live threads by name and identity, without the JVM's own pools (the common pool and the carriers of
     * virtual threads come and go with load, not with our code).
     */
    static Set<String> threadNames() {
        Set<String> names = new TreeSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String n = t.getName();
            if (t.isAlive() && !n.startsWith("ForkJoinPool") && !n.equals("Common-Cleaner") && !n.startsWith("Attach")
                    && !n.startsWith("process reaper") && !n.startsWith("surefire") && !n.startsWith("junit")) {
                names.add(n + "#" + t.threadId());
            }
        }
        return names;
    }

    static long openFds() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
