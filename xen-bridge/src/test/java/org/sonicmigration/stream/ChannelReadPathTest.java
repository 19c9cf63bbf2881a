package org.sonicmigration.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.sonicmigration.transport.ChannelInputStream;

/**
 * The receiver reads a plaintext socket through its channel (page data straight into a direct buffer)
 * and everything else through a stream. Both paths must accept and refuse exactly the same bytes with
 * exactly the same result: every stream of the fuzz corpus, valid streams in each framing, and those
 * streams cut short and with bytes flipped, sent over a real loopback socket in odd-sized pieces so
 * that reads end in the middle of headers and pages. A silent peer must still time out.
 */
class ChannelReadPathTest {

    @Test
    void theChannelPathReadsEveryStreamAsTheStreamPathDoes() throws Exception {
        List<byte[]> inputs = new ArrayList<>();
        try (Stream<Path> corpus = Files.list(Path.of("src/test/resources/org/sonicmigration/stream/"
                + "StreamReaderFuzzTestInputs/streamReader"))) {
            for (Path p : corpus.sorted().toList()) {
                inputs.add(Files.readAllBytes(p));
            }
        }
        var state = Fixtures.xenLikeState();
        List<byte[]> valid = List.of(Fixtures.smallStream(Framing.XL, state), Fixtures.smallStream(Framing.LIBXL, state),
                Fixtures.smallStream(Framing.LIBXC, state), Fixtures.xenLikeSave(0x1800, Fixtures.pvhPopulated(5000), state));
        SplittableRandom random = new SplittableRandom(16);
        for (byte[] v : valid) {
            inputs.add(v);
            for (int i = 0; i < 6; i++) {
                inputs.add(java.util.Arrays.copyOf(v, random.nextInt(v.length)));
                byte[] flipped = v.clone();
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                inputs.add(flipped);
            }
        }
        int accepted = 0;
        for (int i = 0; i < inputs.size(); i++) {
            byte[] input = inputs.get(i);
            String heap = outcome(new BufferedInputStream(new ByteArrayInputStream(input)));
            String channel = overSocket(input, 1 + random.nextInt(9000), in -> outcome(in));
            assertEquals(heap, channel, "input " + i + " (" + input.length + " bytes)");
            accepted += heap.startsWith("accepted") ? 1 : 0;
        }
        assertTrue(accepted >= valid.size(), "the valid streams are accepted on both paths: " + accepted);
    }

    @Test
    void theBytesAfterTheStreamStayReadableOnTheChannelPath() throws Exception {
        byte[] stream = Fixtures.smallStream(Framing.XL, Fixtures.xenLikeState());
        byte[] trailer = "go\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String after = overSocket(Fixtures.concat(stream, trailer), 777, in -> {
            new StreamReader(in, StreamLimits.defaults()).read(StreamReader.detect(in), new RecordingSink());
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        });
        assertEquals("go\n", after);
    }

    @Test
    void aSilentSourceTimesOutOnTheChannelPath() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel source = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept()) {
                byte[] stream = Fixtures.smallStream(Framing.XL, Fixtures.xenLikeState());
                source.write(ByteBuffer.wrap(stream, 0, stream.length / 2));
                ChannelInputStream in = new ChannelInputStream(accepted, Duration.ofMillis(300));
                assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(SocketTimeoutException.class,
                        () -> new StreamReader(in, StreamLimits.defaults()).read(StreamReader.detect(in),
                                new RecordingSink())));
                // The input is shut, not the socket: the receiver can still tell the source why.
                source.configureBlocking(true);
                accepted.write(ByteBuffer.wrap(new byte[] {1}));
                assertEquals(1, source.read(ByteBuffer.allocate(1)));
            }
        }
    }

    @FunctionalInterface
    private interface Reading<T> {
        T read(InputStream in) throws Exception;
    }

    /** Sends {@code input} in pieces of {@code piece} bytes over loopback and reads it with a {@link ChannelInputStream}. */
    private static <T> T overSocket(byte[] input, int piece, Reading<T> reading) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            Thread sender = Thread.ofPlatform().start(() -> {
                try (SocketChannel out = SocketChannel.open(server.getLocalAddress())) {
                    out.socket().setTcpNoDelay(true);
                    for (int off = 0; off < input.length; off += piece) {
                        ByteBuffer b = ByteBuffer.wrap(input, off, Math.min(piece, input.length - off));
                        while (b.hasRemaining()) {
                            out.write(b);
                        }
                    }
                } catch (IOException e) {
                    // the reader refused early and closed: what it read decides the outcome
                }
            });
            try (SocketChannel accepted = server.accept();
                 ChannelInputStream in = new ChannelInputStream(accepted, Duration.ofSeconds(30))) {
                return reading.read(in);
            } finally {
                sender.join();
            }
        }
    }

    private static String describe(org.sonicmigration.spi.PlatformState s) {
        return s == null ? "no state" : java.util.Arrays.hashCode(s.cpuidPolicy()) + "/" + java.util.Arrays.hashCode(s.msrPolicy())
                + "/" + s.tsc() + "/" + java.util.Arrays.hashCode(s.hvmContext()) + "/" + s.hvmParams();
    }

    /** "accepted" and what the sink saw, or the refusal's message. */
    private static String outcome(InputStream in) throws IOException {
        RecordingSink sink = new RecordingSink();
        try {
            StreamReader reader = new StreamReader(in, StreamLimits.defaults());
            reader.read(StreamReader.detect(in), sink);
            return "accepted " + reader.bytesRead() + " " + sink.order + " " + sink.events + " "
                    + sink.events.stream().mapToInt(e -> e instanceof RecordingSink.Pages p
                            ? java.util.Arrays.hashCode(p.data()) : 0).sum() + " " + describe(sink.state);
        } catch (StreamFormatException e) {
            return "refused " + e.getMessage();
        }
    }
}
