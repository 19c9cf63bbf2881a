package org.sonicmigration.guest.profile;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The class of every frame of one machine at one moment: one byte per pfn (a {@link PageClass} ordinal),
 * built from a {@code /proc/kpageflags} + {@code /proc/kpagecount} pair (raw, or gzip-compressed as in
 * {@code data/linux61-guest/}) or from any per-pfn class array. It answers how many pages each class holds
 * and where in pfn space each class lives. Immutable.
 */
public final class MemoryProfile {

    /** Largest profile accepted: 2^30 frames (4 TiB of 4 KiB pages), one byte each in memory. */
    public static final long MAX_PFNS = 1L << 30;

    private static final int PAGE_SIZE = 4096;
    private static final int WORD = 8;
    private static final int BLOCK_WORDS = 8192;

    private final byte[] classes;
    private final long[] totals;
    private final String source;

    private MemoryProfile(byte[] classes, String source) {
        this.classes = classes;
        this.source = source;
        this.totals = new long[PageClass.values().length];
        for (byte b : classes) {
            totals[b]++;
        }
    }

    /** A profile from per-pfn classes (index = pfn). */
    public static MemoryProfile of(PageClass[] perPfn, String source) {
        if (perPfn.length > MAX_PFNS) {
            throw new ProfileFormatException("profile of " + perPfn.length + " frames exceeds the limit of " + MAX_PFNS);
        }
        byte[] b = new byte[perPfn.length];
        for (int i = 0; i < perPfn.length; i++) {
            b[i] = (byte) perPfn[i].ordinal();
        }
        return new MemoryProfile(b, source);
    }

    /** A profile from per-pfn class ordinals (index = pfn); the array is copied and checked. */
    public static MemoryProfile ofOrdinals(byte[] ordinals, String source) {
        int n = PageClass.values().length;
        for (int i = 0; i < ordinals.length; i++) {
            if (ordinals[i] < 0 || ordinals[i] >= n) {
                throw new ProfileFormatException(source + ": pfn " + i + " has no valid class (" + ordinals[i] + ")");
            }
        }
        return new MemoryProfile(ordinals.clone(), source);
    }

    /**
     * Loads stage {@code stage} from {@code dir}: {@code <stage>.kpageflags.gz} and {@code <stage>.kpagecount.gz},
     * or the uncompressed {@code <stage>.kpageflags} and {@code <stage>.kpagecount} when no compressed pair exists.
     *
     * @throws ProfileFormatException if the files are missing or malformed
     */
    public static MemoryProfile load(Path dir, String stage) {
        Path flagsGz = dir.resolve(stage + ".kpageflags.gz");
        Path countsGz = dir.resolve(stage + ".kpagecount.gz");
        if (Files.exists(flagsGz) || Files.exists(countsGz)) {
            return read(flagsGz, countsGz);
        }
        Path flags = dir.resolve(stage + ".kpageflags");
        Path counts = dir.resolve(stage + ".kpagecount");
        if (!Files.exists(flags)) {
            throw new ProfileFormatException("no profile '" + stage + "' in " + dir + " (expected " + flagsGz.getFileName()
                    + " or " + flags.getFileName() + ")");
        }
        return read(flags, counts);
    }

    /**
     * Reads a kpageflags/kpagecount pair. Each file is gzip-compressed or raw (recognised by its first bytes);
     * both must hold the same number of little-endian 64-bit words.
     */
    public static MemoryProfile read(Path kpageflags, Path kpagecount) {
        try (InputStream f = open(kpageflags); InputStream c = open(kpagecount)) {
            return read(f, c, kpageflags.toString());
        } catch (NoSuchFileException e) {
            throw new ProfileFormatException("profile file not found: " + e.getFile(), e);
        } catch (IOException e) {
            throw new ProfileFormatException("cannot read profile " + kpageflags + ": " + e.getMessage(), e);
        }
    }

