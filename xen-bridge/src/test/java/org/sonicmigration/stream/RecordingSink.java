package org.sonicmigration.stream;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sonicmigration.spi.PlatformState;

/** A sink that copies everything it is given, so tests can compare it with what was written. */
class RecordingSink implements StreamSink {

    /** Something the reader delivered in the body of the libxc stream. */
    sealed interface Event permits Pages, Optional {}

    record Pages(long[] pfns, PageType[] types, byte[] data) implements Event {
        @Override
        public boolean equals(Object o) {
            return o instanceof Pages p && Arrays.equals(pfns, p.pfns) && Arrays.equals(types, p.types)
                    && Arrays.equals(data, p.data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(pfns);
        }

        @Override
        public String toString() {
            return "Pages" + Arrays.toString(pfns) + Arrays.toString(types) + "/" + data.length;
        }
    }

    record Optional(int type, byte[] body) implements Event {
        @Override
        public boolean equals(Object o) {
            return o instanceof Optional p && type == p.type && Arrays.equals(body, p.body);
        }

        @Override
        public int hashCode() {
            return type;
        }

        @Override
        public String toString() {
            return "Optional[0x" + Integer.toHexString(type) + "/" + body.length + "]";
        }
    }

    XlHeader xl;
    ImageHeader image;
    DomainHeader domain;
    final List<Event> events = new ArrayList<>();
    final List<String> order = new ArrayList<>();
    PlatformState state;
    int ends;

    @Override
    public void onXlHeader(XlHeader h) {
        xl = h;
        order.add("xl");
    }

    @Override
    public void onImage(ImageHeader image, DomainHeader domain) {
        this.image = image;
        this.domain = domain;
        order.add("image");
    }

    @Override
    public void onPages(long[] pfns, PageType[] types, int count, MemorySegment data) {
        events.add(new Pages(Arrays.copyOf(pfns, count), Arrays.copyOf(types, count), data.toArray(ValueLayout.JAVA_BYTE)));
        order.add("pages");
    }

    @Override
    public void onOptionalRecord(int type, byte[] body) {
        events.add(new Optional(type, body.clone()));
        order.add("optional");
    }

    @Override
    public void onPlatformState(PlatformState s) {
        state = s;
        order.add("state");
    }

    @Override
    public void onEnd() {
        ends++;
        order.add("end");
    }
}
