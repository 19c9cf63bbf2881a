package org.sonicmigration.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.sonicmigration.transport.StreamDestination;

/**
 * A destination that keeps the stream in memory and confirms at once, noting the hand-over's steps in
 * the scripted domain's event list so a test sees them in order with the source's.
 */
class CapturedDestination implements StreamDestination {
    final ByteArrayOutputStream stream = new ByteArrayOutputStream();
    private final List<String> events;

    CapturedDestination(List<String> events) {
        this.events = events;
    }

    @Override
    public OutputStream open() {
        return stream;
    }

    @Override
    public void handOver() {
        throw new AssertionError("the engine hands over with its before-start step");
    }

    @Override
    public void handOver(Runnable beforeStart) throws IOException {
        events.add("confirmed");
        beforeStart.run();
        events.add("go");
    }

    @Override
    public String describe() {
        return "memory";
    }

    @Override
    public void close() {}
}
