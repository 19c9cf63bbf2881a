package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Between hosts over ssh, as {@code xl migrate} does it: {@code sonic migrate --exec 'ssh … sonic
 * migrate-receive'} against a real OpenSSH server this test starts on a high loopback port with its own
 * configuration, host key and authorized key, and with the host key checked. A key the server does not
 * know is refused in one line and the source keeps its guest. CI installs openssh-server
 * (scripts/setup.sh); without {@code /usr/sbin/sshd} the test is skipped and says why.
 */
@Timeout(300)
class SshTransportTest {
    private static final Path SSHD = Path.of("/usr/sbin/sshd");
    @TempDir
    static Path dir;
    static Process sshd;
    static int port;

    @BeforeAll
    static void startSshd() throws Exception {
        assumeTrue(Files.isExecutable(SSHD), "sshd is not installed: apt-get install openssh-server"
                + " (scripts/setup.sh installs it)");
        if ("root".equals(System.getProperty("user.name"))) {
            // sshd running as root insists on its privilege-separation directory, which only its service makes
            Files.createDirectories(Path.of("/run/sshd"));
        }
        keygen("host_key");
        keygen("user_key");
        keygen("stranger_key");
        Files.copy(dir.resolve("user_key.pub"), dir.resolve("authorized_keys"));
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("known_hosts"), "[127.0.0.1]:" + port + " "
                + Files.readString(dir.resolve("host_key.pub")));
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_key"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "PidFile " + dir.resolve("sshd.pid"),
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PubkeyAuthentication yes",
                "PermitRootLogin prohibit-password",
                "LogLevel INFO", ""));
        sshd = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        for (int i = 0; ; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                break;
            } catch (IOException e) {
                if (!sshd.isAlive() || i > 200) {
                    throw new IllegalStateException("sshd did not start: " + Files.readString(dir.resolve("sshd.log")));
                }
                Thread.sleep(50);
            }
        }
    }

    @AfterAll
    static void stopSshd() throws InterruptedException {
        if (sshd != null) {
            sshd.destroy();
            sshd.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void keygen(String name) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", dir.resolve(name).toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("ssh-keygen failed: " + out);
        }
    }

    /** The ssh command line an administrator would give, with this test's key and known hosts. */
    private static String ssh(String key) {
        return "ssh -F /dev/null -p " + port + " -i " + dir.resolve(key) + " -o IdentitiesOnly=yes -o BatchMode=yes"
                + " -o StrictHostKeyChecking=yes -o UserKnownHostsFile=" + dir.resolve("known_hosts") + " "
                + System.getProperty("user.name") + "@127.0.0.1";
    }

    @Test
    void aGuestMigratesOverSshIntoSonicMigrateReceive() throws Exception {
        Path log = dir.resolve("receiver.log");
        String remote = XlMigrateCommandTest.sonicCommand() + " migrate-receive --backend sim 2>> '" + log + "'";
        SonicCliTest.Run r = SonicCliTest.sonic("migrate", "sim-guest", "--exec", ssh("user_key") + " \"" + remote + "\"",
                "--memory", "64M", "--no-progress");
        assertThat(r.code()).as(r.err() + Files.readString(dir.resolve("sshd.log"))).isZero();
        assertThat(r.out()).contains("migration of sim-guest (backend sim): completed");
        assertThat(Files.readString(log)).contains("received sim-guest").contains("guest started");
        assertThat(Files.readString(dir.resolve("sshd.log"))).contains("Accepted publickey");
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefusedInOneLineAndTheSourceKeepsItsGuest() throws Exception {
        String remote = XlMigrateCommandTest.sonicCommand() + " migrate-receive --backend sim";
        SonicCliTest.Run r = SonicCliTest.sonic("migrate", "sim-guest", "--exec", ssh("stranger_key") + " \"" + remote + "\"",
                "--memory", "64M", "--quiet");
        assertThat(r.code()).as(r.err()).isNotZero().isNotEqualTo(2);
        List<String> lines = r.err().strip().lines().toList();
        assertThat(lines).as(r.err()).hasSize(1);
        assertThat(lines.getFirst()).contains("exited with status 255").contains("the source guest is running");
    }
}
