package org.sonicmigration.sim.experiment;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.function.UnaryOperator;

/**
 * A TCP proxy between a migration source and a receiver that damages the stream in flight: it can
 * rewrite the first bytes, cut the stream after N bytes (a clean end, as a crashed sender leaves it),
 * or kill both connections after N bytes (a dead network). Replies flow back untouched.
 */
final class FaultyLink implements AutoCloseable {
    /** What happens to the source's bytes. */
    sealed interface Fault {
        /** Rewrites the first {@code prefix} bytes (or fewer, if the stream is shorter), then forwards the rest. */
        record Rewrite(int prefix, UnaryOperator<byte[]> edit) implements Fault {}

        /** Forwards {@code bytes} bytes, then ends the stream towards the receiver and drops the rest. */
        record Truncate(long bytes) implements Fault {}

        /** Forwards {@code bytes} bytes, then resets both connections. */
        record Kill(long bytes) implements Fault {}
    }

    private final ServerSocket server;
    private final InetSocketAddress receiver;
    private final Fault fault;
    private final Thread acceptor;
    private volatile Socket up;
    private volatile Socket down;

    FaultyLink(int receiverPort, Fault fault) throws IOException {
        this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        this.receiver = new InetSocketAddress(InetAddress.getLoopbackAddress(), receiverPort);
        this.fault = fault;
        this.acceptor = Thread.ofVirtual().start(this::serve);
    }

    int port() {
        return server.getLocalPort();
    }

    private void serve() {
        try {
            Socket source = server.accept();
            Socket dest = new Socket(receiver.getAddress(), receiver.getPort());
            up = source;
            down = dest;
            Thread.ofVirtual().start(() -> pipe(dest, source));
            forward(source, dest);
        } catch (IOException e) {
            // The receiver hung up: like a router, pass the reset on so the source is not left writing into the void.
            closeQuietly(up);
            closeQuietly(down);
        }
    }

    private static void closeQuietly(Socket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            // connection gone
        }
    }

    private void forward(Socket source, Socket dest) throws IOException {
        InputStream in = source.getInputStream();
        OutputStream out = dest.getOutputStream();
        switch (fault) {
            case Fault.Rewrite(int prefix, UnaryOperator<byte[]> edit) -> {
                byte[] head = in.readNBytes(prefix);
                out.write(edit.apply(head));
                in.transferTo(out);
                dest.shutdownOutput();
            }
            case Fault.Truncate(long bytes) -> {
                copy(in, out, bytes);
                dest.shutdownOutput();
                in.transferTo(OutputStream.nullOutputStream());
            }
            case Fault.Kill(long bytes) -> {
                copy(in, out, bytes);
                source.setSoLinger(true, 0);
                dest.setSoLinger(true, 0);
                source.close();
                dest.close();
            }
        }
    }

    private static void copy(InputStream in, OutputStream out, long bytes) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = bytes;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                return;
            }
            out.write(buf, 0, n);
            left -= n;
        }
        out.flush();
    }

    /** Index of {@code pattern} in {@code data} at or after {@code from}, or -1. */
    static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : new Socket[] {up, down}) {
            if (s != null) {
                s.close();
            }
        }
        acceptor.interrupt();
    }
}
