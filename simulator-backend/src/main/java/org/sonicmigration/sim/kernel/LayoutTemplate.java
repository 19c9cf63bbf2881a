package org.sonicmigration.sim.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sonicmigration.guest.profile.MemoryProfile;
import org.sonicmigration.guest.profile.PageClass;

/**
 * The calibrated boot layout of a Linux 6.1 guest: the non-free parts of a measured boot profile, grouped into
 * regions (low memory, the kernel image that KASLR moves, the top of RAM with the struct-page array), each a
 * sequence of runs of one {@link PageState}; everything between regions is free. It is derived from the
 * {@code boot} profile of {@code data/linux61-guest} run 1 (pages that are unflagged at boot but not in the
 * {@code cache} stage are taken to be per-cpu free-list pages) and shipped as a resource, so the simulator
 * does not need the data at run time.
 *
 * <p><b>Scaling rule</b> for a guest of R pages (the template has 524288): runs marked {@code fixed} keep their
 * size (the first MiB of reserved BIOS memory and the reserved kernel-image runs: their size depends on the
 * kernel, not on RAM); every other run scales by R / 524288 (cumulative rounding, so class totals scale
 * exactly); the low region stays at pfn 0, the top region ends at the end of RAM, and the kernel-image region
 * goes to a 2 MiB-aligned position chosen from the guest's seed (KASLR). At R = 524288 the layout reproduces
 * the boot profile's class totals exactly.
 */
public final class LayoutTemplate {

    public static final String RESOURCE = "linux61-boot-layout.txt";
    private static final long ALIGN = 512;
    private static final long CLUSTER_GAP = 16384;

    /** Where a region is placed in a scaled guest. */
    public enum Anchor { START, KASLR, END }

    public record Run(PageState state, long length, boolean fixed) {}

    public record Region(Anchor anchor, long start, long length, List<Run> runs) {}

    private final long pfns;
    private final List<Region> regions;

    LayoutTemplate(long pfns, List<Region> regions) {
        this.pfns = pfns;
        this.regions = List.copyOf(regions);
    }

    public long pfns() {
        return pfns;
    }

    public List<Region> regions() {
        return regions;
    }

    /** The template shipped with the simulator. */
    public static LayoutTemplate linux61() {
        return Holder.LINUX61;
    }

    private static final class Holder {
        static final LayoutTemplate LINUX61 = load();

        private static LayoutTemplate load() {
            try (InputStream in = LayoutTemplate.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " missing from the simulator jar");
                }
                return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Derives the template from a boot profile and a later, loaded profile of the same boot. */
    public static LayoutTemplate derive(MemoryProfile boot, MemoryProfile loaded) {
        long n = boot.pfnCount();
        PageState[] st = new PageState[(int) n];
        List<long[]> clusters = new ArrayList<>();
        long clusterStart = -1;
        long lastBusy = -1;
        for (long p = 0; p < n; p++) {
            PageClass c = boot.classOf(p);
            PageState s = PageState.forClass(c);
            if (c == PageClass.OTHER_UNFLAGGED && loaded.classOf(p) != PageClass.OTHER_UNFLAGGED) {
                s = PageState.PCP_FREE;
            }
            st[(int) p] = s;
            if (s != PageState.FREE) {
                if (clusterStart < 0 || p - lastBusy > CLUSTER_GAP) {
                    if (clusterStart >= 0) {
                        clusters.add(new long[] {clusterStart, lastBusy + 1});
                    }
                    clusterStart = p;
                }
                lastBusy = p;
            }
        }
        clusters.add(new long[] {clusterStart, lastBusy + 1});
        if (clusters.size() != 3) {
            throw new IllegalStateException("expected 3 busy regions (low, kernel image, top) in " + boot.source()
                    + ", found " + clusters.size());
        }
        List<Region> regions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Anchor a = i == 0 ? Anchor.START : i == 1 ? Anchor.KASLR : Anchor.END;
            long start = a == Anchor.START ? 0 : Math.floorDiv(clusters.get(i)[0], ALIGN) * ALIGN;
            long end = a == Anchor.END ? n : Math.min(n, Math.ceilDiv(clusters.get(i)[1], ALIGN) * ALIGN);
            List<Run> runs = new ArrayList<>();
            long runStart = start;
            for (long p = start + 1; p <= end; p++) {
                if (p == end || st[(int) p] != st[(int) runStart]) {
                    PageState s = st[(int) runStart];
                    boolean fixed = s == PageState.RESERVED && (a == Anchor.KASLR || runStart == 0);
                    runs.add(new Run(s, p - runStart, fixed));
                    runStart = p;
                }
            }
            regions.add(new Region(a, start, end - start, runs));
        }
        return new LayoutTemplate(n, regions);
    }

