package org.sonicmigration.stream;

import java.io.FileOutputStream;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.sonicmigration.spi.PlatformState;

/**
 * Writes a migration stream byte for byte as Xen 4.17's toolstack writes one for an HVM/PVH guest:
 * optional xl header, optional libxl framing, then the libxc v3 stream (headers, CPU policies,
 * STATIC_DATA_END, PAGE_DATA…, TSC, HVM context, HVM params, END).
 *
 * <p>Calls must come in stream order; a call out of order is a programming error and throws
 * {@link IllegalStateException}. I/O errors surface as {@link UncheckedIOException} because the API
 * mirrors a sequence of writes the caller already guards as a whole. The writer never buffers: each
 * record goes to {@code out} as soon as it is complete, and page contents are copied at most once
 * (not at all for heap segments backed by a {@code byte[]}, or when {@code out} is a file or a gathering channel).
 */
public final class StreamWriter implements Flushable {

    static final byte[] XL_MAGIC = "Xen saved domain, xl format\n \0 \r".getBytes(StandardCharsets.ISO_8859_1);
    static final int XL_BYTEORDER = 0x01020304;
    static final long LIBXL_IDENT = 0x4c6962786c466d74L;
    static final int LIBXL_VERSION = 2;
    static final long IMAGE_MARKER = -1L;
    static final int IMAGE_ID = 0x58454E46;
    static final int PAGE_SIZE = 4096;

    private static final int COPY_CHUNK = 1 << 20;

    private enum Phase { START, XL, LIBXL, STATIC, PAGES, FINAL, LIBXC_ENDED, DONE }

    private final OutputStream out;
    private final GatheringByteChannel channel;
    private final byte[] pageHeader = new byte[16 + 8 * StreamLimits.XEN_BATCH_PAGES];
    /** The PAGE_DATA header again, direct, for gathering writes: a heap buffer would be copied to a direct one first. */
    private ByteBuffer directHeader;
    private final ByteBuffer[] gather = new ByteBuffer[2];
    private byte[] copyBuffer;
    private Phase phase = Phase.START;
    private boolean libxl;
    private long written;

    /**
     * A writer onto {@code out}; the caller keeps ownership of {@code out} and closes it. A file, or a stream
     * that is also a {@link GatheringByteChannel} (ordered with its own stream writes), gets page data by
     * gathering writes straight from the caller's segments.
     */
    public StreamWriter(OutputStream out) {
        this.out = Objects.requireNonNull(out, "out");
        this.channel = out.getClass() == FileOutputStream.class ? ((FileOutputStream) out).getChannel()
                : out instanceof GatheringByteChannel g ? g : null;
    }

    /**
     * The xl save-file header: mandatory flags JSON + stream v2 (only stream v2 when the config is
     * empty, as xl does), and as optional data the config length (including a trailing NUL) and text.
     */
    public void writeXlHeader(String jsonConfig) {
        expect("writeXlHeader", Phase.START);
        byte[] text = jsonConfig.getBytes(StandardCharsets.UTF_8);
        int configLen = text.length == 0 ? 0 : text.length + 1;
        byte[] b = new byte[32 + 16 + 4 + configLen];
        System.arraycopy(XL_MAGIC, 0, b, 0, 32);
        Bytes.le32(b, 32, XL_BYTEORDER);
        Bytes.le32(b, 36, XlHeader.FLAG_STREAM_V2 | (configLen > 0 ? XlHeader.FLAG_JSON : 0));
        Bytes.le32(b, 40, 0);
        Bytes.le32(b, 44, 4 + configLen);
        Bytes.le32(b, 48, configLen);
        System.arraycopy(text, 0, b, 52, text.length);
        emit(b, 0, b.length);
        phase = Phase.XL;
    }

    /** The {@code LibxlFmt} v2 header (little-endian records, not converted from legacy). */
    public void writeLibxlHeader() {
        expect("writeLibxlHeader", Phase.START, Phase.XL);
        byte[] b = new byte[16];
        Bytes.be64(b, 0, LIBXL_IDENT);
        Bytes.be32(b, 8, LIBXL_VERSION);
        Bytes.be32(b, 12, 0);
        emit(b, 0, b.length);
        libxl = true;
        phase = Phase.LIBXL;
    }

    /** The libxl LIBXC_CONTEXT record (with libxl framing), then the libxc v3 image and domain headers. */
    public void beginLibxc(DomainHeader domain) {
        if (phase == Phase.XL) {
            throw new IllegalStateException("the xl header announces a v2 stream: writeLibxlHeader() must follow it");
        }
        expect("beginLibxc", Phase.START, Phase.LIBXL);
        if (domain.type() != DomainHeader.TYPE_X86_HVM || domain.pageShift() != DomainHeader.PAGE_SHIFT) {
            throw new IllegalArgumentException("only x86 HVM domains with page shift 12 are written, got " + domain);
        }
        if (libxl) {
            record(RecordTypes.LIBXL_LIBXC_CONTEXT, new byte[0]);
        }
        byte[] b = new byte[24 + 16];
        Bytes.be64(b, 0, IMAGE_MARKER);
        Bytes.be32(b, 8, IMAGE_ID);
        Bytes.be32(b, 12, ImageHeader.VERSION_3);
        // options (u16), reserved u16 and u32 stay zero: little-endian records
        Bytes.le32(b, 24, domain.type());
        Bytes.le16(b, 28, domain.pageShift());
        Bytes.le32(b, 32, domain.xenMajor());
        Bytes.le32(b, 36, domain.xenMinor());
        emit(b, 0, b.length);
        phase = Phase.STATIC;
    }

