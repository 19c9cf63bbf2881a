package org.sonicmigration.xen.backend;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.sonicmigration.guest.HintAreaLayout;
import org.sonicmigration.spi.HintUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

/** The strict parser of {@code data/sonic/}: SPEC §7.1's values in, a bounded advertisement or a one-line reason out. */
class HintAdvertisementTest {

    private static Map<String, Optional<String>> keys(String state, String abi, String pages, String refs, String port) {
        Map<String, Optional<String>> m = new HashMap<>();
        m.put("state", Optional.ofNullable(state));
        m.put("abi", Optional.ofNullable(abi));
        m.put("area-pages", Optional.ofNullable(pages));
        m.put("dir-refs", Optional.ofNullable(refs));
        m.put("event-channel", Optional.ofNullable(port));
        return m;
    }

    private static HintAdvertisement parse(String state, String abi, String pages, String refs, String port) {
        return HintAdvertisement.parse(keys(state, abi, pages, refs, port)::get);
    }

    private static String reasonFor(String state, String abi, String pages, String refs, String port) {
        try {
            parse(state, abi, pages, refs, port);
        } catch (HintUnavailableException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void whatTheLinuxModuleWritesIsRead() {
        HintAdvertisement a = parse("ready", "1.0", "17", "8", "5");
        assertThat(a).isEqualTo(new HintAdvertisement(1, 0, 17, new int[] {8}, 5));
        assertThat(HintAdvertisement.directoryPages(a.areaPages())).isEqualTo(1);
    }

    @Test
    void aLargeAreaHasOneDirectoryPagePer1024AreaPages() {
        // a 64 GiB guest: two bitmaps of 512 pages and the header page, 1025..2048 pages need two directory pages
        HintAdvertisement a = parse("ready", "1.3", "1027", "4294967295 12", "131071");
        assertThat(a.dirRefs()).containsExactly(-1, 12);
        assertThat(a.abiMinor()).isEqualTo(3);
        assertThat(parse("ready", "1.0", "16384", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", "1").dirRefs()).hasSize(16);
    }

    @Test
    void stateMustBeReady() {
        assertThat(reasonFor("closing", "1.0", "17", "8", "5")).isEqualTo("data/sonic/state 'closing' is not 'ready'");
        assertThat(reasonFor(null, "1.0", "17", "8", "5")).isEqualTo("data/sonic/state is missing");
    }

    @Test
    void anotherMajorIsRefusedAsAWholeAndAnyMinorIsFine() {
        assertThat(reasonFor("ready", "2.0", "17", "8", "5")).isEqualTo("guest advertises abi 2.0, this dom0 speaks 1.x");
        assertThat(reasonFor("ready", "0.9", "17", "8", "5")).isEqualTo("guest advertises abi 0.9, this dom0 speaks 1.x");
        assertThat(parse("ready", "1.65535", "17", "8", "5").abiMinor()).isEqualTo(65535);
        assertThat(reasonFor("ready", "1.65536", "17", "8", "5")).isEqualTo("data/sonic/abi minor '65536' (of '1.65536') is above 65535");
        assertThat(reasonFor("ready", "1", "17", "8", "5")).isEqualTo("data/sonic/abi '1' is not major.minor");
        assertThat(reasonFor("ready", "1.0.0", "17", "8", "5")).isEqualTo("data/sonic/abi '1.0.0' is not major.minor");
        assertThat(reasonFor("ready", "+1.0", "17", "8", "5")).isEqualTo("data/sonic/abi major '+1' (of '+1.0') has a sign");
    }

    @Test
    void areaPagesAreBoundedBySpec() {
        assertThat(reasonFor("ready", "1.0", "0", "8", "5")).isEqualTo("data/sonic/area-pages '0' is below 1");
        assertThat(reasonFor("ready", "1.0", "16385", "8", "5")).isEqualTo("data/sonic/area-pages '16385' is above 16384");
        assertThat(reasonFor("ready", "1.0", "+17", "8", "5")).isEqualTo("data/sonic/area-pages '+17' has a sign");
        assertThat(reasonFor("ready", "1.0", "017", "8", "5")).isEqualTo("data/sonic/area-pages '017' has a leading zero");
        assertThat(reasonFor("ready", "1.0", "99999999999999999999999", "8", "5"))
                .isEqualTo("data/sonic/area-pages '99999999999999999999999' is above 16384");
    }

    @Test
    void exactlyOneDirectoryReferencePer1024AreaPages() {
        assertThat(reasonFor("ready", "1.0", "1025", "8", "5")).isEqualTo(
                "data/sonic/dir-refs '8' holds 1 entries where area-pages 1025 needs exactly 2, separated by single spaces");
        assertThat(reasonFor("ready", "1.0", "1024", "8 9", "5")).isEqualTo(
                "data/sonic/dir-refs '8 9' holds 2 entries where area-pages 1024 needs exactly 1, separated by single spaces");
        assertThat(reasonFor("ready", "1.0", "1025", "8  9", "5")).contains("holds 3 entries");
        assertThat(reasonFor("ready", "1.0", "17", "8 ", "5")).contains("holds 2 entries");
        assertThat(reasonFor("ready", "1.0", "17", "", "5")).isEqualTo("data/sonic/dir-refs entry 1 '' is empty");
        assertThat(reasonFor("ready", "1.0", "1025", "8 4294967296", "5"))
                .isEqualTo("data/sonic/dir-refs entry 2 '4294967296' (of '8 4294967296') is above 4294967295");
        assertThat(reasonFor("ready", "1.0", "17", "0x8", "5")).isEqualTo("data/sonic/dir-refs entry 1 '0x8' is not a decimal number");
    }

    @Test
    void theEventChannelIsAPortXenCanAllocate() {
        assertThat(reasonFor("ready", "1.0", "17", "8", "0")).isEqualTo("data/sonic/event-channel '0' is below 1");
        assertThat(reasonFor("ready", "1.0", "17", "8", "131072")).isEqualTo("data/sonic/event-channel '131072' is above 131071");
        assertThat(reasonFor("ready", "1.0", "17", "8", "-5")).isEqualTo("data/sonic/event-channel '-5' has a sign");
        assertThat(reasonFor("ready", "1.0", "17", "8", null)).isEqualTo("data/sonic/event-channel is missing");
    }

    @Test
    void aHostileValueIsShownEscapedAndCutOnOneLine() {
        String reason = reasonFor("ready\n\u0000'" + "x".repeat(100), "1.0", "17", "8", "5");
        assertThat(reason).doesNotContain("\n").doesNotContain("\u0000").contains("\\u000a").contains("(108 characters)");
    }

    @Test
    void constructedValuesAreInBoundsToo() {
        assertThatThrownBy(() -> new HintAdvertisement(1, 0, 1025, new int[] {8}, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HintAdvertisement(2, 0, 17, new int[] {8}, 5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HintAdvertisement(1, 0, 17, new int[] {8}, 0)).isInstanceOf(IllegalArgumentException.class);
        int[] refs = {8};
        HintAdvertisement a = new HintAdvertisement(1, 0, 17, refs, 5);
        refs[0] = 9;
        a.dirRefs()[0] = 10;
        assertThat(a.dirRefs()).containsExactly(8);
    }

    // ---- properties over hostile strings

    private static final List<String> PIECES = List.of("0", "1", "2", "7", "9", "00", "01", "+", "-", " ", "  ", ".", "x",
            "0x", "\t", "\n", "\u0000", "\u00e9", "\uff11", "\u0663", "1024", "1025", "16384", "16385", "65535", "65536",
            "131071", "131072", "4294967295", "4294967296", "9223372036854775808", "99999999999999999999", "ready",
            "closing", "1.0", "2.0", "1.65536");

    private static final Gen<String> HOSTILE = lists().of(arbitrary().pick(PIECES)).ofSizeBetween(0, 6)
            .map(l -> String.join("", l));

    /** Mostly a plausible value, often a hostile one, sometimes none. */
    private static Gen<Optional<String>> field(Gen<String> plausible) {
        return plausible.mix(HOSTILE, 40).toOptionals(5);
    }

    private static final Gen<String> REFS = lists().of(longs().between(0, 0xffff_ffffL).map(Object::toString))
            .ofSizeBetween(1, 3).map(l -> String.join(" ", l));

    @Test
    void everyInputIsAnAdvertisementWithinBoundsOrARefusalWithAReason() {
        Gen<Map<String, Optional<String>>> values = field(arbitrary().constant("ready")).zip(
                field(integers().between(0, 3).zip(integers().between(0, 3), (a, b) -> a + "." + b)),
                field(integers().between(0, 2100).map(Object::toString)),
                field(REFS),
                field(integers().between(0, 140_000).map(Object::toString)),
                (state, abi, pages, refs, port) -> {
                    Map<String, Optional<String>> m = new HashMap<>();
                    m.put("state", state);
                    m.put("abi", abi);
                    m.put("area-pages", pages);
                    m.put("dir-refs", refs);
                    m.put("event-channel", port);
                    return m;
                });
        qt().withExamples(20_000).forAll(values).checkAssert(m -> {
            Optional<String> state = m.get("state");
            Optional<String> abi = m.get("abi");
            Optional<String> pages = m.get("area-pages");
            Optional<String> refs = m.get("dir-refs");
            Optional<String> port = m.get("event-channel");
            HintAdvertisement a;
            try {
                a = HintAdvertisement.parse(m::get);
            } catch (HintUnavailableException e) {
                assertThat(e.getMessage()).isNotBlank().doesNotContain("\n").doesNotContain("\r")
                        .matches("(data/sonic/|guest advertises abi ).*");
                return;
            }
            assertThat(a.abiMajor()).isEqualTo(1);
            assertThat(a.areaPages()).isBetween(1, HintAreaLayout.MAX_AREA_PAGES);
            assertThat(a.dirRefs()).hasSize((a.areaPages() + 1023) / 1024);
            assertThat(a.eventChannel()).isBetween(1, (1 << 17) - 1);
            // strictness: only the canonical text of these very values was accepted
            assertThat(state).hasValue("ready");
            assertThat(abi).hasValue("1." + a.abiMinor());
            assertThat(pages).hasValue(Integer.toString(a.areaPages()));
            StringBuilder canonicalRefs = new StringBuilder();
            for (int r : a.dirRefs()) {
                canonicalRefs.append(canonicalRefs.isEmpty() ? "" : " ").append(Integer.toUnsignedString(r));
            }
            assertThat(refs).hasValue(canonicalRefs.toString());
            assertThat(port).hasValue(Integer.toString(a.eventChannel()));
        });
    }

    @Test
    void everyAdvertisementWithinBoundsIsReadBackExactly() {
        qt().withExamples(2000).forAll(
                integers().between(0, 0xffff),
                integers().between(1, HintAreaLayout.MAX_AREA_PAGES),
                longs().between(0, 0xffff_ffffL),
                integers().between(1, (1 << 17) - 1)
        ).checkAssert((minor, pages, firstRef, port) -> {
            int d = (pages + 1023) / 1024;
            int[] refs = new int[d];
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < d; i++) {
                refs[i] = (int) (firstRef + i);
                text.append(i == 0 ? "" : " ").append(Integer.toUnsignedString(refs[i]));
            }
            assertThat(parse("ready", "1." + minor, pages.toString(), text.toString(), port.toString()))
                    .isEqualTo(new HintAdvertisement(1, minor, pages, refs, port));
        });
    }
}
