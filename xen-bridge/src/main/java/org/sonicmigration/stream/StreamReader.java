package org.sonicmigration.stream;

import static org.sonicmigration.stream.Bytes.hex;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
    public static Framing detect(BufferedInputStream in) throws IOException {
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
        boolean libxcSeen = false;
        while (true) {
            long off = in.offset();
            in.readFully(b, 0, 8, "libxl record header", null);
            int type = Bytes.le32(b, 0);
            int len = Bytes.le32(b, 4);
            sink.onRecord(RecordLayer.LIBXL, type, off, len);
            String name = "libxl " + RecordTypes.libxlName(type);
            checkLength(name, off, type, len);
            switch (type) {
                case RecordTypes.LIBXL_END -> {
                    requireEmpty(name, off, type, len);
                    if (!libxcSeen) {
                        throw new StreamFormatException(name + " at offset " + off
                                + ": the libxl stream ends without a LIBXC_CONTEXT record", off, type);
                    }
                    return;
                }
                case RecordTypes.LIBXL_LIBXC_CONTEXT -> {
                    requireEmpty(name, off, type, len);
                    if (libxcSeen) {
                        throw new StreamFormatException(name + " at offset " + off + ": a second libxc stream", off, type);
                    }
                    libxcSeen = true;
                    readLibxc(sink);
                }
                case RecordTypes.LIBXL_EMULATOR_XENSTORE_DATA, RecordTypes.LIBXL_EMULATOR_CONTEXT -> {
                    if (len < 8) {
                        throw new StreamFormatException(name + " at offset " + off + ": body length " + len
                                + " is shorter than its 8-byte emulator header", off, type);
                    }
                    byte[] body = in.readBody(len, name + " body", type);
                    in.padding(len, name, off, type);
                    sink.onLibxlRecord(type, body);
                }
                case RecordTypes.LIBXL_CHECKPOINT_END, RecordTypes.LIBXL_CHECKPOINT_STATE ->
                        throw new StreamFormatException(name + " at offset " + off
                                + ": checkpointed (Remus/COLO) streams are not supported", off, type);
                default -> throw new StreamFormatException("unknown libxl record type " + hex(type & 0xFFFFFFFFL)
                        + " at offset " + off, off, type);
            }
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
        Phase phase = version >= 3 ? Phase.STATIC : Phase.PAGES;
        byte[] cpuid = null;
        byte[] msr = null;
        PlatformState.TscInfo tsc = null;
        byte[] context = null;
        List<PlatformState.HvmParam> params = null;
        byte[] b = small;
        while (true) {
            long off = in.offset();
            in.readFully(b, 0, 8, "libxc record header", null);
            int type = Bytes.le32(b, 0);
            int len = Bytes.le32(b, 4);
            sink.onRecord(RecordLayer.LIBXC, type, off, len);
            String name = RecordTypes.libxcName(type);
            String at = name + " at offset " + off + ": ";
            checkLength(name, off, type, len);
            switch (type) {
                case RecordTypes.END -> {
                    requireEmpty(name, off, type, len);
                    if (phase == Phase.STATIC) {
                        throw new StreamFormatException(at + "the stream ends before STATIC_DATA_END", off, type);
                    }
                    String missing = tsc == null ? "X86_TSC_INFO" : context == null ? "HVM_CONTEXT"
                            : params == null ? "HVM_PARAMS" : null;
                    if (missing != null) {
                        throw new StreamFormatException(at + "the stream has no " + missing + " record", off, type);
                    }
                    sink.onPlatformState(new PlatformState(cpuid == null ? new byte[0] : cpuid,
                            msr == null ? new byte[0] : msr, tsc, context, params));
                    return;
                }
                case RecordTypes.PAGE_DATA -> {
                    if (phase == Phase.STATIC) {
                        throw new StreamFormatException(at + "page data before STATIC_DATA_END", off, type);
                    }
                    if (phase == Phase.FINAL) {
                        throw new StreamFormatException(at + "page data after the final X86_TSC_INFO/HVM_CONTEXT/HVM_PARAMS"
                                + " records", off, type);
                    }
                    readPageData(off, len, sink);
                }
                case RecordTypes.STATIC_DATA_END -> {
                    requireVersion3(version, name, off, type);
                    if (phase != Phase.STATIC) {
                        throw new StreamFormatException(at + "a second STATIC_DATA_END", off, type);
                    }
                    requireEmpty(name, off, type, len);
                    phase = Phase.PAGES;
                }
                case RecordTypes.X86_CPUID_POLICY, RecordTypes.X86_MSR_POLICY -> {
                    requireVersion3(version, name, off, type);
                    if (phase != Phase.STATIC) {
                        throw new StreamFormatException(at + "CPU policy after STATIC_DATA_END", off, type);
                    }
                    boolean isCpuid = type == RecordTypes.X86_CPUID_POLICY;
                    if ((isCpuid ? cpuid : msr) != null) {
                        throw new StreamFormatException(at + "a second " + name + " record", off, type);
                    }
                    int entry = isCpuid ? 24 : 16;
                    if (len == 0 || len % entry != 0) {
                        throw new StreamFormatException(at + "body length " + len + " is not a positive multiple of "
                                + entry, off, type);
                    }
                    byte[] body = in.readBody(len, name + " body", type);
                    in.padding(len, name, off, type);
                    if (isCpuid) {
                        cpuid = body;
                    } else {
                        msr = body;
                    }
                }
                case RecordTypes.X86_TSC_INFO -> {
                    requireAfterStatic(phase, at, off, type);
                    if (tsc != null) {
                        throw new StreamFormatException(at + "a second X86_TSC_INFO record", off, type);
                    }
                    if (len != 24) {
                        throw new StreamFormatException(at + "body length " + len + " is not 24", off, type);
                    }
                    in.readFully(b, 0, 24, name + " body", type);
                    if (Bytes.le32(b, 20) != 0) {
                        throw new StreamFormatException(at + "reserved field is not zero", off, type);
                    }
                    tsc = new PlatformState.TscInfo(Bytes.le32(b, 0), Bytes.le32(b, 4), Bytes.le64(b, 8),
                            Bytes.le32(b, 16));
                    phase = Phase.FINAL;
                }
                case RecordTypes.HVM_CONTEXT -> {
                    requireAfterStatic(phase, at, off, type);
                    if (context != null) {
                        throw new StreamFormatException(at + "a second HVM_CONTEXT record", off, type);
                    }
                    if (len == 0) {
                        throw new StreamFormatException(at + "empty HVM context", off, type);
                    }
                    context = in.readBody(len, name + " body", type);
                    in.padding(len, name, off, type);
                    phase = Phase.FINAL;
                }
                case RecordTypes.HVM_PARAMS -> {
                    requireAfterStatic(phase, at, off, type);
                    if (params != null) {
                        throw new StreamFormatException(at + "a second HVM_PARAMS record", off, type);
                    }
                    params = readHvmParams(off, len, at, type);
                    phase = Phase.FINAL;
                }
                case RecordTypes.X86_PV_INFO, RecordTypes.X86_PV_P2M_FRAMES, RecordTypes.X86_PV_VCPU_BASIC,
                     RecordTypes.X86_PV_VCPU_EXTENDED, RecordTypes.X86_PV_VCPU_XSAVE, RecordTypes.SHARED_INFO,
                     RecordTypes.X86_PV_VCPU_MSRS ->
                        throw new StreamFormatException(at + "a PV-only record in an HVM stream", off, type);
                case RecordTypes.TOOLSTACK ->
                        throw new StreamFormatException(at + "the deprecated TOOLSTACK record is not supported", off, type);
                case RecordTypes.VERIFY, RecordTypes.CHECKPOINT, RecordTypes.CHECKPOINT_DIRTY_PFN_LIST ->
                        throw new StreamFormatException(at + "checkpointed or verify-mode streams are not supported",
                                off, type);
                default -> {
                    if (!RecordTypes.isOptional(type)) {
                        throw new StreamFormatException("unknown mandatory libxc record type " + hex(type & 0xFFFFFFFFL)
                                + " at offset " + off, off, type);
                    }
                    byte[] body = in.readBody(len, name + " body", type);
                    in.padding(len, name, off, type);
                    sink.onOptionalRecord(type, body);
                }
            }
        }
    }

    private List<PlatformState.HvmParam> readHvmParams(long off, int len, String at, int type)
            throws IOException, StreamFormatException {
        if (len < 8) {
            throw new StreamFormatException(at + "body length " + len + " is shorter than its 8-byte header", off, type);
        }
        byte[] body = in.readBody(len, "HVM_PARAMS body", type);
        in.padding(len, "HVM_PARAMS", off, type);
        long count = Integer.toUnsignedLong(Bytes.le32(body, 0));
        if (Bytes.le32(body, 4) != 0) {
            throw new StreamFormatException(at + "reserved field is not zero", off, type);
        }
        long expected = 8 + 16 * count;
        if (len != expected) {
            throw new StreamFormatException(at + "count " + count + " disagrees with body length " + len
                    + " (expected " + expected + ")", off, type);
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
        if (pageData.length < dataBytes) {
            pageData = new byte[dataBytes];
            pageSegment = MemorySegment.ofArray(pageData);
        }
        in.readFully(pageData, 0, dataBytes, PAGE_BODY, type);
        sink.onPages(pfns, types, n, pageSegment.asSlice(0, dataBytes));
    }

    private void ensurePfnCapacity(int n) {
        if (pfns.length < n) {
            pfns = new long[n];
            types = new PageType[n];
            pfnBytes = new byte[8 * n];
        }
    }

    private void checkLength(String name, long off, int type, int len) throws StreamFormatException {
        if (Integer.toUnsignedLong(len) > limits.maxRecordBytes()) {
            throw new StreamFormatException(name + " at offset " + off + ": body length " + Integer.toUnsignedString(len)
                    + " exceeds the limit of " + limits.maxRecordBytes() + " bytes", off, type);
        }
    }

    private static void requireEmpty(String name, long off, int type, int len) throws StreamFormatException {
        if (len != 0) {
            throw new StreamFormatException(name + " at offset " + off + ": body length " + len + ", expected 0", off, type);
        }
    }

    private static void requireVersion3(int version, String name, long off, int type) throws StreamFormatException {
        if (version < 3) {
            throw new StreamFormatException(name + " at offset " + off + ": not allowed in a version " + version
                    + " stream", off, type);
        }
    }

    private static void requireAfterStatic(Phase phase, String at, long off, int type) throws StreamFormatException {
        if (phase == Phase.STATIC) {
            throw new StreamFormatException(at + "before STATIC_DATA_END", off, type);
        }
    }
}