    /**
     * X86_CPUID_POLICY and X86_MSR_POLICY (each only when non-empty, as Xen does), then STATIC_DATA_END.
     */
    public void writeStaticState(PlatformState s) {
        writeStaticState(new PlatformState.CpuPolicy(s.cpuidPolicy(), s.msrPolicy()));
    }

    /** The same from the CPU policy alone, which a running domain can give. */
    public void writeStaticState(PlatformState.CpuPolicy policy) {
        expect("writeStaticState", Phase.STATIC);
        byte[] cpuid = policy.cpuid();
        byte[] msr = policy.msr();
        if (cpuid.length % 24 != 0) {
            throw new IllegalArgumentException("CPUID policy length " + cpuid.length + " is not a multiple of 24");
        }
        if (msr.length % 16 != 0) {
            throw new IllegalArgumentException("MSR policy length " + msr.length + " is not a multiple of 16");
        }
        if (cpuid.length > 0) {
            record(RecordTypes.X86_CPUID_POLICY, cpuid);
        }
        if (msr.length > 0) {
            record(RecordTypes.X86_MSR_POLICY, msr);
        }
        record(RecordTypes.STATIC_DATA_END, new byte[0]);
        phase = Phase.PAGES;
    }

    /**
     * One PAGE_DATA record.
     *
     * @param pfns  pfns of the batch (at most 52 bits)
     * @param types their page types
     * @param count number of entries, 1..1024
     * @param data  the 4096-byte pages of the entries whose type {@link PageType#hasData()}, packed in
     *              order; may be longer than needed (the rest is ignored), may be null if no type has data
     */
    public void writePages(long[] pfns, PageType[] types, int count, MemorySegment data) {
        expect("writePages", Phase.PAGES);
        if (count < 1 || count > StreamLimits.XEN_BATCH_PAGES) {
            throw new IllegalArgumentException("PAGE_DATA count must be 1..1024, got " + count);
        }
        if (pfns.length < count || types.length < count) {
            throw new IllegalArgumentException("count " + count + " exceeds the pfn or type array");
        }
        byte[] h = pageHeader;
        int withData = 0;
        for (int i = 0; i < count; i++) {
            PageType t = Objects.requireNonNull(types[i], "types[i]");
            Bytes.le64(h, 16 + 8 * i, PfnWord.encode(pfns[i], t));
            if (t.hasData()) {
                withData++;
            }
        }
        long dataBytes = (long) withData * PAGE_SIZE;
        long available = data == null ? 0 : data.byteSize();
        if (available < dataBytes) {
            throw new IllegalArgumentException(withData + " pages with data need " + dataBytes
                    + " bytes, the segment has " + available);
        }
        int headerBytes = 16 + 8 * count;
        Bytes.le32(h, 0, RecordTypes.PAGE_DATA);
        Bytes.le32(h, 4, (int) (headerBytes - 8 + dataBytes));
        Bytes.le32(h, 8, count);
        Bytes.le32(h, 12, 0);
        if (dataBytes == 0) {
            emit(h, 0, headerBytes);
        } else {
            emitPages(h, headerBytes, data, dataBytes);
        }
    }

    /** X86_TSC_INFO, HVM_CONTEXT and HVM_PARAMS, in the order Xen 4.17 writes them. */
    public void writeFinalState(PlatformState s) {
        expect("writeFinalState", Phase.PAGES);
        byte[] context = s.hvmContext();
        if (context.length == 0) {
            throw new IllegalArgumentException("HVM context must not be empty (Xen always sends one)");
        }
        PlatformState.TscInfo t = Objects.requireNonNull(s.tsc(), "tsc");
        byte[] tsc = new byte[24];
        Bytes.le32(tsc, 0, t.mode());
        Bytes.le32(tsc, 4, t.khz());
        Bytes.le64(tsc, 8, t.nsec());
        Bytes.le32(tsc, 16, t.incarnation());
        record(RecordTypes.X86_TSC_INFO, tsc);
        record(RecordTypes.HVM_CONTEXT, context);
        List<PlatformState.HvmParam> params = s.hvmParams();
        byte[] p = new byte[8 + 16 * params.size()];
        Bytes.le32(p, 0, params.size());
        for (int i = 0; i < params.size(); i++) {
            Bytes.le64(p, 8 + 16 * i, params.get(i).index());
            Bytes.le64(p, 16 + 16 * i, params.get(i).value());
        }
        record(RecordTypes.HVM_PARAMS, p);
        phase = Phase.FINAL;
    }

