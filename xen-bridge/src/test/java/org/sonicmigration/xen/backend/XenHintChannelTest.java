package org.sonicmigration.xen.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.HintUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dom0's end of the channel over fake grants and events: what is mapped, copied, bound, and in which order it is let go. */
class XenHintChannelTest {
    static final int DOMID = 7;
    static final int PAGE = 4096;
    static final String DIR = "/local/domain/7/data/sonic";
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Arena arena = Arena.ofShared();
    private final List<String> log = new ArrayList<>();

    @AfterEach
    void free() {
        arena.close();
    }

    /** A guest's grant table as dom0 sees it: each reference names a page whose first long says which page it is. */
    final class FakeGrants implements XenHintChannel.Grants {
        final Map<Integer, MemorySegment> granted = new HashMap<>();
        final List<int[]> requests = new ArrayList<>();
        int openMappings;
        int failOnRequest = -1;
        boolean closed;

        /** Grants a page whose first word is {@code tag}. */
        MemorySegment grant(int ref, long tag) {
            MemorySegment page = arena.allocate(PAGE, PAGE);
            page.set(ValueLayout.JAVA_LONG, 0, tag);
            granted.put(ref, page);
            return page;
        }

        @Override
        public XenHintChannel.Pages mapReadOnly(int domid, int[] refs) {
            assertThat(domid).isEqualTo(DOMID);
            requests.add(refs.clone());
            if (requests.size() - 1 == failOnRequest) {
                throw new BackendException("xengnttab_map_domain_grant_refs(domain 7, " + refs.length + " refs) failed: errno 22");
            }
            MemorySegment range = arena.allocate((long) refs.length * PAGE, PAGE);
            for (int i = 0; i < refs.length; i++) {
                MemorySegment page = granted.get(refs[i]);
                if (page == null) {
                    throw new BackendException("ref " + refs[i] + " not granted");
                }
                range.asSlice((long) i * PAGE, PAGE).copyFrom(page);
            }
            openMappings++;
            String name = refs.length + " pages";
            log.add("map " + name);
            return new XenHintChannel.Pages() {
                @Override
                public MemorySegment segment() {
                    return range;
                }

                @Override
                public void close() {
                    openMappings--;
                    log.add("unmap " + name);
                }
            };
        }

        @Override
        public void close() {
            closed = true;
            log.add("close grants");
        }
    }

    class FakeEvents implements XenHintChannel.Events {
        final Deque<OptionalInt> arrivals = new ArrayDeque<>();
        final AtomicLong clock;
        int notified;
        boolean failBind;
        boolean failAwait;
        boolean closed;
        int bound = -1;

        FakeEvents(AtomicLong clock) {
            this.clock = clock;
        }

        @Override
        public int bind(int domid, int remotePort) {
            assertThat(domid).isEqualTo(DOMID);
            if (failBind) {
                throw new BackendException("xenevtchn_bind_interdomain(domain 7, port " + remotePort + ") failed: errno 22");
            }
            bound = 40 + remotePort;
            log.add("bind " + remotePort);
            return bound;
        }

        @Override
        public void notify(int localPort) {
            assertThat(localPort).isEqualTo(bound);
            notified++;
        }

        @Override
        public OptionalInt await(Duration timeout) {
            if (failAwait) {
                throw new BackendException("poll(descriptor 9) failed: errno 9");
            }
            OptionalInt next = arrivals.poll();
            if (next == null || next.isEmpty()) {
                clock.addAndGet(timeout.toNanos());
                return OptionalInt.empty();
            }
            clock.addAndGet(1_000_000);
            return next;
        }

        @Override
        public void unbind(int localPort) {
            log.add("unbind " + localPort);
        }

        @Override
        public void close() {
            closed = true;
            log.add("close events");
        }
    }

    final AtomicLong clock = new AtomicLong();
    final FakeGrants grants = new FakeGrants();
    final FakeEvents events = new FakeEvents(clock);
    final HintAdvertisementReaderTest.FakeStore store = new HintAdvertisementReaderTest.FakeStore();

    /** A guest with {@code areaPages} area pages granted as refs 1000.., its directory pages as refs 10.. */
    HintAdvertisement guest(int areaPages) {
        int dirPages = HintAdvertisement.directoryPages(areaPages);
        int[] dirRefs = new int[dirPages];
        for (int d = 0; d < dirPages; d++) {
            dirRefs[d] = 10 + d;
            MemorySegment dir = grants.grant(dirRefs[d], 0);
            for (int i = 0; i < 1024 && d * 1024 + i < areaPages; i++) {
                dir.set(LE_INT, 4L * i, 1000 + d * 1024 + i);
            }
        }
        for (int p = 0; p < areaPages; p++) {
            grants.grant(1000 + p, 0xA000_0000L + p);
        }
        return new HintAdvertisement(1, 0, areaPages, dirRefs, 5);
    }

