package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * One coherent command set: every command shows an example and its defaults, the shared options have
 * one name and one meaning everywhere, and sizes, rates and durations are read with units.
 */
class CommandSetTest {

    static List<CommandLine> allCommands() {
        List<CommandLine> all = new ArrayList<>();
        collect(Sonic.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cl, List<CommandLine> into) {
        if (cl.getCommandName().equals("help")) {
            return;
        }
        into.add(cl);
        cl.getSubcommands().values().forEach(c -> collect(c, into));
    }

    @Test
    void everyCommandShowsAnExampleOfItself() {
        for (CommandLine cl : allCommands()) {
            String name = cl.getCommandSpec().qualifiedName();
            String footer = String.join("\n", cl.getCommandSpec().usageMessage().footer());
            assertThat(footer).as(name).contains("Example");
            assertThat(footer).as(name).contains(name + (name.equals("sonic") ? " " : ""));
            assertThat(cl.getUsageMessage()).as(name).contains("Example");
        }
    }

    @Test
    void everyDefaultIsShownInTheHelp() {
        for (CommandLine cl : allCommands()) {
            String help = cl.getUsageMessage().replaceAll("\\s+", " ");
            for (OptionSpec o : cl.getCommandSpec().options()) {
                String dv = o.defaultValue();
                if (dv == null || o.usageHelp() || o.versionHelp() || (o.type() == boolean.class && !o.negatable())) {
                    continue;
                }
                assertThat(help).as(cl.getCommandSpec().qualifiedName() + " " + o.longestName())
                        .contains("default: " + dv);
            }
        }
    }

    /** The option names of issue 17, each with one type wherever it appears. */
    static final Map<String, Class<?>> SHARED = Map.of("--backend", String.class,
            "--bandwidth", org.sonicmigration.transport.Bandwidth.class, "--max-iterations", int.class,
            "--soft", org.sonicmigration.engine.SoftPolicy.class, "--json", boolean.class, "--quiet", boolean.class,
            "--debug", boolean.class);

    @Test
    void theSharedOptionsHaveOneNameAndOneMeaning() {
        for (CommandLine cl : allCommands()) {
            for (OptionSpec o : cl.getCommandSpec().options()) {
                for (String n : o.names()) {
                    if (SHARED.containsKey(n)) {
                        assertThat(o.type()).as(cl.getCommandSpec().qualifiedName() + " " + n).isEqualTo(SHARED.get(n));
                    }
                }
            }
        }
        CommandLine root = Sonic.commandLine();
        for (String command : List.of("migrate", "xl-migrate", "plan")) {
            CommandLine cl = root.getSubcommands().get(command);
            assertThat(cl).as(command).isNotNull();
            for (String n : SHARED.keySet()) {
                assertThat(cl.getCommandSpec().findOption(n)).as(command + " " + n).isNotNull();
            }
        }
        CommandLine simulate = root.getSubcommands().get("simulate");
        for (String n : List.of("--bandwidth", "--max-iterations", "--soft", "--json", "--quiet", "--debug")) {
            assertThat(simulate.getCommandSpec().findOption(n)).as("simulate " + n).isNotNull();
        }
    }

    @Test
    void unitsAreReadTheSameEverywhere() {
        assertThat(new BandwidthConverter().convert("100Mbit").bytesPerSecond()).isEqualTo(12_500_000L);
        assertThat(new BandwidthConverter().convert("1Gbit").bytesPerSecond()).isEqualTo(125_000_000L);
        assertThat(Sizes.parseBytes("512M")).isEqualTo(512L << 20);
        assertThat(Sizes.parseBytes("1G")).isEqualTo(1L << 30);
        assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse("3s")).isEqualTo(Duration.ofSeconds(3));
        assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("120")).as("a bare number is seconds, as --connect-timeout always was")
                .isEqualTo(Duration.ofSeconds(120));
        for (String[] bad : new String[][] {
                {"simulate", "--suspend-timeout", "soon"},
                {"simulate", "--handshake-timeout", "0"},
                {"experiment", "fig3", "--user", "0,3G"},
                {"receive", "--listen", ":0", "--accept-timeout", "0"}}) {
            SonicCliTest.Run r = SonicCliTest.sonic(bad);
            assertThat(r.code()).as(String.join(" ", bad) + ": " + r.err()).isEqualTo(2);
            assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        }
    }

    @Test
    void aRunBuildsOnlyTheCommandItRunsAndHelpStillSeesThemAll() {
        CommandLine migrate = Sonic.commandLine(new Sonic(), new String[] {"--debug", "migrate", "dom", "host:1"});
        assertThat(migrate.getSubcommands().keySet()).containsExactly("migrate");
        for (String[] wholeTree : new String[][] {{}, {"--help"}, {"help", "migrate"}, {"migrat"}}) {
            assertThat(Sonic.commandLine(new Sonic(), wholeTree).getSubcommands()).as(String.join(" ", wholeTree))
                    .hasSize(Sonic.COMMANDS.size());
        }
        SonicCliTest.Run help = SonicCliTest.sonic("--help");
        for (Class<?> c : Sonic.COMMANDS) {
            assertThat(help.out()).contains("  " + c.getAnnotation(CommandLine.Command.class).name() + " ");
        }
        assertThat(SonicCliTest.sonic("help", "migrate").out()).contains("Usage: sonic migrate");
        SonicCliTest.Run typo = SonicCliTest.sonic("migrat", "dom", "host:1");
        assertThat(typo.code()).isEqualTo(2);
        assertThat(typo.err()).contains("'migrat'").contains("sonic --help");
    }
}
