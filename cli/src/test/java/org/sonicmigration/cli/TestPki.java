package org.sonicmigration.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A throw-away PKI made with the JDK's own {@code keytool}, as an administrator would make one: a CA,
 * hosts whose certificates it signs (for 127.0.0.1 and localhost), a second CA nobody trusts, and a
 * self-signed impostor. Every file is PKCS#12 with {@link #PASSWORD}.
 */
final class TestPki {
    static final String PASSWORD = "sonic-test-pw";
    private final Path dir;

    TestPki(Path dir) {
        this.dir = dir;
    }

    /** CA {@code ca} and the two hosts of a migration it certifies, {@code src} and {@code dest}. */
    static TestPki sourceAndDestination(Path dir) throws IOException, InterruptedException {
        TestPki pki = new TestPki(dir);
        pki.ca("ca");
        pki.host("dest", "ca");
        pki.host("src", "ca");
        return pki;
    }

    /** A password file for {@code --tls-password-file}. */
    Path passwordFile() throws IOException {
        Path f = dir.resolve("password");
        if (!Files.exists(f)) {
            Files.writeString(f, PASSWORD + "\n");
        }
        return f;
    }

    /** Makes CA {@code ca}: its key in {@code ca.p12}, its certificate alone in the truststore {@code ca-trust.p12}. */
    void ca(String ca) throws IOException, InterruptedException {
        keytool("-genkeypair", "-keystore", ca + ".p12", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + ca, "-ext", "bc:c", "-validity", "2");
        keytool("-exportcert", "-keystore", ca + ".p12", "-alias", "ca", "-rfc", "-file", ca + ".pem");
        keytool("-importcert", "-keystore", ca + "-trust.p12", "-alias", "ca", "-file", ca + ".pem", "-noprompt");
    }

    /** Makes {@code host.p12}: a key and a certificate for 127.0.0.1/localhost that CA {@code ca} signed. */
    void host(String host, String ca) throws IOException, InterruptedException {
        genkey(host);
        keytool("-certreq", "-keystore", host + ".p12", "-alias", host, "-file", host + ".csr");
        keytool("-gencert", "-keystore", ca + ".p12", "-alias", "ca", "-infile", host + ".csr", "-outfile",
                host + ".pem", "-rfc", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2");
        Files.writeString(dir.resolve(host + "-chain.pem"),
                Files.readString(dir.resolve(host + ".pem")) + Files.readString(dir.resolve(ca + ".pem")));
        keytool("-importcert", "-keystore", host + ".p12", "-alias", host, "-file", host + "-chain.pem", "-noprompt");
    }

    /** Makes {@code host.p12} with a self-signed certificate for 127.0.0.1/localhost. */
    void selfSigned(String host) throws IOException, InterruptedException {
        genkey(host);
    }

    Path file(String name) {
        return dir.resolve(name + ".p12");
    }

    private void genkey(String host) throws IOException, InterruptedException {
        keytool("-genkeypair", "-keystore", host + ".p12", "-alias", host, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + host, "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2");
    }

    private void keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
