package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sonic receive} and {@code sonic migrate} as an administrator runs them: the receiver listens on
 * loopback unless given an address, plaintext elsewhere needs {@code --insecure} on both ends, TLS options
 * that cannot work are one line, and a TLS pair of commands moves a guest while a plaintext source is told
 * in one line why it was refused.
 */
@Timeout(300)
class ReceiverSecurityTest {
    private static final Pattern LISTENING = Pattern.compile("listening on ([0-9.]+):([0-9]+), (\\S+)");
    @TempDir
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void makePki() throws Exception {
        pki = TestPki.sourceAndDestination(dir);
    }

    /** A {@code sonic receive} running in the background, with its output as it appears. */
    record Background(CompletableFuture<Integer> code, StringWriter out, StringWriter err) {
        Matcher listening() throws InterruptedException {
            for (int i = 0; i < 600; i++) {
                Matcher m = LISTENING.matcher(out.toString());
                if (m.find()) {
                    return m;
                }
                if (code.isDone()) {
                    break;
                }
                Thread.sleep(50);
            }
            throw new AssertionError("the receiver did not say where it listens: " + out + err);
        }
    }

    static Background receive(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var code = CompletableFuture.supplyAsync(() -> Sonic.run(args, new PrintWriter(out, true),
                new PrintWriter(err, true)));
        return new Background(code, out, err);
    }

    static String[] tls(String host) throws Exception {
        return new String[] {"--tls-keystore", pki.file(host).toString(), "--tls-truststore",
                pki.file("ca-trust").toString(), "--tls-password-file", pki.passwordFile().toString()};
    }

    static String[] concat(String[] a, String... b) {
        String[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void aPortAloneListensOnLoopbackOnly() throws Exception {
        for (String listen : new String[] {"0", ":0"}) {
            Background r = receive("receive", "--listen", listen, "--backend", "sim", "--accept-timeout", "1s");
            Matcher m = r.listening();
            assertThat(m.group(1)).as(listen).isEqualTo("127.0.0.1");
            assertThat(m.group(3)).isEqualTo("plaintext");
            assertThat(r.code().get(30, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(r.err().toString().strip()).isEqualTo("sonic: no source connected within 1 s");
        }
    }

    @Test
    void plaintextBeyondLoopbackNeedsInsecureOnBothEnds() throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("receive", "--listen", "0.0.0.0:0", "--backend", "sim");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip()).doesNotContain("\n").startsWith("sonic receive: will not listen in plaintext on"
                + " 0.0.0.0, which is not loopback").contains("--insecure");

        Background insecure = receive("receive", "--listen", "0.0.0.0:0", "--insecure", "--backend", "sim",
                "--accept-timeout", "1s");
        assertThat(insecure.listening().group(1)).isEqualTo("0.0.0.0");
        assertThat(insecure.code().get(30, TimeUnit.SECONDS)).isEqualTo(1);

        SonicCliTest.Run send = SonicCliTest.sonic("migrate", "sim-guest", "192.0.2.1:8002", "--memory", "64M");
        assertThat(send.code()).isEqualTo(2);
        assertThat(send.err().strip()).doesNotContain("\n").startsWith("sonic migrate: will not send guest memory in"
                + " plaintext to 192.0.2.1, which is not loopback").contains("--exec 'ssh 192.0.2.1 sonic migrate-receive'");
    }

    @Test
    void tlsOptionsThatCannotWorkAreOneLine() throws Exception {
        Path wrong = dir.resolve("wrong-password");
        Files.writeString(wrong, "not-it\n");
        String ks = pki.file("dest").toString();
        String ts = pki.file("ca-trust").toString();
        String pw = pki.passwordFile().toString();
        String[][] cases = {
                {"--tls-keystore and --tls-truststore go together", "--tls-keystore", ks},
                {"--tls-keystore " + ks + ": cannot open it as a PKCS#12 keystore with the given password",
                        "--tls-keystore", ks, "--tls-truststore", ts, "--tls-password-file", wrong.toString()},
                {"--tls-truststore " + dir.resolve("nope.p12") + ": no such file", "--tls-keystore", ks,
                        "--tls-truststore", dir.resolve("nope.p12").toString(), "--tls-password-file", pw},
                {"--tls-keystore " + pki.file("ca-trust") + " holds no private key", "--tls-keystore", ts,
                        "--tls-truststore", ts, "--tls-password-file", pw},
                {"--insecure is for plaintext; drop it when using TLS", "--tls-keystore", ks, "--tls-truststore", ts,
                        "--tls-password-file", pw, "--insecure"},
                {"the PKCS#12 password is missing: give --tls-password-file FILE or set SONIC_TLS_PASSWORD",
                        "--tls-keystore", ks, "--tls-truststore", ts},
        };
        var saved = LinkOptions.environment;
        LinkOptions.environment = name -> null;
        try {
            for (String[] c : cases) {
                String[] args = concat(new String[] {"receive", "--listen", "0", "--backend", "sim"},
                        java.util.Arrays.copyOfRange(c, 1, c.length));
                SonicCliTest.Run r = SonicCliTest.sonic(args);
                assertThat(r.code()).as(String.join(" ", args) + r.err()).isEqualTo(2);
                assertThat(r.err().strip()).as(r.err()).doesNotContain("\n").startsWith("sonic receive: " + c[0]);
            }
        } finally {
            LinkOptions.environment = saved;
        }
    }

    @Test
    void thePasswordCanComeFromTheEnvironment() throws Exception {
        var saved = LinkOptions.environment;
        LinkOptions.environment = name -> name.equals(LinkOptions.PASSWORD_ENV) ? TestPki.PASSWORD : null;
        try {
            Background r = receive("receive", "--listen", "0", "--backend", "sim", "--accept-timeout", "1s",
                    "--tls-keystore", pki.file("dest").toString(), "--tls-truststore", pki.file("ca-trust").toString());
            assertThat(r.listening().group(3)).isEqualTo("TLS");
            assertThat(r.code().get(30, TimeUnit.SECONDS)).isEqualTo(1);
        } finally {
            LinkOptions.environment = saved;
        }
    }

    @Test
    void aTlsPairMovesTheGuestAndAPlaintextSourceIsRefusedInOneLine() throws Exception {
        Background receiver = receive(concat(new String[] {"receive", "--listen", "0", "--backend", "sim",
                "--accept-timeout", "2m"}, tls("dest")));
        Matcher m = receiver.listening();
        assertThat(m.group(3)).isEqualTo("TLS");
        String target = "127.0.0.1:" + m.group(2);

        SonicCliTest.Run plain = SonicCliTest.sonic("migrate", "sim-guest", target, "--memory", "64M", "--quiet");
        assertThat(plain.code()).as(plain.err()).isNotZero().isNotEqualTo(2);
        List<String> lines = plain.err().strip().lines().toList();
        assertThat(lines).as(plain.err()).hasSize(1);
        assertThat(lines.getFirst()).contains("this receiver takes TLS connections only")
                .contains("the source guest is running").doesNotContain("Exception");
        assertThat(receiver.code()).isNotDone();

        SonicCliTest.Run secure = SonicCliTest.sonic(concat(new String[] {"migrate", "sim-guest", target, "--memory",
                "64M", "--quiet"}, tls("src")));
        assertThat(secure.code()).as(secure.err()).isZero();
        assertThat(receiver.code().get(60, TimeUnit.SECONDS)).as(receiver.err().toString()).isZero();
        assertThat(receiver.out().toString()).contains("received sim-guest").contains("guest started");
    }
}
