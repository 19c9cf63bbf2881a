package org.sonicmigration.stream;

import static org.sonicmigration.stream.Bytes.hex;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.sonicmigration.spi.PlatformState;

/**
 * Reads and validates a migration stream as Xen 4.17 writes it for an HVM/PVH guest (and as
 * {@link StreamWriter} writes it), handing its contents to a {@link StreamSink} in stream order.
 *
 * <p>Every length and count read from the stream is checked against {@link StreamLimits} before it
 * sizes anything; PAGE_DATA contents go through one reusable buffer. Record order is enforced as Xen's
 * restorer expects it (headers first, CPU policies before STATIC_DATA_END, pages after it, END last);
 * unknown optional records are passed on, unknown mandatory ones refused. The reader reads exactly the
 * stream's bytes and no further, so the underlying stream can be used after the END record.
 */
public final class StreamReader {

    private static final String PAGE_BODY = "PAGE_DATA body";

    private final StreamInput in;
    private final StreamLimits limits;
    private final byte[] small = new byte[64];
    private byte[] pfnBytes = new byte[0];
    private long[] pfns = new long[0];
    private PageType[] types = new PageType[0];
    private byte[] pageData = new byte[0];
    private MemorySegment pageSegment = MemorySegment.ofArray(pageData);
    /** Page data read from a channel: the kernel copies into it, nothing goes through the heap. */
    private ByteBuffer directPages = ByteBuffer.allocateDirect(0);
    private boolean used;

