package org.sonicmigration.guest.profile;

import org.sonicmigration.testsupport.ProfileData;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Profiles survive JSON exactly, and hostile JSON is refused with one clear line, never with a crash. */
class ProfileJsonTest {

    private static final long BOUND = 1L << 28;

    @Test
    void aRealProfileRoundTripsCompactly(@TempDir Path tmp) throws Exception {
        MemoryProfile cache = MemoryProfile.load(ProfileData.linux61(), "cache");
        Path file = tmp.resolve("cache.json");
        ProfileJson.write(cache, file);
        MemoryProfile back = ProfileJson.read(file, BOUND);

        assertThat(back.classOrdinals()).isEqualTo(cache.classOrdinals());
        assertThat(back.totals()).isEqualTo(cache.totals());
        assertThat(back.source()).isEqualTo(cache.source());
        // compact: about 30 bytes per run, against 524288 frames
        assertThat(Files.size(file)).isLessThan(40L * cache.runs().size() + 1024);
        assertThat(Files.readAllLines(file).get(1)).isEqualTo("[0,256,\"RESERVED\"],");
    }

    @Test
    void anyProfileRoundTrips() {
        qt().withExamples(150).forAll(integers().between(1, 5000), longs().all()).checkAssert(ProfileJsonTest::anyProfileRoundTrips);
    }

    private static void anyProfileRoundTrips(int frames, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        PageClass[] classes = new PageClass[frames];
        PageClass[] all = PageClass.values();
        for (int i = 0; i < frames; i++) {
            classes[i] = i > 0 && r.nextInt(3) > 0 ? classes[i - 1] : all[r.nextInt(all.length)];
        }
        MemoryProfile p = MemoryProfile.of(classes, "random \"quoted\" source\n" + seed);
        MemoryProfile back = ProfileJson.fromJson(ProfileJson.toJson(p), BOUND);
        assertThat(back.classOrdinals()).isEqualTo(p.classOrdinals());
        assertThat(back.totals()).isEqualTo(p.totals());
        assertThat(back.source()).isEqualTo(p.source());
    }

    private static final String HEAD = "\"format\":\"sonic-memory-profile\",\"version\":1,\"pageSize\":4096";
    private static final String TOTALS_4_FREE = "\"totals\":{\"HOLE\":0,\"FREE\":4,\"SLAB\":0,\"PAGE_TABLE\":0,\"ANON\":0,"
            + "\"SHMEM\":0,\"FILE_DIRTY\":0,\"FILE_MAPPED\":0,\"CLEAN_CACHE\":0,\"RESERVED\":0,\"OTHER_UNFLAGGED\":0,"
            + "\"OTHER_FLAGGED\":0}";

