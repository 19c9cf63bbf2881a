package org.sonicmigration.guest.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;

/**
 * The fields of a {@code /proc/meminfo} text (raw or gzip-compressed), in KiB, and the side-by-side check of a
 * kpageflags classification against them: which meminfo counter corresponds to which classes, as the
 * {@code data/linux61-guest} README cross-checks them.
 *
 * @param fields every {@code Name: value [kB]} line, in file order (values without a unit as written)
 * @param source where the text came from
 */
public record Meminfo(Map<String, Long> fields, String source) {

    /** Largest meminfo file read: 1 MiB (the kernel's is about 1.5 KiB). */
    public static final int MAX_BYTES = 1 << 20;

    private static final Pattern LINE = Pattern.compile("([A-Za-z0-9_()]+):\\s+(\\d{1,18})(?:\\s+kB)?\\s*");

    public Meminfo {
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** The running kernel's meminfo file. */
    public static final Path PROC_MEMINFO = Path.of("/proc/meminfo");

    /**
     * Reads and parses a meminfo file.
     *
     * @throws AgentException if it is missing, larger than {@link #MAX_BYTES}, or has no MemTotal/MemFree line
     */
    public static Meminfo read(Path file) {
        byte[] bytes;
        try (InputStream raw = Files.newInputStream(file)) {
            byte[] head = raw.readNBytes(MAX_BYTES + 1);
            if (head.length >= 2 && head[0] == (byte) 0x1f && head[1] == (byte) 0x8b) {
                try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(head))) {
                    bytes = gz.readNBytes(MAX_BYTES + 1);
                }
            } else {
                bytes = head;
            }
        } catch (IOException e) {
            throw WordChannel.openFailure(file, e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new AgentException(AgentException.Kind.MALFORMED, file + " is larger than " + MAX_BYTES
                    + " bytes: not a meminfo file");
        }
        return parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    }

    /** Parses meminfo text; lines that are not {@code Name: value [kB]} are ignored. */
    public static Meminfo parse(String text, String source) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher x = LINE.matcher(line);
            if (x.matches()) {
                m.putIfAbsent(x.group(1), Long.parseLong(x.group(2)));
            }
        }
        if (!m.containsKey("MemTotal") || !m.containsKey("MemFree")) {
            throw new AgentException(AgentException.Kind.MALFORMED, source + " is not a meminfo file (no MemTotal/MemFree)");
        }
        return new Meminfo(m, source);
    }

    /** A field in KiB (or as written, for fields without a unit). */
    public OptionalLong kib(String field) {
        Long v = fields.get(field);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /**
     * Compares the classes of {@code profile} with this meminfo, field by field; a row is left out when a
     * field it needs is missing.
     */
    public List<MeminfoRow> compare(MemoryProfile profile) {
        List<MeminfoRow> rows = new ArrayList<>();
        long ram = profile.pfnCount() - profile.pages(PageClass.HOLE);
        row(rows, "MemTotal", sum("MemTotal"), kib(ram - profile.pages(PageClass.RESERVED)),
                "RAM frames minus RESERVED (managed pages)");
        row(rows, "MemFree", sum("MemFree"), kib(profile, PageClass.FREE), "free (BUDDY)");
        row(rows, "Cached+Buffers", sum("Cached", "Buffers"),
                kib(profile, PageClass.CLEAN_CACHE, PageClass.FILE_MAPPED, PageClass.FILE_DIRTY, PageClass.SHMEM),
                "file pages (clean, mapped, dirty) + shmem");
        row(rows, "Shmem", sum("Shmem"), kib(profile, PageClass.SHMEM), "shmem/tmpfs (SWAPBACKED, !ANON)");
        row(rows, "AnonPages", sum("AnonPages"), kib(profile, PageClass.ANON), "ANON (THP tails included)");
        row(rows, "Slab", sum("Slab"), kib(profile, PageClass.SLAB, PageClass.OTHER_FLAGGED),
                "slab + other flagged (kmalloc_large compound pages)");
        row(rows, "PageTables", sum("PageTables"), kib(profile, PageClass.PAGE_TABLE), "page tables (PGTABLE)");
        row(rows, "Dirty+Writeback", sum("Dirty", "Writeback"), kib(profile, PageClass.FILE_DIRTY),
                "dirty/writeback/locked file");
        return rows;
    }

    private OptionalLong sum(String... names) {
        long s = 0;
        for (String n : names) {
            Long v = fields.get(n);
            if (v == null) {
                return OptionalLong.empty();
            }
            s += v;
        }
        return OptionalLong.of(s);
    }

    private static void row(List<MeminfoRow> rows, String field, OptionalLong meminfo, long classes, String countedAs) {
        if (meminfo.isPresent()) {
            rows.add(new MeminfoRow(field, meminfo.getAsLong(), classes, countedAs));
        }
    }

    private static long kib(MemoryProfile p, PageClass... classes) {
        long pages = 0;
        for (PageClass c : classes) {
            pages += p.pages(c);
        }
        return kib(pages);
    }

    private static long kib(long pages) {
        return pages * 4;
    }
}
