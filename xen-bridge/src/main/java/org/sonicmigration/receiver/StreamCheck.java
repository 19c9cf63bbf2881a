package org.sonicmigration.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.stream.DomainHeader;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.ImageHeader;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.RecordLayer;
import org.sonicmigration.stream.StreamFormatException;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.stream.StreamSink;
import org.sonicmigration.stream.XlHeader;

/**
 * Checks a stream exactly as {@link Receiver} restores it, but builds nothing: the same reader and
 * limits and the same domain-building checks (a frame beyond the configured memory, a configuration
 * that claims too much memory or is not JSON, pages or state before any domain) run against a target
 * that stores nothing. It is what {@code sonic restore --dry-run} runs, so a dry run refuses what a
 * restore refuses, with the same message, without a second copy of the rules.
 */
public final class StreamCheck {

    /**
     * What the stream would build.
     *
     * @param pagesWithData  frames that would be filled with content
     * @param pagesAllocated frames that would be allocated without content
     * @param holes          entries that name no frame
     * @param pfnLimit       the frame space the domain would get from its configuration
     * @param bytes          stream bytes read
     */
    public record Result(long pagesWithData, long pagesAllocated, long holes, long pfnLimit, long bytes) {}

    private StreamCheck() {}

    /**
     * Reads and checks one stream, telling {@code observer} (e.g. a summary) everything the reader finds.
     *
     * @throws StreamFormatException the stream is malformed
     * @throws ReceiveException      the stream is well-formed but a restore would refuse it
     */
    public static Result check(InputStream in, Framing framing, StreamLimits limits, StreamSink observer)
            throws IOException, StreamFormatException {
        Nowhere nowhere = new Nowhere();
        DomainBuilder builder = new DomainBuilder(nowhere, null);
        StreamReader reader = new StreamReader(in, limits);
        reader.read(framing, new Both(builder, observer));
        builder.finish();
        return new Result(builder.pagesWithData, builder.pagesAllocated, builder.holes, nowhere.pfnLimit,
                reader.bytesRead());
    }

    /** Tells the domain builder first (so a refusal stops the stream there), then the observer. */
    private record Both(StreamSink builder, StreamSink observer) implements StreamSink {
        @Override
        public void onXlHeader(XlHeader h) {
            builder.onXlHeader(h);
            observer.onXlHeader(h);
        }

        @Override
        public void onImage(ImageHeader image, DomainHeader domain) {
            builder.onImage(image, domain);
            observer.onImage(image, domain);
        }

        @Override
        public void onRecord(RecordLayer layer, int type, long offset, int bodyLength) {
            builder.onRecord(layer, type, offset, bodyLength);
            observer.onRecord(layer, type, offset, bodyLength);
        }

        @Override
        public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {
            builder.onPages(pfns, types, count, data);
            observer.onPages(pfns, types, count, data);
        }

        @Override
        public void onOptionalRecord(int type, byte[] body) {
            builder.onOptionalRecord(type, body);
            observer.onOptionalRecord(type, body);
        }

        @Override
        public void onEmulatorRecord(org.sonicmigration.stream.EmulatorRecord record) {
            builder.onEmulatorRecord(record);
            observer.onEmulatorRecord(record);
        }

        @Override
        public void onPlatformState(PlatformState s) {
            builder.onPlatformState(s);
            observer.onPlatformState(s);
        }

        @Override
        public void onEnd() {
            builder.onEnd();
            observer.onEnd();
        }
    }

    /** A host that can only create targets, and targets that keep nothing: all a check needs. */
    private static final class Nowhere implements Hypervisor {
        long pfnLimit;

        @Override
        public String backendName() {
            return "dry-run";
        }

        @Override
        public List<DomainInfo> listDomains() {
            return List.of();
        }

        @Override
        public SourceDomain openSource(DomainRef ref) {
            throw new UnsupportedOperationException("a dry run has no source domains");
        }

        @Override
        public TargetDomain createTarget(DomainSpec spec) {
            pfnLimit = spec.pfnLimit();
            return new Discarding(spec);
        }

        @Override
        public void close() {}
    }

    /** A target that stores nothing. */
    private record Discarding(DomainSpec spec) implements TargetDomain {
        @Override
        public DomainInfo info() {
            return new DomainInfo(0, spec.name(), spec.pfnLimit(), 0, spec.pageSize(), RunState.PAUSED);
        }

        @Override
        public void writeFrames(long[] pfns, int count, MemorySegment src) {}

        @Override
        public void populate(long[] pfns, int count) {}

        @Override
        public void restoreState(PlatformState state) {}

        @Override
        public void restoreDeviceModel(org.sonicmigration.spi.DeviceModelState state) {}

        @Override
        public void unpause() {}

        @Override
        public void destroy() {}

        @Override
        public void close() {}
    }
}
