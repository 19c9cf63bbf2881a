package org.sonicmigration.engine;

import org.sonicmigration.spi.Clock;
import org.sonicmigration.stream.XlConfig;
import org.sonicmigration.transport.FileDestination;
import org.sonicmigration.transport.StreamDestination;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.spi.DirtyLog;
import org.sonicmigration.spi.DomainInfo;
import org.sonicmigration.spi.HintChannel;
import org.sonicmigration.spi.PageBitmap;
import org.sonicmigration.spi.PlatformState;
import org.sonicmigration.spi.RunState;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.PageType;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamReader;
import org.sonicmigration.stream.StreamSink;
import org.sonicmigration.stream.XlHeader;

/**
 * What the engine owes a stock Xen receiver beyond pages: the toolstack's own configuration in the xl
 * header, and the source's name given up exactly between the receiver's confirmation and its permission
 * to start — never for a save file.
 */
class ToolstackHandOverTest {
    static final String LIBXL_JSON = "{\"c_info\":{\"type\":\"pvh\",\"name\":\"domu\",\"domid\":0},\"b_info\":{\"max_memkb\":256}}";
    static final MigrationOptions OPTIONS = MigrationOptions.defaults().withSoft(SoftPolicy.OFF);

    @TempDir
    Path dir;

    /** A 64-page domain that records the calls a hand-over makes. */
    static final class Source implements SourceDomain {
        @Override
        public void retainGuestRam(PageBitmap pfns) {
        }

        final Optional<String> config;
        final List<String> calls;
        RunState state = RunState.RUNNING;

        Source(Optional<String> config, List<String> calls) {
            this.config = config;
            this.calls = calls;
        }

        @Override
        public DomainInfo info() {
            return new DomainInfo(7, "domu", 64, 64, 4096, state);
        }

        @Override
        public RunState state() {
            return state;
        }

        @Override
        public void pause() {
            state = RunState.PAUSED;
        }

        @Override
        public void unpause() {
            state = RunState.RUNNING;
        }

        @Override
        public void suspend(Duration timeout) {
            state = RunState.SUSPENDED;
        }

        @Override
        public void resumeAfterSuspend() {
            calls.add("resume");
            state = RunState.RUNNING;
        }

        @Override
        public void destroy() {
            calls.add("destroy");
        }

        @Override
        public DirtyLog enableDirtyLog() {
            return new DirtyLog() {
                @Override
                public void fetchAndClean(PageBitmap into) {
                    into.clearAll();
                }

                @Override
                public void peek(PageBitmap into) {
                    into.clearAll();
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public void readFrames(long[] pfns, int count, MemorySegment dst, int[] errors) {
            for (int i = 0; i < count; i++) {
                dst.set(ValueLayout.JAVA_LONG, (long) i * 4096, pfns[i]);
                errors[i] = 0;
            }
        }

        @Override
        public PlatformState captureState() {
            return new PlatformState(new byte[24], new byte[16], new PlatformState.TscInfo(0, 1_000_000, 0, 0),
                    new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, List.of(new PlatformState.HvmParam(1, 0xfeffc)));
        }

        @Override
        public Optional<HintChannel> hintChannel() {
            return Optional.empty();
        }

        @Override
        public Optional<String> toolstackConfig() {
            return config;
        }

        @Override
        public void releaseName() {
            calls.add("release name");
        }

        @Override
        public void close() {}
    }

    /** A peer that confirms at once and records when the source let go relative to its GO message. */
    static final class Peer implements StreamDestination {
        final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        final List<String> calls;

        Peer(List<String> calls) {
            this.calls = calls;
        }

        @Override
        public OutputStream open() {
            return stream;
        }

        @Override
        public void handOver() {
            throw new AssertionError("the engine must hand over with its before-start step");
        }

        @Override
        public void handOver(Runnable beforeStart) {
            calls.add("confirmed");
            beforeStart.run();
            calls.add("go");
        }

        @Override
        public String describe() {
            return "peer";
        }

        @Override
        public void close() {}
    }

    static XlHeader header(InputStream in) throws Exception {
        XlHeader[] got = new XlHeader[1];
        new StreamReader(new BufferedInputStream(in), StreamLimits.defaults()).read(Framing.XL, new StreamSink() {
            @Override
            public void onXlHeader(XlHeader h) {
                got[0] = h;
            }

            @Override
            public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {}

            @Override
            public void onPlatformState(PlatformState s) {}
        });
        return got[0];
    }

    @Test
    void aMigrationCarriesTheToolstacksConfigAndGivesTheNameUpBetweenConfirmationAndGo() throws Exception {
        List<String> calls = new ArrayList<>();
        Peer peer = new Peer(calls);
        new PreCopyEngine(OPTIONS, Clock.SYSTEM, MigrationListener.NONE)
                .migrate(new Source(Optional.of(LIBXL_JSON), calls), "test", peer);
        assertThat(calls).containsExactly("confirmed", "release name", "go");
        assertThat(header(new java.io.ByteArrayInputStream(peer.stream.toByteArray())).jsonConfig()).isEqualTo(LIBXL_JSON);
    }

    @Test
    void aSaveFileKeepsTheNameAndWithoutAToolstackConfigCarriesTheEnginesOwn() throws Exception {
        List<String> calls = new ArrayList<>();
        Path file = dir.resolve("domu.xlsave");
        try (FileDestination out = new FileDestination(file)) {
            new PreCopyEngine(OPTIONS.withLive(false), Clock.SYSTEM, MigrationListener.NONE)
                    .migrate(new Source(Optional.empty(), calls), "test", out);
        }
        assertThat(calls).isEmpty();
        String config;
        try (InputStream in = Files.newInputStream(file)) {
            config = header(in).jsonConfig();
        }
        assertThat(config).isEqualTo(XlConfig.json(new DomainInfo(7, "domu", 64, 64, 4096, RunState.RUNNING)));
    }
}
