package org.sonicmigration.guest.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.sonicmigration.guest.profile.KpageFlag.bit;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classification order of the profile README, on the flag words the real snapshots contain. */
class KpageflagsClassifierTest {

    @Test
    void classifiesTheCommonFlagWordsOfTheSnapshots() {
        long fileData = bit(KpageFlag.REFERENCED) | bit(KpageFlag.UPTODATE) | bit(KpageFlag.LRU) | bit(KpageFlag.MAPPEDTODISK);
        assertThat(KpageflagsClassifier.classify(fileData, 0)).isEqualTo(PageClass.CLEAN_CACHE);
        assertThat(KpageflagsClassifier.classify(fileData, 1)).isEqualTo(PageClass.FILE_MAPPED);
        assertThat(KpageflagsClassifier.classify(fileData | bit(KpageFlag.MMAP), 0)).isEqualTo(PageClass.FILE_MAPPED);
        assertThat(KpageflagsClassifier.classify(fileData | bit(KpageFlag.DIRTY), 1)).isEqualTo(PageClass.FILE_DIRTY);
        assertThat(KpageflagsClassifier.classify(fileData | bit(KpageFlag.WRITEBACK), 0)).isEqualTo(PageClass.FILE_DIRTY);
        assertThat(KpageflagsClassifier.classify(bit(KpageFlag.BUDDY), 0)).isEqualTo(PageClass.FREE);
        assertThat(KpageflagsClassifier.classify(bit(KpageFlag.RESERVED) | bit(KpageFlag.PRIVATE), 0)).isEqualTo(PageClass.RESERVED);
        assertThat(KpageflagsClassifier.classify(0, 0)).isEqualTo(PageClass.OTHER_UNFLAGGED);
        assertThat(KpageflagsClassifier.classify(bit(KpageFlag.COMPOUND_TAIL), 0)).isEqualTo(PageClass.OTHER_FLAGGED);
        assertThat(KpageflagsClassifier.classify(bit(KpageFlag.SLAB) | bit(KpageFlag.COMPOUND_TAIL), 0)).isEqualTo(PageClass.SLAB);
        long thpTail = bit(KpageFlag.MMAP) | bit(KpageFlag.ANON) | bit(KpageFlag.COMPOUND_TAIL) | bit(KpageFlag.THP);
        assertThat(KpageflagsClassifier.classify(thpTail, 1)).isEqualTo(PageClass.ANON);
        // tmpfs pages carry DIRTY and LRU but are shmem: SWAPBACKED is tested before the file rules
        long tmpfs = bit(KpageFlag.LRU) | bit(KpageFlag.DIRTY) | bit(KpageFlag.SWAPBACKED) | bit(KpageFlag.UPTODATE);
        assertThat(KpageflagsClassifier.classify(tmpfs, 1)).isEqualTo(PageClass.SHMEM);
        assertThat(KpageflagsClassifier.classify(bit(KpageFlag.NOPAGE) | bit(KpageFlag.BUDDY), 0)).isEqualTo(PageClass.HOLE);
        assertThat(KpageflagsClassifier.classify(bit(KpageFlag.PGTABLE), 0)).isEqualTo(PageClass.PAGE_TABLE);
        // a map count with the top bit set is still "mapped" (the kernel word is unsigned)
        assertThat(KpageflagsClassifier.classify(fileData, -1L)).isEqualTo(PageClass.FILE_MAPPED);
    }

    @Test
    void onlyFreeAndCleanCacheAreSoftCandidates() {
        for (PageClass c : PageClass.values()) {
            assertThat(c.isSoftCandidate()).as(c.name()).isEqualTo(c == PageClass.FREE || c == PageClass.CLEAN_CACHE);
        }
    }

    @Test
    void runsAndTotalsOfASmallProfile() throws Exception {
        long[] flags = {bit(KpageFlag.RESERVED), bit(KpageFlag.RESERVED), bit(KpageFlag.BUDDY), 0, bit(KpageFlag.BUDDY)};
        MemoryProfile p = MemoryProfile.read(words(flags), words(new long[5]), "t");
        assertThat(p.pages(PageClass.FREE)).isEqualTo(2);
        assertThat(p.runs()).containsExactly(new PfnRun(0, 2, PageClass.RESERVED), new PfnRun(2, 1, PageClass.FREE),
                new PfnRun(3, 1, PageClass.OTHER_UNFLAGGED), new PfnRun(4, 1, PageClass.FREE));
        assertThat(p.runs(PageClass.FREE)).hasSize(2);
        assertThat(p.mib(PageClass.RESERVED)).isEqualTo(8.0 / 1024);
    }

    @Test
    void rejectsMalformedInputWithAClearMessage(@TempDir Path tmp) {
        assertThatThrownBy(() -> MemoryProfile.read(words(new long[3]), words(new long[2]), "x"))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("differ in length");
        assertThatThrownBy(() -> MemoryProfile.read(new ByteArrayInputStream(new byte[12]), new ByteArrayInputStream(new byte[12]), "x"))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("multiple of 8");
        assertThatThrownBy(() -> MemoryProfile.read(words(new long[0]), words(new long[0]), "x"))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> MemoryProfile.load(tmp, "nothing"))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("no profile 'nothing'");
        assertThatThrownBy(() -> MemoryProfile.ofOrdinals(new byte[] {0, 99}, "x"))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("pfn 1");
    }

    private static ByteArrayInputStream words(long[] w) {
        ByteBuffer b = ByteBuffer.allocate(w.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : w) {
            b.putLong(v);
        }
        return new ByteArrayInputStream(b.array());
    }
}