    XenHintChannel open(HintAdvertisement ad) {
        return XenHintChannel.open(DOMID, ad, grants, events, store, DIR, clock::get);
    }

    @Test
    void theAreaIsMappedReadOnlyInTheOrderTheDirectoryListsAndTheDirectoryIsUnmappedAtOnce() {
        try (XenHintChannel c = open(guest(17))) {
            assertThat(grants.requests.get(0)).containsExactly(10);
            assertThat(grants.requests.get(1)).hasSize(17).startsWith(1000, 1001).endsWith(1016);
            assertThat(grants.openMappings).as("only the area stays mapped").isEqualTo(1);
            assertThat(log).containsExactly("map 1 pages", "unmap 1 pages", "map 17 pages", "bind 5");
            MemorySegment area = c.area();
            assertThat(area.byteSize()).isEqualTo(17L * PAGE);
            assertThat(area.isReadOnly()).as("a write to a read-only grant mapping would kill the JVM").isTrue();
            for (int p = 0; p < 17; p++) {
                assertThat(area.get(ValueLayout.JAVA_LONG, (long) p * PAGE)).isEqualTo(0xA000_0000L + p);
            }
        }
    }

    @Test
    void aSixtyFourGigabyteGuestsAreaTakesTwoDirectoryPagesAndOneRequestAboveTheOldLimit() {
        try (XenHintChannel c = open(guest(1027))) {
            assertThat(grants.requests.get(0)).containsExactly(10, 11);
            int[] area = grants.requests.get(1);
            assertThat(area).hasSize(1027);
            assertThat(area[1023]).isEqualTo(2023);
            assertThat(area[1024]).as("the first reference of the second directory page").isEqualTo(2024);
            assertThat(area[1026]).isEqualTo(2026);
            assertThat(c.area().get(ValueLayout.JAVA_LONG, 1026L * PAGE)).isEqualTo(0xA000_0000L + 1026);
        }
    }

    @Test
    void directoryEntriesPastTheAreaAreNotUsed() {
        HintAdvertisement ad = guest(3);
        grants.granted.get(10).set(LE_INT, 12, 999_999);   // the fourth entry: past a 3-page area, never read
        open(ad).close();
        assertThat(grants.requests.get(1)).containsExactly(1000, 1001, 1002);
    }

    @Test
    void aDirectoryThatCannotBeMappedIsAReasonAndReleasesTheHandles() {
        HintAdvertisement ad = guest(17);
        grants.failOnRequest = 0;
        assertThatThrownBy(() -> open(ad)).isInstanceOf(HintUnavailableException.class)
                .hasMessageStartingWith("mapping the guest's 1 hint directory page failed: xengnttab_map_domain_grant_refs");
        assertThat(grants.closed).isTrue();
        assertThat(events.closed).isTrue();
        assertThat(grants.openMappings).isZero();
    }

    @Test
    void anAreaThatCannotBeMappedIsAReasonNamingGntdevsLimitWhenAboveTheOldOne() {
        HintAdvertisement ad = guest(1027);
        grants.failOnRequest = 1;
        assertThatThrownBy(() -> open(ad)).isInstanceOf(HintUnavailableException.class)
                .hasMessageStartingWith("mapping the guest's 1027-page hint area failed: ")
                .hasMessageEndingWith("Linux's gntdev maps at most its 'limit' of grants per request (/sys/module/xen_gntdev/parameters/limit)");
        assertThat(grants.openMappings).as("the directory was unmapped").isZero();
        assertThat(grants.closed).isTrue();
        assertThat(events.closed).isTrue();
    }

    @Test
    void aPortThatCannotBeBoundIsAReasonAndUnmapsTheArea() {
        HintAdvertisement ad = guest(17);
        events.failBind = true;
        assertThatThrownBy(() -> open(ad)).isInstanceOf(HintUnavailableException.class)
                .hasMessageStartingWith("binding the guest's event channel (port 5) failed: xenevtchn_bind_interdomain");
        assertThat(grants.openMappings).isZero();
        assertThat(log).endsWith("unmap 17 pages", "close events", "close grants");
    }

