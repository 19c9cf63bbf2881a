package org.sonicmigration.xen.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sonicmigration.ffi.xenctrl_h;

/**
 * A batch whose frames Xen typed: holes and broken frames are never mapped, and every mapped page ends
 * up in its own slot of the batch, whatever the mix.
 */
class FrameBatchTest {
    static final long PAGE = 4096;

    /** kinds: 0 = guest page, 1 = hole (XTAB), 2 = broken, 3 = guest page whose mapping fails. */
    @Test
    void mappedPagesLandInTheirSlotsAndOnlyGuestPagesAreMapped() {
        qt().withExamples(1000).forAll(lists().of(integers().between(0, 3)).ofSizeBetween(1, 64))
                .checkAssert(FrameBatchTest::mappedPagesLandInTheirSlotsAndOnlyGuestPagesAreMapped);
    }

    private static void mappedPagesLandInTheirSlotsAndOnlyGuestPagesAreMapped(List<Integer> kinds) {
        int count = kinds.size();
        long[] pfns = new long[count];
        long[] types = new long[count];
        for (int i = 0; i < count; i++) {
            pfns[i] = 0x1000 + 3L * i;
            types[i] = switch (kinds.get(i)) {
                case 1 -> Integer.toUnsignedLong(xenctrl_h.XEN_DOMCTL_PFINFO_XTAB());
                case 2 -> Integer.toUnsignedLong(xenctrl_h.XEN_DOMCTL_PFINFO_BROKEN());
                default -> 0;
            };
        }
        FrameBatch batch = FrameBatch.of(pfns, types, count);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment dst = arena.allocate(count * PAGE);
            dst.fill((byte) 0x5a);
            int[] mapErrors = new int[Math.max(1, batch.mappable())];
            // what a foreign map of the packed frames gives: page k holds frame k's content
            for (int k = 0; k < batch.mappable(); k++) {
                assertThat(kinds.get(batch.slots()[k])).isIn(0, 3);
                assertThat(batch.frames()[k]).isEqualTo(pfns[batch.slots()[k]]);
                if (kinds.get(batch.slots()[k]) == 3) {
                    mapErrors[k] = -14;
                } else {
                    dst.asSlice(k * PAGE, PAGE).fill((byte) 0);
                    dst.set(ValueLayout.JAVA_LONG, k * PAGE, batch.frames()[k]);
                    dst.set(ValueLayout.JAVA_LONG, k * PAGE + PAGE - 8, ~batch.frames()[k]);
                }
            }
            int[] errors = new int[count];
            batch.spread(dst, PAGE, mapErrors, errors);
            long guestPages = kinds.stream().filter(k -> k == 0 || k == 3).count();
            assertThat(batch.mappable()).isEqualTo((int) guestPages);
            for (int i = 0; i < count; i++) {
                switch (kinds.get(i)) {
                    case 0 -> {
                        assertThat(errors[i]).isZero();
                        assertThat(dst.get(ValueLayout.JAVA_LONG, i * PAGE)).isEqualTo(pfns[i]);
                        assertThat(dst.get(ValueLayout.JAVA_LONG, i * PAGE + PAGE - 8)).isEqualTo(~pfns[i]);
                    }
                    case 3 -> assertThat(errors[i]).isEqualTo(-14);
                    case 1 -> assertThat(errors[i]).isEqualTo(org.sonicmigration.spi.SourceDomain.FRAME_HOLE);
                    default -> assertThat(errors[i]).isEqualTo(org.sonicmigration.spi.SourceDomain.FRAME_BROKEN);
                }
            }
        }
    }
}
