package org.sonicmigration.guest.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meminfo cross-check gives the numbers of the data README's table for the same snapshot. */
class MeminfoTest {

    @Test
    void cacheStageOfRun1MatchesTheReadmeCrossCheck() {
        Path dir = AgentData.linux61();
        Meminfo mi = Meminfo.read(dir.resolve("cache.meminfo"));
        AgentScan scan = KpageScanner.scan(AgentData.files("run1", "cache"));
        Map<String, MeminfoRow> rows = mi.compare(scan.profile()).stream()
                .collect(Collectors.toMap(MeminfoRow::field, Function.identity()));

        // README, meminfo cross-check run 1, cache column: meminfo kB / kB from kpageflags
        assertThat(rows.get("MemFree")).extracting(MeminfoRow::meminfoKib, MeminfoRow::fromClassesKib).containsExactly(77272L, 77020L);
        assertThat(rows.get("Cached+Buffers")).extracting(MeminfoRow::meminfoKib, MeminfoRow::fromClassesKib).containsExactly(1899120L, 1899120L);
        assertThat(rows.get("Shmem").differenceKib()).isZero();
        assertThat(rows.get("AnonPages")).extracting(MeminfoRow::meminfoKib, MeminfoRow::fromClassesKib).containsExactly(124L, 364L);
        assertThat(rows.get("Slab")).extracting(MeminfoRow::meminfoKib, MeminfoRow::fromClassesKib).containsExactly(22848L, 22864L);
        assertThat(rows.get("PageTables")).extracting(MeminfoRow::meminfoKib, MeminfoRow::fromClassesKib).containsExactly(56L, 68L);
        assertThat(rows.get("Dirty+Writeback").differenceKib()).isZero();
        // README: MemTotal = 524288 frames minus the 21258 PG_reserved ones, exactly
        assertThat(rows.get("MemTotal")).extracting(MeminfoRow::meminfoKib, MeminfoRow::fromClassesKib).containsExactly(2012120L, 2012120L);
    }

    @Test
    void compressedMeminfoReadsTheSame(@TempDir Path tmp) throws IOException {
        Path raw = AgentData.linux61().resolve("drop.meminfo");
        Path gz = KpageFilesTest.gzip(raw, tmp.resolve("drop.meminfo.gz"));
        assertThat(Meminfo.read(gz).fields()).isEqualTo(Meminfo.read(raw).fields());
        assertThat(Meminfo.read(raw).kib("HugePages_Total")).hasValue(0);
    }

    @Test
    void notAMeminfoFileIsSaidSo(@TempDir Path tmp) throws IOException {
        Path junk = tmp.resolve("junk");
        Files.writeString(junk, "hello: world\n");
        assertThatThrownBy(() -> Meminfo.read(junk)).isInstanceOf(AgentException.class)
                .hasMessage(junk + " is not a meminfo file (no MemTotal/MemFree)");
        Path big = tmp.resolve("big");
        Files.write(big, new byte[Meminfo.MAX_BYTES + 1]);
        assertThatThrownBy(() -> Meminfo.read(big)).hasMessageContaining("larger than");
        assertThatThrownBy(() -> Meminfo.read(tmp.resolve("missing"))).hasMessage("no such file: " + tmp.resolve("missing"));
    }

    @Test
    void missingFieldsDropTheirRowsOnly() {
        Meminfo mi = Meminfo.parse("MemTotal: 100 kB\nMemFree: 40 kB\nCached: 8 kB\n", "t");
        AgentScan scan = KpageScanner.scan(new ArrayKpageSource(4, new long[25], new long[25]));
        assertThat(mi.compare(scan.profile())).extracting(MeminfoRow::field).containsExactly("MemTotal", "MemFree");
    }
}
