package org.sonicmigration.xen.qmp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One QMP session with a device model: connects to its Unix-domain socket, checks the greeting,
 * leaves capabilities negotiation, then runs one command at a time and returns its {@code return}
 * value. Strict on purpose: every line must be one JSON object, an answer must carry the id of the
 * command it answers, and a reply longer than {@link #MAX_LINE} or later than the timeout ends the
 * session. Asynchronous events that arrive between answers are kept for the caller to inspect.
 * Not thread-safe: one caller at a time.
 */
public final class QmpClient implements AutoCloseable {
    /** The longest line accepted from the peer; QEMU's answers to the commands used here are tiny. */
    public static final int MAX_LINE = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final Selector selector;
    private final Path socket;
    private final Duration timeout;
    private final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<JsonNode> events = new ArrayList<>();
    private long nextId = 1;

    private QmpClient(Path socket, SocketChannel channel, Selector selector, Duration timeout) {
        this.socket = socket;
        this.channel = channel;
        this.selector = selector;
        this.timeout = timeout;
        in.flip();
    }

    /**
     * Opens a session: connects, reads the greeting and negotiates no capabilities.
     *
     * @throws QmpException the socket is missing or refuses, or the peer is not a QMP server
     */
    public static QmpClient connect(Path socket, Duration timeout) {
        SocketChannel ch;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException e) {
            throw new QmpException("cannot open a Unix-domain socket: " + e.getMessage(), e);
        }
        QmpClient c = null;
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ch.configureBlocking(false);
            Selector sel = Selector.open();
            ch.register(sel, SelectionKey.OP_READ);
            c = new QmpClient(socket, ch, sel, timeout);
            JsonNode greeting = c.readObject(System.nanoTime() + timeout.toNanos());
            if (!greeting.has("QMP")) {
                throw new QmpException("the device model's socket " + socket + " did not greet as QMP: "
                        + abbreviate(greeting.toString()));
            }
            c.execute("qmp_capabilities", null);
            return c;
        } catch (IOException e) {
            closeQuietly(c, ch);
            throw new QmpException("cannot reach the device model's QMP socket " + socket + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(c, ch);
            throw e;
        }
    }

    /**
     * Runs {@code command} and returns its {@code return} value (an empty object for commands that
     * return nothing).
     *
     * @param arguments the command's arguments, or null for none
     * @throws QmpException the device model answered with an error, broke the session or did not answer in time
     */
    public JsonNode execute(String command, ObjectNode arguments) {
        long id = nextId++;
        ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            request.set("arguments", arguments);
        }
        request.put("id", id);
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            write((JSON.writeValueAsString(request) + "\r\n").getBytes(StandardCharsets.UTF_8), deadline);
            while (true) {
                JsonNode answer = readObject(deadline);
                if (answer.has("event")) {
                    events.add(answer);
                    continue;
                }
                if (!answer.path("id").isIntegralNumber() || answer.get("id").asLong() != id) {
                    throw new QmpException("the device model answered '" + command + "' with another command's reply: "
                            + abbreviate(answer.toString()));
                }
                if (answer.has("error")) {
                    JsonNode e = answer.get("error");
                    throw new QmpException("the device model refused '" + command + "': "
                            + e.path("class").asText("?") + ": " + e.path("desc").asText(""));
                }
                if (!answer.has("return")) {
                    throw new QmpException("the device model's reply to '" + command + "' has no result: "
                            + abbreviate(answer.toString()));
                }
                return answer.get("return");
            }
        } catch (IOException e) {
            throw new QmpException("the device model's QMP socket " + socket + " failed during '" + command + "': "
                    + e.getMessage(), e);
        }
    }

    /** The asynchronous events received so far (e.g. STOP, RESUME), oldest first. */
    public List<JsonNode> events() {
        return List.copyOf(events);
    }

    /** A fresh arguments object for {@link #execute}. */
    public static ObjectNode arguments() {
        return JSON.createObjectNode();
    }

    @Override
    public void close() {
        closeQuietly(this, channel);
    }

    private void write(byte[] bytes, long deadline) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            if (channel.write(out) == 0) {
                waitFor(SelectionKey.OP_WRITE, deadline, "accepting a command");
            }
        }
    }

    private JsonNode readObject(long deadline) throws IOException {
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8).strip();
                    line.reset();
                    if (text.isEmpty()) {
                        continue;
                    }
                    return parse(text);
                }
                if (line.size() >= MAX_LINE) {
                    throw new QmpException("the device model sent a line longer than " + MAX_LINE + " bytes");
                }
                line.write(b);
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new QmpException("the device model closed its QMP socket " + socket);
            }
            if (n == 0) {
                waitFor(SelectionKey.OP_READ, deadline, "answering");
            }
        }
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new QmpException("the device model sent something other than a JSON object: " + abbreviate(text));
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new QmpException("the device model sent malformed JSON: " + abbreviate(text), e);
        }
    }

    private void waitFor(int op, long deadline, String what) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new QmpException("the device model did not finish " + what + " within " + timeout.toMillis() + " ms");
        }
        channel.keyFor(selector).interestOps(op);
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    private static void closeQuietly(QmpClient c, SocketChannel ch) {
        try {
            if (c != null) {
                c.selector.close();
            }
            ch.close();
        } catch (IOException ignored) {
            // closing a socket we are done with: nothing to report
        }
    }
}