    /** A reader of {@code in} (not closed by the reader) enforcing {@code limits}. */
    public StreamReader(InputStream in, StreamLimits limits) {
        this.in = new StreamInput(Objects.requireNonNull(in, "in"));
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Guesses the framing from the first bytes, leaving the stream where it was (mark/reset). A stream
     * that starts with neither the xl magic nor the {@code LibxlFmt} ident is reported as
     * {@link Framing#LIBXC}, whose image-header check then names what was found instead.
     */
    public static Framing detect(InputStream in) throws IOException {
        if (!in.markSupported()) {
            throw new IllegalArgumentException("framing detection needs a stream that supports mark/reset");
        }
        in.mark(16);
        byte[] b = in.readNBytes(8);
        in.reset();
        if (b.length == 8) {
            if (Arrays.equals(b, 0, 8, StreamWriter.XL_MAGIC, 0, 8)) {
                return Framing.XL;
            }
            if (Bytes.be64(b, 0) == StreamWriter.LIBXL_IDENT) {
                return Framing.LIBXL;
            }
        }
        return Framing.LIBXC;
    }

    /**
     * Reads one whole stream of the given framing, calling {@code sink} as it goes and
     * {@link StreamSink#onEnd()} after the outermost END record. A reader reads one stream.
     *
     * @throws StreamFormatException if the stream is malformed or truncated
     * @throws IOException           if the underlying stream fails
     */
    public void read(Framing framing, StreamSink sink) throws StreamFormatException, IOException {
        if (used) {
            throw new IllegalStateException("a StreamReader reads a single stream");
        }
        used = true;
        switch (framing) {
            case XL -> {
                readXlHeader(sink);
                readLibxl(sink);
            }
            case LIBXL -> readLibxl(sink);
            case LIBXC -> readLibxc(sink);
        }
        sink.onEnd();
    }

    /** Bytes consumed from the underlying stream so far. */
    public long bytesRead() {
        return in.offset();
    }

    // ---------------------------------------------------------------- xl

    private void readXlHeader(StreamSink sink) throws IOException, StreamFormatException {
        long start = in.offset();
        byte[] b = small;
        in.readFully(b, 0, 48, "xl header", null);
        String at = "xl header at offset " + start + ": ";
        if (!Arrays.equals(b, 0, 32, StreamWriter.XL_MAGIC, 0, 32)) {
            throw new StreamFormatException(at + "not an xl save file (the 32-byte magic does not match)", start, null);
        }
        int order = Bytes.le32(b, 32);
        if (order == Integer.reverseBytes(StreamWriter.XL_BYTEORDER)) {
            throw new StreamFormatException(at + "big-endian save files are not supported", start, null);
        }
        if (order != StreamWriter.XL_BYTEORDER) {
            throw new StreamFormatException(at + "byte-order word " + hex(order & 0xFFFFFFFFL)
                    + " is not 0x1020304", start, null);
        }
        int mandatory = Bytes.le32(b, 36);
        int optional = Bytes.le32(b, 40);
        long optLen = Integer.toUnsignedLong(Bytes.le32(b, 44));
        int known = XlHeader.FLAG_JSON | XlHeader.FLAG_STREAM_V2;
        if ((mandatory & ~known) != 0) {
            throw new StreamFormatException(at + "unknown mandatory flags " + hex(mandatory & ~known & 0xFFFFFFFFL),
                    start, null);
        }
        if ((mandatory & XlHeader.FLAG_STREAM_V2) == 0) {
            throw new StreamFormatException(at + "a legacy (pre stream v2) save file, not supported", start, null);
        }
        if (optional != 0) {
            throw new StreamFormatException(at + "unknown optional flags " + hex(optional & 0xFFFFFFFFL), start, null);
        }
        if (optLen > 4L + limits.maxConfigBytes()) {
            throw new StreamFormatException(at + "optional data of " + optLen + " bytes exceeds the limit of "
                    + (4L + limits.maxConfigBytes()), start, null);
        }
        String config = "";
        long rest = optLen;
        if (optLen >= 4) {
            in.readFully(b, 0, 4, "xl header optional data", null);
            rest -= 4;
            long configLen = Integer.toUnsignedLong(Bytes.le32(b, 0));
            if (configLen > rest) {
                throw new StreamFormatException(at + "config length " + configLen
                        + " exceeds the optional data (" + rest + " bytes left)", start, null);
            }
            byte[] text = in.readBody((int) configLen, "xl configuration", null);
            rest -= configLen;
            int n = text.length > 0 && text[text.length - 1] == 0 ? text.length - 1 : text.length;
            config = new String(text, 0, n, StandardCharsets.UTF_8);
        }
        in.skip(rest, "xl header optional data", null);
        sink.onXlHeader(new XlHeader(mandatory, optional, config));
    }

    // ---------------------------------------------------------------- libxl

    private void readLibxl(StreamSink sink) throws IOException, StreamFormatException {
        long start = in.offset();
        byte[] b = small;
        in.readFully(b, 0, 16, "libxl header", null);
        String at = "libxl header at offset " + start + ": ";
        long ident = Bytes.be64(b, 0);
        if (ident != StreamWriter.LIBXL_IDENT) {
            throw new StreamFormatException(at + "ident " + String.format("0x%016x", ident)
                    + " is not \"LibxlFmt\"", start, null);
        }
        int version = Bytes.be32(b, 8);
        if (version != StreamWriter.LIBXL_VERSION) {
            throw new StreamFormatException(at + "unsupported version " + Integer.toUnsignedString(version)
                    + " (expected 2)", start, null);
        }
        int options = Bytes.be32(b, 12);
        if ((options & 1) != 0) {
            throw new StreamFormatException(at + "big-endian libxl streams are not supported", start, null);
        }
        if ((options & ~3) != 0) {
            throw new StreamFormatException(at + "reserved option bits " + hex(options & ~3 & 0xFFFFFFFFL) + " set",
                    start, null);
        }
        LibxlRecords records = new LibxlRecords(sink);
        while (!records.ended) {
            RecordHeader h = readRecordHeader(RecordLayer.LIBXL, "libxl record header", sink);
            LIBXL_HANDLERS.getOrDefault(h.type(), LibxlRecords::unknown).handle(records, h);
        }
    }

    /**
     * What each libxl record type does, as Xen's restorer has one handler per record type; types not
     * listed are refused.
     */
    private static final Map<Integer, RecordHandler<LibxlRecords>> LIBXL_HANDLERS = Map.of(
            RecordTypes.LIBXL_END, LibxlRecords::end,
            RecordTypes.LIBXL_LIBXC_CONTEXT, LibxlRecords::libxcContext,
            RecordTypes.LIBXL_EMULATOR_XENSTORE_DATA, LibxlRecords::emulator,
            RecordTypes.LIBXL_EMULATOR_CONTEXT, LibxlRecords::emulator,
            RecordTypes.LIBXL_CHECKPOINT_END, LibxlRecords::checkpoint,
            RecordTypes.LIBXL_CHECKPOINT_STATE, LibxlRecords::checkpoint);

    /** The state of one libxl stream between its records. */
    private final class LibxlRecords {
        private final StreamSink sink;
        private boolean libxcSeen;
        private boolean ended;

        LibxlRecords(StreamSink sink) {
            this.sink = sink;
        }

        void end(RecordHeader h) throws StreamFormatException {
            requireEmpty(h);
            if (!libxcSeen) {
                throw h.error("the libxl stream ends without a LIBXC_CONTEXT record");
            }
            ended = true;
        }

        void libxcContext(RecordHeader h) throws IOException, StreamFormatException {
            requireEmpty(h);
            if (libxcSeen) {
                throw h.error("a second libxc stream");
            }
            libxcSeen = true;
            readLibxc(sink);
        }

        void emulator(RecordHeader h) throws IOException, StreamFormatException {
            if (h.length() < 8) {
                throw h.error("body length " + h.length() + " is shorter than its 8-byte emulator header");
            }
            EmulatorRecord record;
            try {
                record = EmulatorRecord.decode(h.type(), readBody(h));
            } catch (StreamFormatException e) {
                throw h.error(e.getMessage());
            }
            sink.onEmulatorRecord(record);
        }

        void checkpoint(RecordHeader h) throws StreamFormatException {
            throw h.error("checkpointed (Remus/COLO) streams are not supported");
        }

        void unknown(RecordHeader h) throws StreamFormatException {
            throw new StreamFormatException("unknown libxl record type " + hex(h.type() & 0xFFFFFFFFL)
                    + " at offset " + h.offset(), h.offset(), h.type());
        }
    }

    // ---------------------------------------------------------------- libxc

    private enum Phase { STATIC, PAGES, FINAL }

    private void readLibxc(StreamSink sink) throws IOException, StreamFormatException {
        long start = in.offset();
        byte[] b = small;
        in.readFully(b, 0, 24, "libxc image header", null);
        String at = "libxc image header at offset " + start + ": ";
        long marker = Bytes.be64(b, 0);
        if (marker != StreamWriter.IMAGE_MARKER) {
            throw new StreamFormatException(at + "marker " + String.format("0x%016x", marker)
                    + " is not all ones (not a migration stream, or a legacy pre-Xen-4.6 image, which is not supported)",
                    start, null);
        }
        int id = Bytes.be32(b, 8);
        if (id != StreamWriter.IMAGE_ID) {
            throw new StreamFormatException(at + "id " + hex(id & 0xFFFFFFFFL) + " is not 0x58454e46 (\"XENF\")",
                    start, null);
        }
        int version = Bytes.be32(b, 12);
        if (version != 2 && version != 3) {
            throw new StreamFormatException(at + "unsupported version " + Integer.toUnsignedString(version)
                    + " (Xen 4.17 streams are version 2 or 3)", start, null);
        }
        int options = Bytes.be16(b, 16);
        if ((options & 1) != 0) {
            throw new StreamFormatException(at + "big-endian records are not supported", start, null);
        }
        if (options != 0) {
            throw new StreamFormatException(at + "reserved option bits " + hex(options) + " set", start, null);
        }
        if (Bytes.be16(b, 18) != 0 || Bytes.be32(b, 20) != 0) {
            throw new StreamFormatException(at + "reserved fields are not zero", start, null);
        }
        long dstart = in.offset();
        in.readFully(b, 0, 16, "libxc domain header", null);
        String dat = "libxc domain header at offset " + dstart + ": ";
        int type = Bytes.le32(b, 0);
        if (type == DomainHeader.TYPE_X86_PV) {
            throw new StreamFormatException(dat + "x86 PV guests are not supported, only HVM and PVH", dstart, null);
        }
        if (type != DomainHeader.TYPE_X86_HVM) {
            throw new StreamFormatException(dat + "unknown domain type " + Integer.toUnsignedString(type), dstart, null);
        }
        int pageShift = Bytes.le16(b, 4);
        if (pageShift != DomainHeader.PAGE_SHIFT) {
            throw new StreamFormatException(dat + "page shift " + pageShift + " is not 12", dstart, null);
        }
        if (Bytes.le16(b, 6) != 0) {
            throw new StreamFormatException(dat + "reserved field is not zero", dstart, null);
        }
        sink.onImage(new ImageHeader(version, options),
                new DomainHeader(type, pageShift, Bytes.le32(b, 8), Bytes.le32(b, 12)));
        readLibxcRecords(version, sink);
    }

    private void readLibxcRecords(int version, StreamSink sink) throws IOException, StreamFormatException {
        LibxcRecords records = new LibxcRecords(version, sink);
        while (!records.ended) {
            RecordHeader h = readRecordHeader(RecordLayer.LIBXC, "libxc record header", sink);
            LIBXC_HANDLERS.getOrDefault(h.type(), LibxcRecords::other).handle(records, h);
        }
    }

    /**
     * What each libxc record type does, as Xen's restorer has one handler per record type; types not
     * listed are passed on when optional and refused when mandatory.
     */
    private static final Map<Integer, RecordHandler<LibxcRecords>> LIBXC_HANDLERS = Map.ofEntries(
            Map.entry(RecordTypes.END, LibxcRecords::end),
            Map.entry(RecordTypes.PAGE_DATA, LibxcRecords::pageData),
            Map.entry(RecordTypes.STATIC_DATA_END, LibxcRecords::staticDataEnd),
            Map.entry(RecordTypes.X86_CPUID_POLICY, LibxcRecords::cpuPolicy),
            Map.entry(RecordTypes.X86_MSR_POLICY, LibxcRecords::cpuPolicy),
            Map.entry(RecordTypes.X86_TSC_INFO, LibxcRecords::tscInfo),
            Map.entry(RecordTypes.HVM_CONTEXT, LibxcRecords::hvmContext),
            Map.entry(RecordTypes.HVM_PARAMS, LibxcRecords::hvmParams),
            Map.entry(RecordTypes.X86_PV_INFO, LibxcRecords::pvOnly),
            Map.entry(RecordTypes.X86_PV_P2M_FRAMES, LibxcRecords::pvOnly),
            Map.entry(RecordTypes.X86_PV_VCPU_BASIC, LibxcRecords::pvOnly),
            Map.entry(RecordTypes.X86_PV_VCPU_EXTENDED, LibxcRecords::pvOnly),
            Map.entry(RecordTypes.X86_PV_VCPU_XSAVE, LibxcRecords::pvOnly),
            Map.entry(RecordTypes.SHARED_INFO, LibxcRecords::pvOnly),
            Map.entry(RecordTypes.X86_PV_VCPU_MSRS, LibxcRecords::pvOnly),
            Map.entry(RecordTypes.TOOLSTACK, LibxcRecords::toolstack),
            Map.entry(RecordTypes.VERIFY, LibxcRecords::checkpoint),
            Map.entry(RecordTypes.CHECKPOINT, LibxcRecords::checkpoint),
            Map.entry(RecordTypes.CHECKPOINT_DIRTY_PFN_LIST, LibxcRecords::checkpoint));

    /** The state of one libxc stream between its records: its phase and the platform state gathered so far. */
    private final class LibxcRecords {
        private final int version;
        private final StreamSink sink;
        private Phase phase;
        private byte[] cpuid;
        private byte[] msr;
        private PlatformState.TscInfo tsc;
        private byte[] context;
        private List<PlatformState.HvmParam> params;
        private boolean ended;

        LibxcRecords(int version, StreamSink sink) {
            this.version = version;
            this.sink = sink;
            this.phase = version >= 3 ? Phase.STATIC : Phase.PAGES;
        }

        void end(RecordHeader h) throws StreamFormatException {
            requireEmpty(h);
            if (phase == Phase.STATIC) {
                throw h.error("the stream ends before STATIC_DATA_END");
            }
            String missing = tsc == null ? "X86_TSC_INFO" : context == null ? "HVM_CONTEXT"
                    : params == null ? "HVM_PARAMS" : null;
            if (missing != null) {
                throw h.error("the stream has no " + missing + " record");
            }
            sink.onPlatformState(new PlatformState(cpuid == null ? new byte[0] : cpuid,
                    msr == null ? new byte[0] : msr, tsc, context, params));
            ended = true;
        }

        void pageData(RecordHeader h) throws IOException, StreamFormatException {
            if (phase == Phase.STATIC) {
                throw h.error("page data before STATIC_DATA_END");
            }
            if (phase == Phase.FINAL) {
                throw h.error("page data after the final X86_TSC_INFO/HVM_CONTEXT/HVM_PARAMS records");
            }
            readPageData(h.offset(), h.length(), sink);
        }

        void staticDataEnd(RecordHeader h) throws StreamFormatException {
            requireVersion3(h);
            if (phase != Phase.STATIC) {
                throw h.error("a second STATIC_DATA_END");
            }
            requireEmpty(h);
            phase = Phase.PAGES;
        }

        void cpuPolicy(RecordHeader h) throws IOException, StreamFormatException {
            requireVersion3(h);
            if (phase != Phase.STATIC) {
                throw h.error("CPU policy after STATIC_DATA_END");
            }
            boolean isCpuid = h.type() == RecordTypes.X86_CPUID_POLICY;
            if ((isCpuid ? cpuid : msr) != null) {
                throw h.error("a second " + h.name() + " record");
            }
            int entry = isCpuid ? 24 : 16;
            if (h.length() == 0 || h.length() % entry != 0) {
                throw h.error("body length " + h.length() + " is not a positive multiple of " + entry);
            }
            byte[] body = readBody(h);
            if (isCpuid) {
                cpuid = body;
            } else {
                msr = body;
            }
        }

        void tscInfo(RecordHeader h) throws IOException, StreamFormatException {
            requireAfterStatic(h);
            if (tsc != null) {
                throw h.error("a second X86_TSC_INFO record");
            }
            if (h.length() != 24) {
                throw h.error("body length " + h.length() + " is not 24");
            }
            byte[] b = small;
            in.readFully(b, 0, 24, h.name() + " body", h.type());
            if (Bytes.le32(b, 20) != 0) {
                throw h.error("reserved field is not zero");
            }
            tsc = new PlatformState.TscInfo(Bytes.le32(b, 0), Bytes.le32(b, 4), Bytes.le64(b, 8), Bytes.le32(b, 16));
            phase = Phase.FINAL;
        }

        void hvmContext(RecordHeader h) throws IOException, StreamFormatException {
            requireAfterStatic(h);
            if (context != null) {
                throw h.error("a second HVM_CONTEXT record");
            }
            if (h.length() == 0) {
                throw h.error("empty HVM context");
            }
            context = readBody(h);
            phase = Phase.FINAL;
        }

        void hvmParams(RecordHeader h) throws IOException, StreamFormatException {
            requireAfterStatic(h);
            if (params != null) {
                throw h.error("a second HVM_PARAMS record");
            }
            params = readHvmParams(h);
            phase = Phase.FINAL;
        }

        void pvOnly(RecordHeader h) throws StreamFormatException {
            throw h.error("a PV-only record in an HVM stream");
        }

        void toolstack(RecordHeader h) throws StreamFormatException {
            throw h.error("the deprecated TOOLSTACK record is not supported");
        }

        void checkpoint(RecordHeader h) throws StreamFormatException {
            throw h.error("checkpointed or verify-mode streams are not supported");
        }

        /** Any other type: an optional record is passed on, a mandatory one this reader cannot restore. */
        void other(RecordHeader h) throws IOException, StreamFormatException {
            if (!RecordTypes.isOptional(h.type())) {
                throw new StreamFormatException("unknown mandatory libxc record type " + hex(h.type() & 0xFFFFFFFFL)
                        + " at offset " + h.offset(), h.offset(), h.type());
            }
            sink.onOptionalRecord(h.type(), readBody(h));
        }

        private void requireVersion3(RecordHeader h) throws StreamFormatException {
            if (version < 3) {
                throw h.error("not allowed in a version " + version + " stream");
            }
        }

        private void requireAfterStatic(RecordHeader h) throws StreamFormatException {
            if (phase == Phase.STATIC) {
                throw h.error("before STATIC_DATA_END");
            }
        }
    }

    private List<PlatformState.HvmParam> readHvmParams(RecordHeader h) throws IOException, StreamFormatException {
        int len = h.length();
        if (len < 8) {
            throw h.error("body length " + len + " is shorter than its 8-byte header");
        }
        byte[] body = readBody(h);
        long count = Integer.toUnsignedLong(Bytes.le32(body, 0));
        if (Bytes.le32(body, 4) != 0) {
            throw h.error("reserved field is not zero");
        }
        long expected = 8 + 16 * count;
        if (len != expected) {
            throw h.error("count " + count + " disagrees with body length " + len + " (expected " + expected + ")");
        }
        List<PlatformState.HvmParam> params = new ArrayList<>((int) count);
        for (int i = 0; i < count; i++) {
            params.add(new PlatformState.HvmParam(Bytes.le64(body, 8 + 16 * i), Bytes.le64(body, 16 + 16 * i)));
        }
        return params;
    }

    /** Streams one PAGE_DATA body through the reusable pfn and page buffers. */
    private void readPageData(long off, int len, StreamSink sink) throws IOException, StreamFormatException {
        int type = RecordTypes.PAGE_DATA;
        String at = "PAGE_DATA at offset " + off + ": ";
        if (len < 8) {
            throw new StreamFormatException(at + "body length " + len + " is shorter than its 8-byte header", off, type);
        }
        byte[] b = small;
        in.readFully(b, 0, 8, PAGE_BODY, type);
        long count = Integer.toUnsignedLong(Bytes.le32(b, 0));
        if (Bytes.le32(b, 4) != 0) {
            throw new StreamFormatException(at + "reserved field is not zero", off, type);
        }
        if (count == 0) {
            throw new StreamFormatException(at + "count 0", off, type);
        }
        if (count > limits.maxPagesPerRecord()) {
            throw new StreamFormatException(at + "count " + count + " exceeds the limit of "
                    + limits.maxPagesPerRecord() + " pages per record", off, type);
        }
        int n = (int) count;
        long pfnListEnd = 8 + 8 * count;
        if (len < pfnListEnd) {
            throw new StreamFormatException(at + "count " + count + " disagrees with body length " + len
                    + " (the pfn list alone needs " + pfnListEnd + ")", off, type);
        }
        ensurePfnCapacity(n);
        in.readFully(pfnBytes, 0, 8 * n, PAGE_BODY, type);
        int withData = 0;
        for (int i = 0; i < n; i++) {
            long word = Bytes.le64(pfnBytes, 8 * i);
            if ((word & PfnWord.RESERVED_MASK) != 0) {
                throw new StreamFormatException(at + "reserved bits set in pfn[" + i + "] " + hex(word), off, type);
            }
            PageType t = PageType.orNull((int) (word >>> 60));
            if (t == null) {
                throw new StreamFormatException(at + "invalid page type " + (word >>> 60) + " in pfn[" + i + "] "
                        + hex(word), off, type);
            }
            long pfn = PfnWord.pfn(word);
            if (pfn > limits.maxPfn()) {
                throw new StreamFormatException(at + "pfn[" + i + "] " + hex(pfn) + " exceeds the largest pfn "
                        + hex(limits.maxPfn()), off, type);
            }
            pfns[i] = pfn;
            types[i] = t;
            if (t.hasData()) {
                withData++;
            }
        }
        long expected = pfnListEnd + (long) StreamWriter.PAGE_SIZE * withData;
        if (len != expected) {
            throw new StreamFormatException(at + "count " + count + " disagrees with body length " + len
                    + " (expected " + expected + ")", off, type);
        }
        int dataBytes = StreamWriter.PAGE_SIZE * withData;
        if (in.direct()) {
            if (directPages.capacity() < dataBytes) {
                directPages = ByteBuffer.allocateDirect(dataBytes);
                pageSegment = MemorySegment.ofBuffer(directPages);
            }
            in.readFully(directPages.clear().limit(dataBytes), PAGE_BODY, type);
        } else {
            if (pageData.length < dataBytes) {
                pageData = new byte[dataBytes];
                pageSegment = MemorySegment.ofArray(pageData);
            }
            in.readFully(pageData, 0, dataBytes, PAGE_BODY, type);
        }
        sink.onPages(pfns, types, n, pageSegment.asSlice(0, dataBytes));
    }

    private void ensurePfnCapacity(int n) {
        if (pfns.length < n) {
            pfns = new long[n];
            types = new PageType[n];
            pfnBytes = new byte[8 * n];
        }
    }

    /**
     * Reads a record header, tells the sink, and refuses a body longer than the limits allow before
     * any handler sizes anything by it.
     */
    private RecordHeader readRecordHeader(RecordLayer layer, String what, StreamSink sink)
            throws IOException, StreamFormatException {
        long off = in.offset();
        byte[] b = small;
        in.readFully(b, 0, 8, what, null);
        int type = Bytes.le32(b, 0);
        int len = Bytes.le32(b, 4);
        sink.onRecord(layer, type, off, len);
        String name = layer == RecordLayer.LIBXL ? "libxl " + RecordTypes.libxlName(type) : RecordTypes.libxcName(type);
        RecordHeader h = new RecordHeader(off, type, len, name);
        if (Integer.toUnsignedLong(len) > limits.maxRecordBytes()) {
            throw h.error("body length " + Integer.toUnsignedString(len) + " exceeds the limit of "
                    + limits.maxRecordBytes() + " bytes");
        }
        return h;
    }

    /** A record's whole body and its padding to 8 bytes. */
    private byte[] readBody(RecordHeader h) throws IOException, StreamFormatException {
        byte[] body = in.readBody(h.length(), h.name() + " body", h.type());
        in.padding(h.length(), h.name(), h.offset(), h.type());
        return body;
    }

    private static void requireEmpty(RecordHeader h) throws StreamFormatException {
        if (h.length() != 0) {
            throw h.error("body length " + h.length() + ", expected 0");
        }
    }

    /** One record's header as read: where it starts, its type and body length, and its name for messages. */
    private record RecordHeader(long offset, int type, int length, String name) {

        StreamFormatException error(String what) {
            return new StreamFormatException(name + " at offset " + offset + ": " + what, offset, type);
        }
    }

    /** What one record type does to the state {@code S} of the stream it is in; its header has been checked. */
    @FunctionalInterface
    private interface RecordHandler<S> {
        void handle(S state, RecordHeader h) throws IOException, StreamFormatException;
    }
}