    @Test
    void notifyGoesToTheBoundPort() {
        try (XenHintChannel c = open(guest(17))) {
            c.notifyGuest();
            c.notifyGuest();
            assertThat(events.notified).isEqualTo(2);
            assertThat(c.localPort()).isEqualTo(45);
        }
    }

    @Test
    void onlyAnEventOnOurPortEndsTheWait() throws InterruptedException {
        try (XenHintChannel c = open(guest(17))) {
            events.arrivals.add(OptionalInt.of(3));
            events.arrivals.add(OptionalInt.of(45));
            assertThat(c.awaitGuestEvent(Duration.ofMillis(50))).isTrue();
            assertThat(events.arrivals).isEmpty();
            long before = clock.get();
            assertThat(c.awaitGuestEvent(Duration.ofMillis(50))).isFalse();
            assertThat(clock.get() - before).isGreaterThanOrEqualTo(50_000_000L);
        }
    }

    @Test
    void aFailingEventChannelDegradesToWaitingOutTheTimeout() throws InterruptedException {
        try (XenHintChannel c = open(guest(17))) {
            events.failAwait = true;
            long start = System.nanoTime();
            assertThat(c.awaitGuestEvent(Duration.ofMillis(30))).isFalse();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(25_000_000L);
            c.notifyGuest();   // no exception: the engine goes on re-reading the area
            assertThat(events.notified).as("no more calls into a broken channel").isZero();
        }
    }

    @Test
    void keepCacheIsWrittenForTheGuest() {
        try (XenHintChannel c = open(guest(17))) {
            assertThat(c.keepCache(true)).isTrue();
            assertThat(store.nodes).containsEntry(DIR + "/keep-cache", "1");
            assertThat(c.keepCache(false)).isTrue();
            assertThat(store.nodes).containsEntry(DIR + "/keep-cache", "0");
        }
    }

    @Test
    void theLiveHintLeaseIsWrittenInMillisecondsAndEndedWithZero() {
        try (XenHintChannel c = open(guest(17))) {
            assertThat(c.requestLiveHints(Duration.ofSeconds(30))).isTrue();
            assertThat(store.nodes).containsEntry(DIR + "/live-request", "30000");
            assertThat(c.requestLiveHints(Duration.ZERO)).isTrue();
            assertThat(store.nodes).containsEntry(DIR + "/live-request", "0");
        }
    }

    @Test
    void onlyAGuestThatAdvertisesOnDemandPublicationIsTreatedSo() {
        try (XenHintChannel c = open(guest(17))) {
            assertThat(c.publishesOnDemand()).as("an ABI 1.0 guest writes no publish key").isFalse();
            store.nodes.put(DIR + "/publish", "periodic");
            assertThat(c.publishesOnDemand()).isFalse();
            store.nodes.put(DIR + "/publish", "on-demand");
            assertThat(c.publishesOnDemand()).isTrue();
        }
    }

    @Test
    void theChannelIsWithdrawnOnceTheGuestsStateIsNoLongerReady() {
        try (XenHintChannel c = open(guest(17))) {
            store.nodes.put(DIR + "/state", "ready");
            assertThat(c.withdrawn()).isEmpty();
            store.nodes.put(DIR + "/state", "closing");
            assertThat(c.withdrawn()).hasValueSatisfying(why -> assertThat(why).contains("state = 'closing'"));
            store.nodes.remove(DIR + "/state");
            assertThat(c.withdrawn()).hasValueSatisfying(why -> assertThat(why).contains("is gone"));
        }
        HintStore failing = new HintAdvertisementReaderTest.FakeStore() {
            @Override
            public Optional<String> read(String path) {
                throw new BackendException("xs_read(" + path + ") failed: errno 13");
            }
        };
        try (XenHintChannel c = XenHintChannel.open(DOMID, guest(17), grants, events, failing, DIR, clock::get)) {
            assertThat(c.withdrawn()).as("a read that fails says nothing").isEmpty();
        }
    }

