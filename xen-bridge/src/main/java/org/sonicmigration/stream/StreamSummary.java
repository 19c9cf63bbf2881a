package org.sonicmigration.stream;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.sonicmigration.spi.PlatformState;

/**
 * A {@link StreamSink} that only counts: records per type with their body bytes, pfns per page type,
 * the headers and the platform-state sizes. It is what {@code sonic restore --dry-run} prints; its
 * {@link #toString()} is a readable multi-line report.
 */
public final class StreamSummary implements StreamSink {

    /**
     * Count and total body bytes (padding excluded) of the records of one type.
     *
     * @param name e.g. "PAGE_DATA"
     */
    public record RecordStat(RecordLayer layer, int type, String name, long count, long bodyBytes) {}

    private final Map<Long, long[]> records = new TreeMap<>();
    private final EnumMap<PageType, Long> pageTypes = new EnumMap<>(PageType.class);
    private XlHeader xlHeader;
    private ImageHeader image;
    private DomainHeader domain;
    private PlatformState platformState;
    private long minPfn = Long.MAX_VALUE;
    private long maxPfn = -1;
    private long optionalRecords;
    private boolean complete;

    @Override
    public void onXlHeader(XlHeader h) {
        xlHeader = h;
    }

    @Override
    public void onImage(ImageHeader image, DomainHeader domain) {
        this.image = image;
        this.domain = domain;
    }

    @Override
    public void onRecord(RecordLayer layer, int type, long offset, int bodyLength) {
        long key = ((long) layer.ordinal() << 32) | Integer.toUnsignedLong(type);
        long[] stat = records.computeIfAbsent(key, k -> new long[2]);
        stat[0]++;
        stat[1] += Integer.toUnsignedLong(bodyLength);
    }

    @Override
    public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {
        for (int i = 0; i < count; i++) {
            pageTypes.merge(types[i], 1L, Long::sum);
            minPfn = Math.min(minPfn, pfns[i]);
            maxPfn = Math.max(maxPfn, pfns[i]);
        }
    }

    @Override
    public void onOptionalRecord(int type, byte[] body) {
        optionalRecords++;
    }

    @Override
    public void onPlatformState(PlatformState s) {
        platformState = s;
    }

    @Override
    public void onEnd() {
        complete = true;
    }

    /** Records per layer and type, libxl first, then by type number. */
    public List<RecordStat> records() {
        List<RecordStat> out = new ArrayList<>();
        records.forEach((key, stat) -> {
            RecordLayer layer = RecordLayer.values()[(int) (key >>> 32)];
            int type = (int) (long) key;
            out.add(new RecordStat(layer, type, RecordTypes.name(layer, type), stat[0], stat[1]));
        });
        return Collections.unmodifiableList(out);
    }

    /** Number of records of one libxc type. */
    public long libxcRecordCount(int type) {
        long[] stat = records.get(((long) RecordLayer.LIBXC.ordinal() << 32) | Integer.toUnsignedLong(type));
        return stat == null ? 0 : stat[0];
    }

    /** How many pfns of each page type the PAGE_DATA records named. */
    public Map<PageType, Long> pageTypeCounts() {
        return Collections.unmodifiableMap(new EnumMap<>(pageTypes));
    }

    /** Pfns whose content the stream carries (normal pages and page tables). */
    public long pagesWithData() {
        return pageTypes.entrySet().stream().filter(e -> e.getKey().hasData()).mapToLong(Map.Entry::getValue).sum();
    }

    /** Smallest and largest pfn named, empty if there were no pages. */
    public Optional<long[]> pfnRange() {
        return maxPfn < 0 ? Optional.empty() : Optional.of(new long[] {minPfn, maxPfn});
    }

    /** Optional (bit 31) records seen. */
    public long optionalRecords() {
        return optionalRecords;
    }

    public Optional<XlHeader> xlHeader() {
        return Optional.ofNullable(xlHeader);
    }

    public Optional<ImageHeader> image() {
        return Optional.ofNullable(image);
    }

    public Optional<DomainHeader> domain() {
        return Optional.ofNullable(domain);
    }

    public Optional<PlatformState> platformState() {
        return Optional.ofNullable(platformState);
    }

    /** Whether the outermost END record was reached. */
    public boolean complete() {
        return complete;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        if (xlHeader != null) {
            s.append(String.format("xl header: mandatory flags 0x%x, optional flags 0x%x, config %d bytes%n",
                    xlHeader.mandatoryFlags(), xlHeader.optionalFlags(),
                    xlHeader.jsonConfig().getBytes(java.nio.charset.StandardCharsets.UTF_8).length));
        }
        if (image != null) {
            s.append(String.format("libxc image: version %d, %s, page shift %d, written by Xen %d.%d%n",
                    image.version(), domain.type() == DomainHeader.TYPE_X86_HVM ? "x86 HVM" : "type " + domain.type(),
                    domain.pageShift(), domain.xenMajor(), domain.xenMinor()));
        }
        s.append("records:\n");
        for (RecordStat r : records()) {
            s.append(String.format("  %-5s %-26s %10d records %,16d bytes%n",
                    r.layer().name().toLowerCase(), r.name(), r.count(), r.bodyBytes()));
        }
        s.append("page types:");
        if (pageTypes.isEmpty()) {
            s.append(" none");
        }
        pageTypes.forEach((t, n) -> s.append(' ').append(t).append(' ').append(n));
        s.append('\n');
        if (maxPfn >= 0) {
            s.append(String.format("pfns 0x%x..0x%x, %d pages with data (%.1f MiB)%n", minPfn, maxPfn,
                    pagesWithData(), pagesWithData() * 4096.0 / (1 << 20)));
        }
        if (platformState != null) {
            PlatformState p = platformState;
            s.append(String.format("platform state: %d CPUID leaves, %d MSRs, HVM context %d bytes, %d HVM params,"
                            + " TSC mode %d at %d kHz%n", p.cpuidPolicy().length / 24, p.msrPolicy().length / 16,
                    p.hvmContext().length, p.hvmParams().size(), p.tsc().mode(), p.tsc().khz()));
        }
        s.append(complete ? "complete stream\n" : "INCOMPLETE stream\n");
        return s.toString();
    }
}