    @Test
    void aMinimalDocumentReads() {
        MemoryProfile p = ProfileJson.fromJson("{" + HEAD + ",\"pfnCount\":4," + TOTALS_4_FREE + ",\"runs\":[[0,4,\"FREE\"]]}", BOUND);
        assertThat(p.pages(PageClass.FREE)).isEqualTo(4);
        assertThat(p.source()).as("no source field: the document's name").isEqualTo("json");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            [1,2,3]                                                                     | a profile is a JSON object
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,4,"FREE"]],"extra":1}                  | unknown field 'extra'
            {HEAD,"pfnCount":4,"pfnCount":4,TOTALS,"runs":[[0,4,"FREE"]]}               | field 'pfnCount' appears twice
            {"format":"other","version":1,"pageSize":4096,"pfnCount":4,TOTALS,"runs":[]} | format is not 'sonic-memory-profile'
            {"format":"sonic-memory-profile","version":2,"pageSize":4096}               | version 2 is not supported
            {"format":"sonic-memory-profile","version":1,"pageSize":8192}               | pageSize 8192 is not 4096
            {HEAD,"pfnCount":0}                                                          | pfnCount 0 is outside 1..268435456
            {HEAD,"pfnCount":268435457}                                                  | pfnCount 268435457 is outside 1..268435456
            {HEAD,"pfnCount":-5}                                                         | pfnCount -5 is outside
            {HEAD,"pfnCount":99999999999999999999}                                       | pfnCount is too large
            {HEAD,"pfnCount":"4"}                                                        | pfnCount must be an integer
            {HEAD,"runs":[[0,4,"FREE"]],"pfnCount":4}                                    | pfnCount must come before runs
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,2,"FREE"],[3,1,"FREE"]]}               | run 1 starts at 3, expected 2
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,2,"FREE"],[1,3,"FREE"]]}               | run 1 starts at 1, expected 2
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,5,"FREE"]]}                            | run 0 [0, +5) does not fit
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,0,"FREE"],[0,4,"FREE"]]}               | run 0 [0, +0) does not fit
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,4,"SQUASH"]]}                          | unknown page class 'SQUASH'
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,4,"FREE",7]]}                          | run 0 has more than three elements
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,4]]}                                   | run 0: the third element must be a class name
            {HEAD,"pfnCount":4,TOTALS,"runs":[7]}                                       | runs must hold only [start, length, class] arrays
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,3,"FREE"]]}                            | runs cover frames 0..3 but pfnCount is 4
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,4,"SLAB"]]}                            | totals say 4 FREE frames, the runs hold 0
            {HEAD,"pfnCount":4,"totals":{"FREE":4},"runs":[[0,4,"FREE"]]}              | totals lack class HOLE
            {HEAD,"pfnCount":4,"totals":{"FREE":4,"FREE":4},"runs":[[0,4,"FREE"]]}     | totals name FREE twice
            {HEAD,"pfnCount":4,"totals":{"FREE":-4},"runs":[[0,4,"FREE"]]}             | totals.FREE is negative
            {HEAD,"pfnCount":4,"runs":[[0,4,"FREE"]]}                                   | field 'totals' is missing
            {HEAD,"pfnCount":4,TOTALS}                                                   | field 'runs' is missing
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,4,"FREE"]]} {}                          | content after the profile object
            {HEAD,"pfnCount":4,TOTALS,"runs":[[0,4,"FREE"]]                              | not valid JSON
            {HEAD,"pfnCount":4,TOTALS,"runs":[[[[[[[[[[[[0]]]]]]]]]]]]}                  | run 0 start must be an integer
            {"source":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}    | source must be a string
            not json at all                                                              | not valid JSON at line 1
            """)
    void hostileDocumentsAreRefusedWithOneLine(String doc, String message) {
        String json = doc.replace("HEAD", HEAD).replace("TOTALS", TOTALS_4_FREE);
        assertThatThrownBy(() -> ProfileJson.fromJson(json, BOUND)).isInstanceOf(ProfileFormatException.class)
                .hasMessageStartingWith("json: ").hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aLongSourceOrHugeStringIsRefused() {
        String longSource = "x".repeat(ProfileJson.MAX_SOURCE_CHARS + 1);
        assertThatThrownBy(() -> ProfileJson.fromJson("{\"source\":\"" + longSource + "\"}", BOUND))
                .hasMessageContaining("source is longer than 1024 characters");
        String huge = "y".repeat(1 << 20);
        assertThatThrownBy(() -> ProfileJson.fromJson("{\"source\":\"" + huge + "\"}", BOUND))
                .isInstanceOf(ProfileFormatException.class).hasMessageContaining("not valid JSON");
    }

    @Test
    void aProfileBeyondTheCallersBoundIsRefusedBeforeItsRunsAreRead() {
        MemoryProfile p = MemoryProfile.of(new PageClass[] {PageClass.FREE, PageClass.FREE, PageClass.SLAB}, "t");
        assertThatThrownBy(() -> ProfileJson.fromJson(ProfileJson.toJson(p), 2))
                .hasMessageContaining("pfnCount 3 is outside 1..2");
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path tmp) {
        assertThatThrownBy(() -> ProfileJson.read(tmp.resolve("none.json"), BOUND))
                .isInstanceOf(ProfileFormatException.class).hasMessage("no such profile file: " + tmp.resolve("none.json"));
    }
}
