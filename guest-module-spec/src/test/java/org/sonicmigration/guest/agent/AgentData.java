package org.sonicmigration.guest.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.sonicmigration.testsupport.ProfileData;

/** The Linux 6.1 snapshots in the repository (data/linux61-guest) and their classes.csv; a missing folder fails the test, it is not skipped. */
final class AgentData {
    static final List<String> STAGES = List.of("boot", "cache", "user256", "user1024", "user1536", "drop");

    private AgentData() {
    }

    static Path linux61() {
        return ProfileData.linux61();
    }

    static Path dir(String run) {
        return run.equals("run1") ? linux61() : linux61().resolve("run2");
    }

    static KpageFiles files(String run, String stage) {
        Path d = dir(run);
        return new KpageFiles(d.resolve(stage + ".kpageflags.gz"), d.resolve(stage + ".kpagecount.gz"));
    }

    static Stream<Arguments> stages() {
        return Stream.of("run1", "run2").flatMap(run -> STAGES.stream().map(s -> Arguments.of(run, s)));
    }

    /** classes.csv rows of one snapshot: class label → pages. */
    static Map<String, Long> classesCsv(String run, String stage) throws IOException {
        Map<String, Long> m = new HashMap<>();
        for (String line : Files.readAllLines(linux61().resolve("classes.csv"))) {
            if (!line.startsWith(run + "," + stage + ",")) {
                continue;
            }
            // labels contain commas: pages and MB are the last two fields
            int last = line.lastIndexOf(',');
            int pagesComma = line.lastIndexOf(',', last - 1);
            m.put(line.substring(run.length() + stage.length() + 2, pagesComma), Long.parseLong(line.substring(pagesComma + 1, last)));
        }
        if (m.isEmpty()) {
            throw new AssertionError("classes.csv has no rows for " + run + " " + stage);
        }
        return m;
    }
}
