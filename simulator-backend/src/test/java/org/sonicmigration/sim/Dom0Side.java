package org.sonicmigration.sim;

import java.time.Duration;
import org.sonicmigration.guest.FinalRead;
import org.sonicmigration.guest.HandshakeProtocol;
import org.sonicmigration.guest.HandshakeTicket;
import org.sonicmigration.guest.HintAreaReader;
import org.sonicmigration.sim.guest.SimGuest;
import org.sonicmigration.spi.HintChannel;

/**
 * What the engine does with a hint channel on a virtual clock (SPEC.md §6.3), for the module's tests: take a
 * ticket, notify, then re-read the answer after every millisecond of guest time until it is final or the
 * deadline passes.
 */
final class Dom0Side {
    private Dom0Side() {
    }

    /** The outcome and how much guest time dom0 waited for it. */
    record Answer(FinalRead read, long waitedMillis) {
    }

    static Answer handshake(SimGuest g, HintChannel ch, Duration deadline) {
        HintAreaReader reader = new HintAreaReader(g.pfnLimit());
        HandshakeTicket ticket = reader.beginHandshake(ch.area());
        ch.notifyGuest();
        return await(g, ch, reader, ticket, deadline);
    }

    static Answer await(SimGuest g, HintChannel ch, HintAreaReader reader, HandshakeTicket ticket, Duration deadline) {
        FinalRead read = reader.readFinal(ch.area(), ticket);
        long waited = 0;
        while (HandshakeProtocol.keepWaiting(read) && waited < deadline.toMillis()) {
            g.advance(Duration.ofMillis(1));
            waited++;
            read = reader.readFinal(ch.area(), ticket);
        }
        return new Answer(read, waited);
    }
}
