package org.sonicmigration.engine;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.stream.DomainHeader;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.ImageHeader;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.stream.StreamSink;
import org.sonicmigration.stream.XlHeader;

/**
 * A stream the engine wrote, decoded with the project's reader into what a destination would end up
 * with: for every frame, its entries in stream order (type, and a digest of the content when the type
 * carries some).
 */
final class RecordedStream implements StreamSink {

    /**
     * One entry of a PAGE_DATA record: its type and, for types with content, a 64-bit digest of the
     * 4096 bytes (a page's bytes are not kept: a few hundred migrations would hold gigabytes).
     */
    record Entry(PageType type, long digest) {
        boolean hasData() {
            return type.hasData();
        }
    }

    /** A digest of the page at {@code offset}; any change of a byte changes it (but for 2^-64 chances). */
    static long digest(MemorySegment page, long offset) {
        long[] words = new long[ScriptedDomain.PAGE / 8];
        MemorySegment.copy(page, ValueLayout.JAVA_LONG_UNALIGNED, offset, words, 0, words.length);
        return digest(words);
    }

    static long digest(long[] words) {
        long h = 0x243F6A8885A308D3L;
        for (long w : words) {
            h = (h ^ w) * 0x100000001B3L;
            h ^= h >>> 29;
        }
        return h;
    }

    final Map<Long, List<Entry>> pages = new TreeMap<>();
    final List<String> order = new ArrayList<>();
    PlatformState state;

    static RecordedStream decode(byte[] stream) throws Exception {
        RecordedStream r = new RecordedStream();
        new StreamReader(new BufferedInputStream(new ByteArrayInputStream(stream)), StreamLimits.defaults())
                .read(Framing.XL, r);
        return r;
    }

    @Override
    public void onXlHeader(XlHeader h) {
        order.add("xl header");
    }

    @Override
    public void onImage(ImageHeader image, DomainHeader domain) {
        order.add("image header");
    }

    @Override
    public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {
        long offset = 0;
        for (int i = 0; i < count; i++) {
            long digest = 0;
            if (types[i].hasData()) {
                digest = digest(data, offset);
                offset += ScriptedDomain.PAGE;
            }
            pages.computeIfAbsent(pfns[i], p -> new ArrayList<>()).add(new Entry(types[i], digest));
        }
        if (order.isEmpty() || !order.getLast().equals("pages")) {
            order.add("pages");
        }
    }

    @Override
    public void onPlatformState(PlatformState s) {
        state = s;
        order.add("state");
    }

    @Override
    public void onEnd() {
        order.add("end");
    }

    /** The frame's last entry, or null if the stream never named it. */
    Entry last(long pfn) {
        List<Entry> e = pages.get(pfn);
        return e == null ? null : e.getLast();
    }

    /** Frames with at least one entry of {@code type}. */
    BitSet withType(PageType type) {
        BitSet b = new BitSet();
        pages.forEach((pfn, entries) -> {
            if (entries.stream().anyMatch(e -> e.type() == type)) {
                b.set(Math.toIntExact(pfn));
            }
        });
        return b;
    }

    /** How many times the frame was sent with content. */
    long sentWithData(long pfn) {
        List<Entry> e = pages.get(pfn);
        return e == null ? 0 : e.stream().filter(Entry::hasData).count();
    }
}