    @Test
    void aGuestThatReAdvertisesANewAreaWithdrawsTheChannelThatMappedTheOldOne() {
        try (XenHintChannel c = open(guest(17))) {
            store.advertise("ready", "1.0", "17", "10", "5");
            assertThat(c.withdrawn()).as("the advertisement this channel mapped").isEmpty();
            // SPEC 7.3, memory hot-plug: closing, then the bigger area's keys with ready in one transaction
            store.nodes.put(DIR + "/state", "closing");
            assertThat(c.withdrawn()).hasValueSatisfying(why -> assertThat(why).contains("state = 'closing'"));
            store.advertise("ready", "1.0", "20", "11", "6");
            assertThat(c.withdrawn()).hasValueSatisfying(why -> assertThat(why)
                    .contains("new hint area").contains("20 area pages, directory refs [11], event channel 6"));
            // same size (an extent-encoded area keeps its budget): the new references alone tell it apart
            store.advertise("ready", "1.0", "17", "12", "5");
            assertThat(c.withdrawn()).hasValueSatisfying(why -> assertThat(why).contains("directory refs [12]"));
        }
    }

    @Test
    void keepCacheThatCannotBeWrittenSaysSo() {
        HintStore failing = new HintAdvertisementReaderTest.FakeStore() {
            @Override
            public void write(String path, String value) {
                throw new BackendException("xs_write(" + path + ") failed: errno 13");
            }
        };
        try (XenHintChannel c = XenHintChannel.open(DOMID, guest(17), grants, events, failing, DIR, clock::get)) {
            assertThat(c.keepCache(true)).isFalse();
            assertThat(c.requestLiveHints(Duration.ofSeconds(30))).isFalse();
        }
    }

    @Test
    void closeUnmapsTheAreaFirstThenUnbindsAndClosesTheHandlesOnce() {
        XenHintChannel c = open(guest(17));
        log.clear();
        c.close();
        assertThat(log).containsExactly("unmap 17 pages", "unbind 45", "close events", "close grants");
        c.close();
        assertThat(log).as("closing again does nothing").hasSize(4);
        assertThat(grants.openMappings).isZero();
        assertThatThrownBy(c::area).isInstanceOf(BackendException.class).hasMessage("the hint channel of domain 7 is closed");
        assertThatThrownBy(c::notifyGuest).isInstanceOf(BackendException.class);
    }

    @Test
    void aFailingUnmapDoesNotKeepThePortBound() {
        XenHintChannel c = XenHintChannel.open(DOMID, guest(17), new XenHintChannel.Grants() {
            @Override
            public XenHintChannel.Pages mapReadOnly(int domid, int[] refs) {
                XenHintChannel.Pages real = grants.mapReadOnly(domid, refs);
                return new XenHintChannel.Pages() {
                    @Override
                    public MemorySegment segment() {
                        return real.segment();
                    }

                    @Override
                    public void close() {
                        real.close();
                        if (refs.length == 17) {
                            throw new BackendException("xengnttab_unmap failed");
                        }
                    }
                };
            }

            @Override
            public void close() {
                grants.close();
            }
        }, events, store, DIR, clock::get);
        log.clear();
        c.close();
        assertThat(log).containsExactly("unmap 17 pages", "unbind 45", "close events", "close grants");
    }

    @Test
    void aCloseFromAnotherThreadNeverReleasesTheEventHandleUnderAWait() throws Exception {
        AtomicBoolean inAwait = new AtomicBoolean();
        AtomicBoolean overlapped = new AtomicBoolean();
        AtomicLong longestSlice = new AtomicLong();
        CountDownLatch waiting = new CountDownLatch(1);
        FakeEvents slow = new FakeEvents(clock) {
            @Override
            public OptionalInt await(Duration timeout) {
                longestSlice.accumulateAndGet(timeout.toNanos(), Math::max);
                inAwait.set(true);
                waiting.countDown();
                try {
                    Thread.sleep(timeout);   // blocked "in C"
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                inAwait.set(false);
                return OptionalInt.empty();
            }

            @Override
            public void unbind(int localPort) {
                overlapped.compareAndSet(false, inAwait.get());
                super.unbind(localPort);
            }

            @Override
            public void close() {
                overlapped.compareAndSet(false, inAwait.get());
                super.close();
            }
        };
        XenHintChannel c = XenHintChannel.open(DOMID, guest(17), grants, slow, store, DIR, System::nanoTime);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            try {
                c.awaitGuestEvent(Duration.ofSeconds(2));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        waiting.await();
        c.close();
        waiter.join();
        assertThat(overlapped).as("unbind or close while a wait used the handle").isFalse();
        assertThat(longestSlice.get()).as("waits go in slices").isLessThanOrEqualTo(XenHintChannel.EVENT_SLICE.toNanos());
        assertThat(outcome.get()).isInstanceOf(BackendException.class).hasMessage("the hint channel of domain 7 is closed");
        assertThat(log).endsWith("unbind 45", "close events", "close grants");
    }
}
