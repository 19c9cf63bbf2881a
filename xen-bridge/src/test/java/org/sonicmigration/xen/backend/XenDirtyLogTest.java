package org.sonicmigration.xen.backend;

import org.junit.jupiter.api.Test;
import org.sonicmigration.spi.BackendException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

class XenDirtyLogTest {

    @Test
    void theBitmapBufferHoldsEveryFrameAndNoSparePage() {
        qt().withExamples(1000).forAll(longs().between(1, 1L << 32))
                .checkAssert(XenDirtyLogTest::theBitmapBufferHoldsEveryFrameAndNoSparePage);
    }

    private static void theBitmapBufferHoldsEveryFrameAndNoSparePage(long frames) {
        int pages = XenDirtyLog.bitmapPages(frames);
        long bitsPerPage = 4096L * 8;
        assertThat(pages * bitsPerPage).isGreaterThanOrEqualTo(frames);
        assertThat((pages - 1) * bitsPerPage).isLessThan(frames);
    }

    @Test
    void aLabGuestsFrameSpaceNeedsThirtyTwoPages() {
        // a 128 MiB PVH guest walks pfns up to 0xfefff: 1,044,480 frames
        assertThat(XenDirtyLog.bitmapPages(0xff000)).isEqualTo(32);
    }

    @Test
    void anImpossibleFrameCountIsRefusedBeforeAnyAllocation() {
        assertThatThrownBy(() -> XenDirtyLog.bitmapPages(0)).isInstanceOf(BackendException.class);
        assertThatThrownBy(() -> XenDirtyLog.bitmapPages((1L << 32) + 1)).isInstanceOf(BackendException.class)
                .hasMessageContaining("outside 1..4294967296");
    }
}
