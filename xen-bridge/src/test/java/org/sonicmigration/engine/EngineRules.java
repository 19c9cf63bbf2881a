package org.sonicmigration.engine;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.sonicmigration.stream.PageType;

/**
 * What a migration of a {@link ScriptedDomain} must have done, checked on the stream the engine wrote
 * (decoded) and on what the fake saw the engine do. Each check returns the violations it found, as
 * sentences naming the rule and the first frames that break it.
 *
 * <p>Safety — the invariant of DESIGN.md: every page that is hard at the suspend, or was written after
 * the last live fetch-and-clean, arrives with its content at the suspend; "allocate, no data" only for
 * pages of the final soft set that were stale, stayed clean in the final dirty set, and are guest
 * memory. Thrift — what the steps promise beyond safety: each pass sends exactly what its rule says,
 * so soft pages stay out of the stream and the downtime.
 */
final class EngineRules {
    private EngineRules() {}

    /** Every page hard at the suspend (or written after the last live fetch) arrives with its final content. */
    static List<String> hardPagesArriveWithTheirFinalContent(ScriptedDomain d, RecordedStream s) {
        List<String> bad = new ArrayList<>();
        for (int p = 0; p < d.info().pfnLimit(); p++) {
            if (!d.mustArrive(p)) {
                continue;
            }
            RecordedStream.Entry last = s.last(p);
            if (last == null || !last.hasData()) {
                bad.add("page " + p + " is hard at the suspend but its last entry is " + (last == null ? "missing" : last.type()));
            } else if (last.digest() != d.digestAtSuspend(p)) {
                bad.add("page " + p + " arrives with content that is not its content at the suspend");
            }
        }
        return first("hard pages arrive with their final content", bad);
    }

    /** XALLOC only for stale pages of the final soft set, clean in the final dirty set, that are guest RAM. */
    static List<String> allocatedOnlyStaleCleanFinalSoftRam(ScriptedDomain d, RecordedStream s) {
        List<String> bad = new ArrayList<>();
        BitSet given = d.givenUp();
        s.withType(PageType.XALLOC).stream().forEach(p -> {
            List<String> why = new ArrayList<>();
            if (!given.get(p)) {
                why.add("not in the final soft set");
            }
            if (!d.staleAtFinal.get(p)) {
                why.add("not stale");
            }
            if (d.finalDirty.get(p)) {
                why.add("in the final dirty set");
            }
            if (!d.ramAtSuspend.get(p)) {
                why.add("a hole");
            }
            if (!why.isEmpty()) {
                bad.add("page " + p + " is allocated without data but is " + String.join(", ", why));
            }
        });
        return first("allocate-no-data only for stale, clean final-soft guest memory", bad);
    }

    /** The pages the final round leaves without data: stale, given up, clean, guest RAM, never seen not to map. */
    static BitSet expectedNoData(ScriptedDomain d) {
        BitSet x = (BitSet) d.staleAtFinal.clone();
        x.and(d.givenUp());
        x.andNot(d.finalDirty);
        x.andNot(d.mapFailedBeforeFinal);
        x.and(d.ramAtSuspend);
        return x;
    }

    /**
     * Each live pass sends the pages stale when it was chosen, less those its hint called soft that the
     * last fetch-and-clean did not find dirty; the catch-up the stale pages outside the final soft set;
     * the final round the rest of the stale pages and the final dirty set with data, and
     * {@link #expectedNoData} without.
     */
    static List<String> everyPassSendsWhatItsRuleSays(GuestScript script, ScriptedDomain d, RecordedStream s) {
        List<String> bad = new ArrayList<>();
        for (int k = 0; k < d.livePasses(); k++) {
            BitSet due = (BitSet) d.staleBeforePass.get(k).clone();
            if (script.hintArea) {
                BitSet skip = (BitSet) script.hint(k).clone();
                skip.andNot(d.dirtyBeforePass.get(k));
                due.andNot(skip);
            }
            compare(bad, "live pass " + k, due, d.liveReads(k));
        }
        BitSet catchUp = new BitSet();
        if (d.handshakeDone()) {
            catchUp.or(d.staleAtHandshake);
            catchUp.andNot(d.givenUp());
        }
        compare(bad, "catch-up", catchUp, d.catchUpReads);
        BitSet noData = expectedNoData(d);
        BitSet finalData = (BitSet) d.staleAtFinal.clone();
        finalData.or(d.finalDirty);
        finalData.andNot(noData);
        compare(bad, "final round (with data)", finalData, d.finalReads);
        BitSet allocated = s.withType(PageType.XALLOC);
        compare(bad, "final round (allocate, no data)", noData, allocated);
        return first("every pass sends what its rule says", bad);
    }

    private static void compare(List<String> bad, String what, BitSet expected, BitSet actual) {
        if (!expected.equals(actual)) {
            BitSet missing = (BitSet) expected.clone();
            missing.andNot(actual);
            BitSet extra = (BitSet) actual.clone();
            extra.andNot(expected);
            bad.add(what + " left out " + head(missing) + " and added " + head(extra));
        }
    }

    private static String head(BitSet b) {
        return b.stream().limit(8).boxed().toList() + (b.cardinality() > 8 ? "…(" + b.cardinality() + ")" : "");
    }

    private static List<String> first(String rule, List<String> bad) {
        return bad.isEmpty() ? bad : List.of(rule + ": " + bad.size() + " violations, e.g. "
                + String.join("; ", bad.subList(0, Math.min(3, bad.size()))));
    }
}