    /** The text form of the resource. */
    public String format(String comment) {
        StringBuilder sb = new StringBuilder();
        for (String line : comment.split("\n")) {
            sb.append("# ").append(line).append('\n');
        }
        sb.append("pfns ").append(pfns).append('\n');
        for (Region r : regions) {
            sb.append("region ").append(r.anchor()).append(' ').append(r.start()).append(' ').append(r.length()).append('\n');
            for (Run run : r.runs()) {
                sb.append("run ").append(run.state()).append(' ').append(run.length());
                if (run.fixed()) {
                    sb.append(" fixed");
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    public static LayoutTemplate parse(String text) {
        long pfns = -1;
        List<Region> regions = new ArrayList<>();
        Anchor anchor = null;
        long start = 0;
        long length = 0;
        List<Run> runs = null;
        int lineNo = 0;
        for (String raw : text.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                    case "pfns" -> pfns = Long.parseLong(f[1]);
                    case "region" -> {
                        if (runs != null) {
                            regions.add(new Region(anchor, start, length, runs));
                        }
                        anchor = Anchor.valueOf(f[1]);
                        start = Long.parseLong(f[2]);
                        length = Long.parseLong(f[3]);
                        runs = new ArrayList<>();
                    }
                    case "run" -> runs.add(new Run(PageState.valueOf(f[1]), Long.parseLong(f[2]),
                            f.length > 3 && f[3].equals("fixed")));
                    default -> throw new IllegalArgumentException("unknown keyword " + f[0]);
                }
            } catch (RuntimeException e) {
                throw new IllegalStateException("layout template line " + lineNo + ": " + e.getMessage(), e);
            }
        }
        if (runs != null) {
            regions.add(new Region(anchor, start, length, runs));
        }
        return new LayoutTemplate(pfns, regions);
    }

    /**
     * The boot state of each RAM page (index = RAM page number, not pfn) of a guest with {@code ramPages}.
     *
     * @throws SimulatorException if the guest is too small to hold the scaled layout
     */
    public PageState[] scale(long ramPages, long seed) {
        if (ramPages > Integer.MAX_VALUE - 8) {
            throw new SimulatorException("guest too large for the calibrated layout: " + ramPages + " pages");
        }
        double f = (double) ramPages / pfns;
        List<List<Run>> scaled = new ArrayList<>();
        long[] lengths = new long[regions.size()];
        for (int i = 0; i < regions.size(); i++) {
            List<Run> out = new ArrayList<>();
            long cum = 0;
            long cumScaled = 0;
            for (Run r : regions.get(i).runs()) {
                long len;
                if (r.fixed()) {
                    len = r.length();
                } else {
                    cum += r.length();
                    long end = Math.round(cum * f);
                    len = end - cumScaled;
                    cumScaled = end;
                }
                if (len > 0) {
                    out.add(new Run(r.state(), len, r.fixed()));
                    lengths[i] += len;
                }
            }
            scaled.add(out);
        }
        long need = 0;
        for (long l : lengths) {
            need += Math.ceilDiv(l, ALIGN) * ALIGN;
        }
        if (need + ALIGN > ramPages) {
            long minMib = (need + ALIGN) * 4096 / (1 << 20) + 1;
            throw new SimulatorException("guest memory of " + (ramPages * 4096 >> 20)
                    + " MiB is too small for the calibrated Linux 6.1 layout (needs more than " + minMib + " MiB)");
        }
        PageState[] states = new PageState[(int) ramPages];
        java.util.Arrays.fill(states, PageState.FREE);
        long lowEnd = 0;
        long highStart = ramPages;
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i).anchor() == Anchor.START) {
                lowEnd = Math.max(lowEnd, lengths[i]);
            } else if (regions.get(i).anchor() == Anchor.END) {
                highStart = Math.min(highStart, ramPages - lengths[i]);
            }
        }
        SplittableRandom rnd = new SplittableRandom(seed ^ 0x6b61736c72L);
        for (int i = 0; i < regions.size(); i++) {
            long at = switch (regions.get(i).anchor()) {
                case START -> 0;
                case END -> ramPages - lengths[i];
                case KASLR -> {
                    long lo = Math.ceilDiv(lowEnd, ALIGN) * ALIGN;
                    long hi = Math.floorDiv(highStart - lengths[i], ALIGN) * ALIGN;
                    yield lo + ALIGN * rnd.nextLong((hi - lo) / ALIGN + 1);
                }
            };
            for (Run r : scaled.get(i)) {
                java.util.Arrays.fill(states, (int) at, (int) (at + r.length()), r.state());
                at += r.length();
            }
        }
        return states;
    }
}
