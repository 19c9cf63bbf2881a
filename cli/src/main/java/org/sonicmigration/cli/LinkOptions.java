package org.sonicmigration.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.sonicmigration.transport.LinkSecurity;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * How the sonic-to-sonic TCP link is protected, and the rule that keeps a guest's memory off the network
 * in plaintext: TLS 1.3 with mutual authentication from PKCS#12 files, or plaintext on loopback, or
 * plaintext elsewhere only with {@code --insecure}. Shared by {@code sonic receive} and {@code sonic migrate}
 * so both ends take the same options.
 */
final class LinkOptions {
    static final String PASSWORD_ENV = "SONIC_TLS_PASSWORD";
    /** Where the password comes from when no file is given; tests replace it. */
    static UnaryOperator<String> environment = System::getenv;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "PKCS#12 file with this host's private key and certificate: use TLS 1.3 with mutual"
                    + " authentication (needs --tls-truststore).")
    Path keystore;

    @Option(names = "--tls-truststore", paramLabel = "FILE",
            description = "PKCS#12 file with the CA certificate(s) the other end's certificate must be signed by.")
    Path truststore;

    @Option(names = "--tls-password-file", paramLabel = "FILE",
            description = "File whose first line is the password of both PKCS#12 files (default: the environment"
                    + " variable " + PASSWORD_ENV + "). Never given on the command line.")
    Path passwordFile;

    @Option(names = "--insecure",
            description = "Allow plaintext, unauthenticated TCP on an address other than loopback.")
    boolean insecure;

    /** Which end of the link a command is, for its messages. */
    enum Side { RECEIVER, SENDER }

    /**
     * The link's protection for {@code address}, or a usage error saying what to do.
     */
    LinkSecurity security(InetSocketAddress address, Side side, CommandLine cl) {
        if ((keystore == null) != (truststore == null)) {
            throw new CommandLine.ParameterException(cl, "--tls-keystore and --tls-truststore go together");
        }
        if (keystore != null) {
            if (insecure) {
                throw new CommandLine.ParameterException(cl, "--insecure is for plaintext; drop it when using TLS");
            }
            try {
                return LinkSecurity.MutualTls.fromPkcs12(keystore, truststore, password(cl));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage(), e);
            }
        }
        if (passwordFile != null) {
            throw new CommandLine.ParameterException(cl, "--tls-password-file needs --tls-keystore and --tls-truststore");
        }
        if (!insecure && !LinkSecurity.loopback(address)) {
            String where = address.getHostString();
            throw new CommandLine.ParameterException(cl, side == Side.RECEIVER
                    ? "will not listen in plaintext on " + where + ", which is not loopback (anyone who reaches the"
                            + " port could push a guest onto this host): give --tls-keystore and --tls-truststore,"
                            + " or --insecure to accept that"
                    : "will not send guest memory in plaintext to " + where + ", which is not loopback: give"
                            + " --tls-keystore and --tls-truststore, use --exec 'ssh " + where
                            + " sonic migrate-receive', or --insecure to accept that");
        }
        return LinkSecurity.PLAINTEXT;
    }

    private char[] password(CommandLine cl) {
        if (passwordFile != null) {
            try {
                return Files.readAllLines(passwordFile).stream().findFirst().orElse("").toCharArray();
            } catch (NoSuchFileException e) {
                throw new CommandLine.ParameterException(cl, "--tls-password-file " + passwordFile + ": no such file");
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cl, "--tls-password-file " + passwordFile + ": " + e.getMessage());
            }
        }
        String env = environment.apply(PASSWORD_ENV);
        if (env == null) {
            throw new CommandLine.ParameterException(cl, "the PKCS#12 password is missing: give --tls-password-file FILE"
                    + " or set " + PASSWORD_ENV);
        }
        return env.toCharArray();
    }
}
