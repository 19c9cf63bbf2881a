package org.sonicmigration.xen.qmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QMP client against a scripted device model on a real Unix-domain socket: the commands a
 * migration sends, in order and with their arguments, and each way a device model can fail the
 * session, each a one-line {@link QmpException}.
 */
class QmpClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GREETING = "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, \"capabilities\": []}}";

    @TempDir
    Path dir;

    private final List<JsonNode> received = new CopyOnWriteArrayList<>();
    private Thread server;

    /** A device model that greets with {@code greeting} and answers each command line through {@code answer}. */
    private Path deviceModel(String greeting, Function<JsonNode, String> answer) throws IOException {
        Path socket = dir.resolve("qmp-libxl-7");
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(socket));
        server = Thread.ofVirtual().start(() -> {
            try (listener; SocketChannel c = listener.accept()) {
                OutputStream out = Channels.newOutputStream(c);
                BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(c), StandardCharsets.UTF_8));
                out.write((greeting + "\r\n").getBytes(StandardCharsets.UTF_8));
                for (String line; (line = in.readLine()) != null; ) {
                    JsonNode cmd = JSON.readTree(line);
                    received.add(cmd);
                    String reply = answer.apply(cmd);
                    if (reply == null) {
                        return;
                    }
                    out.write(reply.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // the client went away: the test decides what that means
            }
        });
        return socket;
    }

    private static String ok(JsonNode cmd) {
        return "{\"return\": {}, \"id\": " + cmd.get("id") + "}\r\n";
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        if (server != null) {
            server.join(5000);
        }
    }

    @Test
    void aMigrationsCommandsReachTheDeviceModelInOrderWithTheirArguments() throws IOException {
        Path socket = deviceModel(GREETING, cmd -> cmd.get("execute").asText().equals("stop")
                ? "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"STOP\"}\r\n" + ok(cmd)
                : ok(cmd));
        try (DeviceModel dm = DeviceModel.open(socket, Duration.ofSeconds(5))) {
            dm.globalDirtyLog(true);
            dm.stop();
            dm.saveDeviceState(Path.of("/var/lib/xen/qemu-save.7"), true);
            dm.resume();
            dm.globalDirtyLog(false);
        }
        assertThat(received).extracting(n -> n.get("execute").asText()).containsExactly("qmp_capabilities",
                "xen-set-global-dirty-log", "stop", "xen-save-devices-state", "cont", "xen-set-global-dirty-log");
        assertThat(received.get(1).at("/arguments/enable").asBoolean()).isTrue();
        assertThat(received.get(3).at("/arguments/filename").asText()).isEqualTo("/var/lib/xen/qemu-save.7");
        assertThat(received.get(3).at("/arguments/live").asBoolean()).isTrue();
        assertThat(received.get(5).at("/arguments/enable").asBoolean()).isFalse();
    }

    @Test
    void anEventBetweenCommandAndAnswerIsKeptNotTakenForTheAnswer() throws IOException {
        Path socket = deviceModel(GREETING, cmd -> cmd.get("execute").asText().equals("stop")
                ? "{\"event\": \"STOP\"}\r\n" + ok(cmd) : ok(cmd));
        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
            assertThat(qmp.execute("stop", null).isObject()).isTrue();
            assertThat(qmp.events()).extracting(e -> e.get("event").asText()).containsExactly("STOP");
        }
    }

    @Test
    void aRefusedCommandNamesQemusErrorClassAndDescription() throws IOException {
        Path socket = deviceModel(GREETING, cmd -> cmd.get("execute").asText().equals("xen-save-devices-state")
                ? "{\"error\": {\"class\": \"GenericError\", \"desc\": \"failed to open file\"}, \"id\": " + cmd.get("id") + "}\r\n"
                : ok(cmd));
        try (DeviceModel dm = DeviceModel.open(socket, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> dm.saveDeviceState(Path.of("/nowhere/x"), false))
                    .isInstanceOf(QmpException.class)
                    .hasMessage("the device model refused 'xen-save-devices-state': GenericError: failed to open file");
        }
    }

    @Test
    void aPeerThatIsNotQmpIsRefusedAtTheGreeting() throws IOException {
        Path socket = deviceModel("{\"hello\": 1}", QmpClientTest::ok);
        assertThatThrownBy(() -> QmpClient.connect(socket, Duration.ofSeconds(5)))
                .isInstanceOf(QmpException.class).hasMessageContaining("did not greet as QMP");
    }

    @Test
    void malformedJsonAndAnswersToOtherCommandsEndTheSession() throws IOException {
        Path garbled = deviceModel(GREETING, cmd -> cmd.get("execute").asText().equals("stop") ? "{not json\r\n" : ok(cmd));
        try (QmpClient qmp = QmpClient.connect(garbled, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> qmp.execute("stop", null)).isInstanceOf(QmpException.class)
                    .hasMessageContaining("malformed JSON");
        }
    }

    @Test
    void anAnswerWithAnotherIdIsNotTakenAsThisCommandsAnswer() throws IOException {
        Path socket = deviceModel(GREETING, cmd -> cmd.get("execute").asText().equals("cont")
                ? "{\"return\": {}, \"id\": 999}\r\n" : ok(cmd));
        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> qmp.execute("cont", null)).isInstanceOf(QmpException.class)
                    .hasMessageContaining("another command's reply");
        }
    }

    @Test
    void aDeviceModelThatNeverAnswersTimesOutAndOneThatHangsUpIsNamed() throws IOException {
        Path silent = deviceModel(GREETING, cmd -> cmd.get("execute").asText().equals("stop") ? "" : ok(cmd));
        try (QmpClient qmp = QmpClient.connect(silent, Duration.ofMillis(300))) {
            assertThatThrownBy(() -> qmp.execute("stop", null)).isInstanceOf(QmpException.class)
                    .hasMessage("the device model did not finish answering within 300 ms");
        }
        server.interrupt();
    }

    @Test
    void aHangUpAndAMissingSocketAreOneLineEach() throws IOException {
        Path socket = deviceModel(GREETING, cmd -> cmd.get("execute").asText().equals("stop") ? null : ok(cmd));
        try (QmpClient qmp = QmpClient.connect(socket, Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> qmp.execute("stop", null)).isInstanceOf(QmpException.class)
                    .hasMessageContaining("closed its QMP socket");
        }
        assertThatThrownBy(() -> QmpClient.connect(dir.resolve("qmp-libxl-99"), Duration.ofSeconds(1)))
                .isInstanceOf(QmpException.class).hasMessageContaining("cannot reach the device model's QMP socket");
    }

    @Test
    void libxlsPathsForADomain() {
        assertThat(DeviceModel.socketOf(12)).isEqualTo(Path.of("/var/run/xen/qmp-libxl-12"));
        assertThat(DeviceModel.saveFileOf(12)).isEqualTo(Path.of("/var/lib/xen/qemu-save.12"));
    }
}