    /** Reads a profile from two streams of little-endian 64-bit words (uncompressed). */
    public static MemoryProfile read(InputStream kpageflags, InputStream kpagecount, String source) throws IOException {
        byte[] out = new byte[1 << 16];
        long n = 0;
        byte[] fb = new byte[BLOCK_WORDS * WORD];
        byte[] cb = new byte[BLOCK_WORDS * WORD];
        while (true) {
            int fl = readFully(kpageflags, fb);
            int cl = readFully(kpagecount, cb);
            if (fl % WORD != 0) {
                throw new ProfileFormatException(source + ": kpageflags length is not a multiple of 8 bytes");
            }
            if (cl % WORD != 0) {
                throw new ProfileFormatException(source + ": kpagecount length is not a multiple of 8 bytes");
            }
            if (fl != cl) {
                long fw = n + fl / WORD;
                long cw = n + cl / WORD;
                throw new ProfileFormatException(source + ": kpageflags and kpagecount differ in length (at least "
                        + fw + " vs " + cw + " frames)");
            }
            int words = fl / WORD;
            if (words == 0) {
                break;
            }
            if (n + words > MAX_PFNS) {
                throw new ProfileFormatException(source + ": more than " + MAX_PFNS + " frames");
            }
            if (n + words > out.length) {
                out = Arrays.copyOf(out, (int) Math.min(MAX_PFNS, Math.max(n + words, (long) out.length * 2)));
            }
            for (int i = 0; i < words; i++) {
                long flags = le64(fb, i * WORD);
                long count = le64(cb, i * WORD);
                out[(int) n + i] = (byte) KpageflagsClassifier.classify(flags, count).ordinal();
            }
            n += words;
        }
        if (n == 0) {
            throw new ProfileFormatException(source + ": empty profile");
        }
        return new MemoryProfile(Arrays.copyOf(out, (int) n), source);
    }

    /** Where the profile came from (a file name or a description). */
    public String source() {
        return source;
    }

    /** Frames covered: pfns {@code [0, pfnCount())}. */
    public long pfnCount() {
        return classes.length;
    }

    public PageClass classOf(long pfn) {
        if (pfn < 0 || pfn >= classes.length) {
            throw new IndexOutOfBoundsException("pfn " + pfn + " outside profile of " + classes.length + " frames");
        }
        return PageClass.ofOrdinal(classes[(int) pfn]);
    }

    /** Pages of one class. */
    public long pages(PageClass c) {
        return totals[c.ordinal()];
    }

    /** MiB of one class (4 KiB pages). */
    public double mib(PageClass c) {
        return toMib(pages(c));
    }

    /** Pages of every class, in class order. */
    public Map<PageClass, Long> totals() {
        EnumMap<PageClass, Long> m = new EnumMap<>(PageClass.class);
        for (PageClass c : PageClass.values()) {
            m.put(c, totals[c.ordinal()]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Pages in the profiles' "hard kernel" group (see {@link PageClass#isHardKernel()}). */
    public long hardKernelPages() {
        long s = 0;
        for (PageClass c : PageClass.values()) {
            if (c.isHardKernel()) {
                s += totals[c.ordinal()];
            }
        }
        return s;
    }

    /** Pages whose class is a soft candidate (free or clean page cache). */
    public long softCandidatePages() {
        return pages(PageClass.FREE) + pages(PageClass.CLEAN_CACHE);
    }

    /** Every maximal run of one class, in pfn order. */
    public List<PfnRun> runs() {
        List<PfnRun> runs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= classes.length; i++) {
            if (i == classes.length || classes[i] != classes[start]) {
                runs.add(new PfnRun(start, i - start, PageClass.ofOrdinal(classes[start])));
                start = i;
            }
        }
        return runs;
    }

    /** The maximal runs of class {@code c}, in pfn order. */
    public List<PfnRun> runs(PageClass c) {
        return runs().stream().filter(r -> r.pageClass() == c).toList();
    }

    /** Copy of the per-pfn class ordinals. */
    public byte[] classOrdinals() {
        return classes.clone();
    }

    public static double toMib(long pages) {
        return pages * (double) PAGE_SIZE / (1 << 20);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("MemoryProfile[").append(source).append(", ").append(classes.length)
                .append(" pfns");
        for (PageClass c : PageClass.values()) {
            if (totals[c.ordinal()] != 0) {
                sb.append(String.format(", %s=%.2f MiB", c.name(), mib(c)));
            }
        }
        return sb.append(']').toString();
    }

    private static InputStream open(Path p) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        raw.mark(2);
        int b0 = raw.read();
        int b1 = raw.read();
        raw.reset();
        if (b0 == 0x1f && b1 == 0x8b) {
            return new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16);
        }
        return raw;
    }

    private static int readFully(InputStream in, byte[] buf) throws IOException {
        int off = 0;
        while (off < buf.length) {
            int r;
            try {
                r = in.read(buf, off, buf.length - off);
            } catch (EOFException e) {
                throw new ProfileFormatException("truncated compressed profile: " + e.getMessage(), e);
            }
            if (r < 0) {
                break;
            }
            off += r;
        }
        return off;
    }

    private static long le64(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFFL);
        }
        return v;
    }
}
