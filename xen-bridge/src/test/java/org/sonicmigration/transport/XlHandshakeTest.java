package org.sonicmigration.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class XlHandshakeTest {

    @Test
    void messagesHaveXlsExactBytes() {
        // xl sends the banner without its NUL and the other messages with it (sizeof of a C string).
        assertThat(XlHandshake.BANNER).hasSize(54);
        assertThat(XlHandshake.RECEIVED).hasSize(34).endsWith(0);
        assertThat(XlHandshake.PERMISSION_TO_GO).hasSize(44).endsWith(0);
        assertThat(XlHandshake.REPORT).hasSize(39).endsWith(0);
    }

    @Test
    void anExpectedMessagePasses() throws IOException {
        XlHandshake.expect(new ByteArrayInputStream(XlHandshake.RECEIVED), XlHandshake.RECEIVED, "confirmation");
    }

    @Test
    void thePeersReasonIsShownWhenItRefuses() throws IOException {
        ByteArrayOutputStream peer = new ByteArrayOutputStream();
        XlHandshake.sendError(peer, "PAGE_DATA at offset 4096: count 3 disagrees with body length 40");
        assertThatThrownBy(() -> XlHandshake.expect(new ByteArrayInputStream(peer.toByteArray()),
                XlHandshake.RECEIVED, "confirmation"))
                .isInstanceOfSatisfying(PeerRefusedException.class, r -> assertThat(r.reason())
                        .isEqualTo("PAGE_DATA at offset 4096: count 3 disagrees with body length 40"))
                .hasMessage("peer refused: PAGE_DATA at offset 4096: count 3 disagrees with body length 40");
    }

    @Test
    void anEarlyEndIsNamed() {
        assertThatThrownBy(() -> XlHandshake.expect(new ByteArrayInputStream(new byte[3]), XlHandshake.RECEIVED,
                "receiver's confirmation"))
                .hasMessageContaining("closed the connection while we waited for the receiver's confirmation");
    }

    @Test
    void garbageIsShownPrintably() {
        byte[] junk = "HTTP/1.1 400 Bad Request\r\n\r\n......".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> XlHandshake.expect(new ByteArrayInputStream(junk), XlHandshake.RECEIVED, "confirmation"))
                .hasMessageContaining("HTTP/1.1 400");
    }
}
