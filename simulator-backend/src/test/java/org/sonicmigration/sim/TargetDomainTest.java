package org.sonicmigration.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.sim.kernel.PageContent;
import org.sonicmigration.spi.BackendException;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.TargetDomain;

/** The destination domain: sparse frames, no-data pages, limits, lifecycle. */
class TargetDomainTest {

    static PlatformState state() {
        return new PlatformState(new byte[24], new byte[16], new PlatformState.TscInfo(0, 1, 2, 3), new byte[8],
                List.of(new PlatformState.HvmParam(1, 2)));
    }

    @Test
    void acceptsSparseHighFramesAndKeepsBytesAndFingerprints() {
        try (SimHypervisor h = new SimHypervisor(); Arena arena = Arena.ofConfined()) {
            TargetDomain t = h.createTarget(new DomainSpec("t", 0xff000, 4096, 2));
            MemorySegment buf = arena.allocate(3 * 4096L);
            for (int i = 0; i < 3 * 4096; i++) {
                buf.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
            t.writeFrames(new long[] {0, 0xfc000, 0xfefff}, 3, buf);
            t.populate(new long[] {5, 0xfc000}, 2);
            SimTargetDomain st = h.target("t").orElseThrow();
            assertThat(st.populatedPages()).isEqualTo(4);
            assertThat(st.isPopulatedWithoutData(5)).isTrue();
            assertThat(st.isPopulatedWithoutData(0xfc000)).isTrue();
            assertThat(st.fingerprint(0xfc000)).contains(PageContent.ZERO_FINGERPRINT);
            assertThat(st.readPage(0xfefff).orElseThrow()).isEqualTo(buf.asSlice(2 * 4096L, 4096).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertThat(st.fingerprint(0)).contains(PageContent.fingerprint(buf, 0));
            assertThat(st.fingerprint(1)).isEmpty();
            assertThat(st.populatedEnd()).isEqualTo(0xff000);
            assertThat(h.listDomains()).extracting(d -> d.state()).containsExactly(RunState.PAUSED);
        }
    }

    @Test
    void lifecycleAndBadInputAreRefusedClearly() {
        try (SimHypervisor h = new SimHypervisor("dst", 2, 0); Arena arena = Arena.ofConfined()) {
            TargetDomain t = h.createTarget(new DomainSpec("t", 100, 4096, 2));
            MemorySegment buf = arena.allocate(3 * 4096L);
            assertThatThrownBy(() -> t.writeFrames(new long[] {100}, 1, buf)).hasMessageContaining("outside domain t");
            t.writeFrames(new long[] {1, 2}, 2, buf);
            assertThatThrownBy(() -> t.writeFrames(new long[] {3}, 1, buf)).hasMessageContaining("out of memory");
            assertThat(h.target("t").orElseThrow().readPage(1)).isEmpty(); // byte budget 0: fingerprints only
            assertThatThrownBy(t::unpause).hasMessageContaining("no platform state");
            t.restoreState(state());
            assertThatThrownBy(() -> t.restoreState(state())).hasMessageContaining("already restored");
            t.unpause();
            assertThatThrownBy(() -> t.writeFrames(new long[] {1}, 1, buf)).hasMessageContaining("RUNNING");
            assertThatThrownBy(() -> h.createTarget(new DomainSpec("t", 100, 4096, 2))).hasMessageContaining("already exists");
            assertThatThrownBy(() -> h.createTarget(new DomainSpec("u", 100, 8192, 2))).isInstanceOf(BackendException.class)
                    .hasMessageContaining("page size");
            assertThatThrownBy(() -> h.createTarget(new DomainSpec("u", 0, 4096, 2))).hasMessageContaining("out of range");
            t.destroy();
            assertThat(h.target("t")).isEmpty();
        }
    }

    @Test
    void byteBudgetRunsOutIntoFingerprintsOnly() {
        try (SimHypervisor h = new SimHypervisor("dst", 1 << 20, 512 * 4096L); Arena arena = Arena.ofConfined()) {
            TargetDomain t = h.createTarget(new DomainSpec("t", 4096, 4096, 2));
            MemorySegment buf = arena.allocate(4096L);
            t.writeFrames(new long[] {0}, 1, buf);
            SimTargetDomain st = h.target("t").orElseThrow();
            assertThat(st.keepsBytes()).isTrue();
            t.writeFrames(new long[] {600}, 1, buf);
            assertThat(st.keepsBytes()).isFalse();
            assertThat(st.readPage(0)).isEmpty();
            assertThat(st.fingerprint(600)).contains(PageContent.ZERO_FINGERPRINT);
        }
    }
}
