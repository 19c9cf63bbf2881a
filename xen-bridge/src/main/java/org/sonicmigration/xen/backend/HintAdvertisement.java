package org.sonicmigration.xen.backend;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.sonicmigration.guest.HintAreaLayout;
import org.sonicmigration.spi.HintUnavailableException;

/**
 * What a guest advertises under its xenstore {@code data/sonic/} (SPEC §7.1): the ABI of its hint area,
 * the area's size in pages, the grant references of the directory pages that list the area's own
 * references, and the event-channel port it allocated for dom0. {@link #parse} reads the guest's
 * strings strictly (SPEC §7.2): the guest wrote them, so every value is checked for form and bounds
 * and anything else is refused with a one-line reason; a value of this type is always within bounds.
 */
record HintAdvertisement(int abiMajor, int abiMinor, int areaPages, int[] dirRefs, int eventChannel) {

    static final String STATE = "state";
    static final String ABI = "abi";
    static final String AREA_PAGES = "area-pages";
    static final String DIR_REFS = "dir-refs";
    static final String EVENT_CHANNEL = "event-channel";
    /** The keys dom0 reads, {@code state} first (SPEC §7.1 step 4). */
    static final List<String> KEYS = List.of(STATE, ABI, AREA_PAGES, DIR_REFS, EVENT_CHANNEL);
    static final String READY = "ready";
    /** {@code abi_major} and {@code abi_minor} are 16-bit fields of the area's header. */
    static final int MAX_ABI_PART = 0xffff;
    /** Grant references are unsigned 32-bit numbers. */
    static final long MAX_GRANT_REF = 0xffff_ffffL;
    /** Port 0 is never allocated by Xen; Xen's FIFO event-channel ABI has 2^17 ports, the 2-level one fewer. */
    static final int MAX_PORT = (1 << 17) - 1;
    private static final int SHOWN_CHARS = 40;

    HintAdvertisement {
        dirRefs = dirRefs.clone();
        if (abiMajor != HintAreaLayout.ABI_MAJOR || abiMinor < 0 || abiMinor > MAX_ABI_PART) {
            throw new IllegalArgumentException("abi " + abiMajor + "." + abiMinor);
        }
        if (areaPages < 1 || areaPages > HintAreaLayout.MAX_AREA_PAGES || dirRefs.length != directoryPages(areaPages)) {
            throw new IllegalArgumentException(areaPages + " area pages with " + dirRefs.length + " directory pages");
        }
        if (eventChannel < 1 || eventChannel > MAX_PORT) {
            throw new IllegalArgumentException("event channel " + eventChannel);
        }
    }

    /** The grant references of the directory pages (unsigned 32-bit values in ints). */
    @Override
    public int[] dirRefs() {
        return dirRefs.clone();
    }

    /** {@code ⌈areaPages / 1024⌉}: each directory page lists 1024 area references (SPEC §7.1 step 2). */
    static int directoryPages(int areaPages) {
        return (areaPages + HintAreaLayout.REFS_PER_DIR_PAGE - 1) / HintAreaLayout.REFS_PER_DIR_PAGE;
    }

    /**
     * Reads the advertisement from the values of {@link #KEYS} ({@code key} answers empty for a missing one).
     *
     * @throws HintUnavailableException a key is missing, {@code state} is not {@code ready}, the major ABI
     *                                  is not ours, or a value is malformed or out of bounds; the message
     *                                  names the key, the value and the rule
     */
    static HintAdvertisement parse(Function<String, Optional<String>> key) {
        String state = required(key, STATE);
        if (!state.equals(READY)) {
            throw refused(STATE, state, "is not '" + READY + "'");
        }
        String abi = required(key, ABI);
        int dot = abi.indexOf('.');
        if (dot < 0 || abi.indexOf('.', dot + 1) >= 0) {
            throw refused(ABI, abi, "is not major.minor");
        }
        int major = (int) number(ABI + " major", abi, abi.substring(0, dot), 0, MAX_ABI_PART);
        int minor = (int) number(ABI + " minor", abi, abi.substring(dot + 1), 0, MAX_ABI_PART);
        if (major != HintAreaLayout.ABI_MAJOR) {
            // SPEC §8.2: another major is refused as a whole; any minor of ours is fine
            throw new HintUnavailableException("guest advertises abi " + major + "." + minor + ", this dom0 speaks "
                    + HintAreaLayout.ABI_MAJOR + ".x");
        }
        String pagesText = required(key, AREA_PAGES);
        int pages = (int) number(AREA_PAGES, pagesText, pagesText, 1, HintAreaLayout.MAX_AREA_PAGES);
        int[] refs = refs(required(key, DIR_REFS), directoryPages(pages), pages);
        String portText = required(key, EVENT_CHANNEL);
        int port = (int) number(EVENT_CHANNEL, portText, portText, 1, MAX_PORT);
        return new HintAdvertisement(major, minor, pages, refs, port);
    }

    private static int[] refs(String text, int expected, int pages) {
        String[] parts = text.split(" ", -1);
        if (parts.length != expected) {
            throw refused(DIR_REFS, text, "holds " + parts.length + " entries where " + AREA_PAGES + " " + pages
                    + " needs exactly " + expected + ", separated by single spaces");
        }
        int[] refs = new int[expected];
        for (int i = 0; i < expected; i++) {
            refs[i] = (int) number(DIR_REFS + " entry " + (i + 1), text, parts[i], 0, MAX_GRANT_REF);
        }
        return refs;
    }

    private static String required(Function<String, Optional<String>> key, String name) {
        return key.apply(name).orElseThrow(() -> new HintUnavailableException("data/sonic/" + name + " is missing"));
    }

    private static long number(String what, String whole, String part, long min, long max) {
        return switch (StrictDecimal.parse(part, min, max)) {
            case StrictDecimal.Value(long v) -> v;
            case StrictDecimal.Refused(String why) -> throw new HintUnavailableException("data/sonic/" + what + " "
                    + quote(part) + (part.equals(whole) ? "" : " (of " + quote(whole) + ")") + " " + why);
        };
    }

    private static HintUnavailableException refused(String key, String value, String why) {
        return new HintUnavailableException("data/sonic/" + key + " " + quote(value) + " " + why);
    }

    /** A guest's string shown safely in one line: printable ASCII as is, anything else escaped, long ones cut. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("'");
        int shown = Math.min(s.length(), SHOWN_CHARS);
        for (int i = 0; i < shown; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
                b.append(c);
            } else {
                b.append(String.format("\\u%04x", (int) c));
            }
        }
        b.append('\'');
        if (s.length() > shown) {
            b.append(" (").append(s.length()).append(" characters)");
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HintAdvertisement a && abiMajor == a.abiMajor && abiMinor == a.abiMinor
                && areaPages == a.areaPages && Arrays.equals(dirRefs, a.dirRefs) && eventChannel == a.eventChannel;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dirRefs) * 31 + areaPages * 17 + eventChannel;
    }

    @Override
    public String toString() {
        StringBuilder refs = new StringBuilder();
        for (int r : dirRefs) {
            refs.append(refs.isEmpty() ? "" : " ").append(Integer.toUnsignedString(r));
        }
        return "abi " + abiMajor + "." + abiMinor + ", " + areaPages + " area pages, directory refs [" + refs
                + "], event channel " + eventChannel;
    }
}