    /**
     * A record of ours inside the libxc stream, anywhere between {@link #beginLibxc} and {@link #endLibxc}.
     *
     * @param type a type with bit 31 set, which a stock restorer skips
     */
    public void writeOptionalRecord(int type, byte[] body) {
        expect("writeOptionalRecord", Phase.STATIC, Phase.PAGES, Phase.FINAL);
        if (!RecordTypes.isOptional(type)) {
            throw new IllegalArgumentException("record type 0x" + Integer.toHexString(type)
                    + " is not optional: bit 31 must be set");
        }
        record(type, withinXenLimit("record body", body));
    }

    /** Xen's restorer refuses a record over its limit, so ours must never write one. */
    private static byte[] withinXenLimit(String what, byte[] body) {
        if (body.length > StreamLimits.XEN_MAX_RECORD_BYTES) {
            throw new IllegalArgumentException(what + " of " + body.length + " bytes exceeds Xen's limit of "
                    + (StreamLimits.XEN_MAX_RECORD_BYTES >> 20) + " MiB");
        }
        return body;
    }

    /** The libxc END record. */
    public void endLibxc() {
        expect("endLibxc", Phase.FINAL);
        record(RecordTypes.END, new byte[0]);
        phase = libxl ? Phase.LIBXC_ENDED : Phase.DONE;
    }

    /**
     * A device model's record (an HVM guest's), after the libxc stream and before the libxl END, where
     * libxl puts them: the xenstore data first, then the context.
     */
    public void writeEmulatorRecord(EmulatorRecord r) {
        if (!libxl) {
            throw new IllegalStateException("writeEmulatorRecord() without writeLibxlHeader()");
        }
        expect("writeEmulatorRecord", Phase.LIBXC_ENDED);
        record(r.type(), withinXenLimit("emulator record", r.body()));
    }

    /** The libxl END record, closing the libxl framing. */
    public void endLibxl() {
        if (!libxl) {
            throw new IllegalStateException("endLibxl() without writeLibxlHeader()");
        }
        expect("endLibxl", Phase.LIBXC_ENDED);
        record(RecordTypes.LIBXL_END, new byte[0]);
        phase = Phase.DONE;
    }

    /** Bytes handed to the output stream so far. */
    public long bytesWritten() {
        return written;
    }

    /** Flushes the underlying stream. */
    @Override
    public void flush() throws IOException {
        out.flush();
    }

    private void expect(String call, Phase... allowed) {
        for (Phase p : allowed) {
            if (phase == p) {
                return;
            }
        }
        throw new IllegalStateException(call + "() is out of order: the stream is at " + phase);
    }

    /** Header, body and padding of one record (libxc and libxl records are framed alike). */
    private void record(int type, byte[] body) {
        int pad = Bytes.padding(body.length);
        byte[] b = new byte[8 + body.length + pad];
        Bytes.le32(b, 0, type);
        Bytes.le32(b, 4, body.length);
        System.arraycopy(body, 0, b, 8, body.length);
        emit(b, 0, b.length);
    }

    /** The failure of a write, with its cause's words: "No space left on device", a receiver's exit. */
    private UncheckedIOException writeFailed(IOException e) {
        return new UncheckedIOException("writing the migration stream failed after " + written + " bytes"
                + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
    }

    private void emit(byte[] b, int off, int len) {
        try {
            out.write(b, off, len);
            written += len;
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /** The PAGE_DATA header and pfns, then the page contents; PAGE_DATA bodies need no padding. */
    private void emitPages(byte[] header, int headerBytes, MemorySegment data, long dataBytes) {
        try {
            if (channel != null) {
                if (directHeader == null) {
                    directHeader = ByteBuffer.allocateDirect(header.length);
                }
                gather[0] = directHeader.clear().put(header, 0, headerBytes).flip();
                gather[1] = data.asSlice(0, dataBytes).asByteBuffer();
                long left = headerBytes + dataBytes;
                while (left > 0) {
                    left -= channel.write(gather);
                }
                written += headerBytes + dataBytes;
                return;
            }
            out.write(header, 0, headerBytes);
            written += headerBytes;
            if (data.heapBase().orElse(null) instanceof byte[] array) {
                // for a heap segment, address() is the offset into its array
                out.write(array, Math.toIntExact(data.address()), (int) dataBytes);
                written += dataBytes;
                return;
            }
            if (copyBuffer == null) {
                copyBuffer = new byte[COPY_CHUNK];
            }
            for (long off = 0; off < dataBytes; ) {
                int n = (int) Math.min(COPY_CHUNK, dataBytes - off);
                MemorySegment.copy(data, ValueLayout.JAVA_BYTE, off, copyBuffer, 0, n);
                out.write(copyBuffer, 0, n);
                written += n;
                off += n;
            }
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }
}
