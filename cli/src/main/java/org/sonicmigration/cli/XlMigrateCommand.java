package org.sonicmigration.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.transport.ProcessDestination;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sonic xl-migrate [-s SSHCOMMAND] [-e] [-C CONFIG] [-p] [--debug] DOMAIN HOST}: {@code xl
 * migrate}'s syntax and behaviour with SonicMigration underneath, so that an orchestrator can swap
 * one for the other. It runs what xl runs — {@code exec SSHCOMMAND HOST xl migrate-receive [-e] [-d]
 * [-p]} under {@code sh -c}, or HOST itself as the command when SSHCOMMAND is empty — speaks xl's
 * handshake over its pipes, and on success destroys the source copy, as xl does; the migration is
 * {@code sonic migrate --exec}'s.
 */
@Command(name = "xl-migrate", mixinStandardHelpOptions = true, footer = {"", "Examples:",
        "  sonic xl-migrate mydomain desthost",
        "  sonic xl-migrate -s 'ssh -p 2222' -e mydomain desthost",
        "  sonic xl-migrate -s '' mydomain 'xl migrate-receive'      (HOST is the command: this host)"},
        description = "xl migrate's syntax and behaviour with SonicMigration underneath: runs"
                + " 'SSHCOMMAND HOST xl migrate-receive' and live-migrates DOMAIN into it.")
final class XlMigrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DOMAIN", description = "Domain id or name.")
    String domain;

    @Parameters(index = "1", paramLabel = "HOST", description = "Destination host (or, with -s '', the receiver"
            + " command itself).")
    String host;

    @Option(names = "-s", paramLabel = "SSHCOMMAND", defaultValue = "ssh",
            description = "Command that reaches HOST (default: ${DEFAULT-VALUE}); '' makes HOST the whole command.")
    String sshCommand;

    @Option(names = "-e", description = "Do not wait in the background on HOST for the death of the domain"
            + " (passed to migrate-receive as -e).")
    boolean noDaemon;

    @Option(names = "-F", description = "Run the receiver in the foreground (as xl, passed on as -e).")
    boolean foreground;

    @Option(names = "-C", paramLabel = "CONFIG", description = "Send this domain configuration instead of the"
            + " domain's own: libxl's JSON (as 'xl list -l DOMAIN' prints it).")
    Path config;

    @Option(names = "-p", description = "Leave the domain paused on HOST after the migration (passed on as -p).")
    boolean paused;

    @Option(names = "--live", hidden = true, description = "Accepted and ignored, as xl does (for xm).")
    boolean live;

    @Mixin
    BackendOption backend;

    @Mixin
    GuestOptions guest;

    @Mixin
    EngineOptions engine;

    @Mixin
    ReportOptions report;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Durations.class,
            description = "How long the receiver may stay silent or stop reading (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        Duration timeout = Durations.positive(connectTimeout, "--connect-timeout", cl);
        UnaryOperator<SourceDomain> view = config == null ? UnaryOperator.identity()
                : configured(readConfig(config, cl));
        MigrateCommand migrate = new MigrateCommand();
        migrate.domain = domain;
        migrate.backend = backend;
        migrate.guest = guest;
        migrate.engine = engine;
        migrate.report = report;
        migrate.spec = spec;
        return migrate.migrate(new ProcessDestination(rune(debug(), ProgressDisplay.isTerminal()), timeout), view);
    }

    private static UnaryOperator<SourceDomain> configured(String json) {
        return d -> new ConfiguredSource(d, json);
    }

    private boolean debug() {
        return spec.root().userObject() instanceof Sonic root && root.debug;
    }

    /**
     * The receiver's command line, as xl builds it: {@code exec SSH HOST xl[ -t] migrate-receive[ -e][ -d][ -p]}
     * ({@code -t} when our stderr is a terminal, so the receiver may show progress), or HOST alone when
     * SSHCOMMAND is empty.
     */
    String rune(boolean debug, boolean terminal) {
        if (sshCommand.isEmpty()) {
            return host;
        }
        return "exec " + sshCommand + " " + host + " xl" + (terminal ? " -t" : "") + " migrate-receive"
                + (noDaemon || foreground ? " -e" : "") + (debug ? " -d" : "") + (paused ? " -p" : "");
    }

    /**
     * libxl's JSON domain configuration from {@code file}: an object with {@code c_info}, or the
     * one-domain array {@code xl list -l} prints (its {@code config}); xl's own cfg syntax needs libxl's
     * parser, which only xl has.
     */
    static String readConfig(Path file, CommandLine cl) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new CommandLine.ParameterException(cl, "-C " + file + ": no such file");
        }
        JsonNode root;
        try {
            root = PrettyJson.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root != null && root.isArray() && root.size() == 1 && root.get(0).has("config")) {
            root = root.get(0).get("config");
        }
        if (root == null || !root.isObject() || !root.path("c_info").isObject()) {
            throw new CommandLine.ParameterException(cl, "-C " + file + " is not libxl's JSON domain configuration"
                    + " (as 'xl list -l DOMAIN' prints it); xl's cfg syntax is read only by xl itself");
        }
        return root.toString();
    }
}
