package org.sonicmigration.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import org.sonicmigration.engine.HandshakeOutcome;
import org.sonicmigration.engine.IterationStats;
import org.sonicmigration.engine.PassKind;
import org.sonicmigration.engine.Phase;

/**
 * {@code --json}: every migration event as one JSON object on its own line of standard output, so a
 * script can follow a migration with a line reader. Every object has {@code "event"} (its kind) and
 * {@code "elapsed"} (seconds of wall-clock time since the command started); the other fields per kind
 * are listed in README's "Events (--json)" and must stay stable.
 */
final class JsonEvents implements EventSink {
    /** One object per line: never indented. */
    static final ObjectMapper LINES = new ObjectMapper();

    private final PrintWriter out;
    private final long start = System.nanoTime();
    private final boolean quiet;

    /** @param quiet only the final report goes out */
    JsonEvents(PrintWriter out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    /** A new event object of {@code kind}, its common fields set. */
    ObjectNode event(String kind) {
        ObjectNode n = LINES.createObjectNode();
        n.put("event", kind);
        n.put("elapsed", Math.round((System.nanoTime() - start) / 1e6) / 1e3);
        return n;
    }

    void emit(ObjectNode event) {
        try {
            out.println(LINES.writeValueAsString(event));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON event", e);
        }
        out.flush();
    }

    private void emitUnlessQuiet(ObjectNode event) {
        if (!quiet) {
            emit(event);
        }
    }

    @Override
    public void phase(Phase phase) {
        emitUnlessQuiet(event("phase").put("phase", phase.name()));
    }

    @Override
    public void iterationStarted(int index, PassKind kind, long candidates) {
        emitUnlessQuiet(event("pass-start").put("pass", index).put("kind", kind.name()).put("candidates", candidates));
    }

    @Override
    public void iterationFinished(IterationStats s) {
        double seconds = s.nanos() / 1e9;
        ObjectNode n = event("pass").put("pass", s.index()).put("kind", s.kind().name())
                .put("candidates", s.candidates()).put("sent", s.pagesSent()).put("noData", s.pagesNoData())
                .put("skipped", s.skipped()).put("bytes", s.bytes()).put("seconds", seconds);
        if (s.kind() == PassKind.LIVE) {
            n.put("dirty", s.dirtyAfter()).put("dirtyPagesPerSecond", seconds > 0 ? s.dirtyAfter() / seconds : 0);
        } else {
            n.putNull("dirty").putNull("dirtyPagesPerSecond");
        }
        emitUnlessQuiet(n);
    }

    @Override
    public void handshake(HandshakeOutcome h) {
        emitUnlessQuiet(event("handshake").put("finalSet", h.finalSet()).put("finalSoftPages", h.finalSoftPages())
                .put("millis", h.nanos() / 1e6).put("summary", h.summary()));
    }

    @Override
    public void fallback(String reason) {
        emitUnlessQuiet(event("fallback").put("reason", reason));
    }

    @Override
    public void notice(String message) {
        emitUnlessQuiet(event("notice").put("message", message));
    }

    /** The last line of a run: the whole report. */
    void report(RunReport run) {
        ObjectNode n = event("report");
        n.setAll((ObjectNode) PrettyJson.MAPPER.valueToTree(run));
        emit(n);
    }
}
