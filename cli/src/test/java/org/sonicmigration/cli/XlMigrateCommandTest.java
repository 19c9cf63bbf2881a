package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sonic xl-migrate} as an orchestrator uses it in place of {@code xl migrate}, end to end on the
 * simulator: a stand-in for ssh logs the arguments xl's rune gives it and runs our own receiver
 * ({@code sonic migrate-receive}, xl's handshake on its pipes) in place of the remote xl.
 */
@Timeout(300)
class XlMigrateCommandTest {
    @TempDir
    Path dir;

    /** {@code java … Sonic}: this build's command line in a process of its own. */
    static String sonicCommand() {
        return "'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' --enable-native-access=ALL-UNNAMED"
                + " -Xshare:auto -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path")
                + "' org.sonicmigration.cli.Sonic";
    }

    /** An ssh stand-in: logs "$*", drops HOST and xl's global options, runs the rest as sonic here. */
    Path fakeSsh() throws IOException {
        Path script = dir.resolve("ssh");
        Files.writeString(script, "#!/bin/sh\n"
                + "printf '%s\\n' \"$*\" >> '" + dir.resolve("argv") + "'\n"
                + "shift\n"
                + "[ \"$1\" = xl ] && shift\n"
                + "while [ \"${1#-}\" != \"$1\" ]; do shift; done\n"
                + "exec " + sonicCommand() + " \"$@\" 2>> '" + dir.resolve("receiver.log") + "'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    @Test
    void itRunsXlsRuneThroughSshAndTheGuestArrivesPaused() throws Exception {
        SonicCliTest.Run r = SonicCliTest.sonic("xl-migrate", "-s", fakeSsh().toString(), "-e", "-p", "sim-guest",
                "desthost", "--memory", "64M", "--no-progress");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readAllLines(dir.resolve("argv"))).containsExactly("desthost xl migrate-receive -e -p");
        assertThat(r.out()).contains("migration of sim-guest (backend sim): completed");
        assertThat(Files.readString(dir.resolve("receiver.log"))).contains("received sim-guest")
                .contains("left paused (-p)");
    }

    @Test
    void withAnEmptySshCommandHostIsTheReceiverAndMinusCSendsThatConfig() throws Exception {
        Path config = dir.resolve("renamed.json");
        Files.writeString(config, "[{\"domid\": 7, \"config\": {\"c_info\": {\"type\": \"pvh\", \"name\": \"renamed\"},"
                + " \"b_info\": {\"max_memkb\": 65600, \"target_memkb\": 65600}}}]");
        String receiver = sonicCommand() + " migrate-receive 2>> '" + dir.resolve("receiver.log") + "'";
        SonicCliTest.Run r = SonicCliTest.sonic("xl-migrate", "-s", "", "-C", config.toString(), "sim-guest", receiver,
                "--memory", "64M", "--json", "--quiet");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(Files.readString(dir.resolve("receiver.log"))).contains("received renamed").contains("guest started");
    }

    @Test
    void anUnreachableHostIsOneLineAndTheSourceKeepsItsGuest() throws Exception {
        Path ssh = dir.resolve("ssh-down");
        Files.writeString(ssh, "#!/bin/sh\necho \"ssh: connect to host $1 port 22: Connection refused\" >&2\nexit 255\n");
        Files.setPosixFilePermissions(ssh, PosixFilePermissions.fromString("rwx------"));
        SonicCliTest.Run r = SonicCliTest.sonic("xl-migrate", "-s", ssh.toString(), "sim-guest", "nohost", "--memory",
                "64M", "--quiet");
        assertThat(r.code()).as(r.err()).isNotZero().isNotEqualTo(2);
        List<String> lines = r.err().strip().lines().toList();
        assertThat(lines).as(r.err()).hasSize(1);
        assertThat(lines.getFirst()).startsWith("sonic: ").contains("exited with status 255")
                .contains("the source guest is running");
    }

    @Test
    void theRuneIsXls() {
        XlMigrateCommand c = new XlMigrateCommand();
        c.sshCommand = "ssh -p 2222";
        c.host = "dest";
        assertThat(c.rune(false, false)).isEqualTo("exec ssh -p 2222 dest xl migrate-receive");
        assertThat(c.rune(true, true)).isEqualTo("exec ssh -p 2222 dest xl -t migrate-receive -d");
        c.foreground = true;
        c.paused = true;
        assertThat(c.rune(false, false)).isEqualTo("exec ssh -p 2222 dest xl migrate-receive -e -p");
        c.sshCommand = "";
        assertThat(c.rune(true, true)).isEqualTo("dest");
    }

    @Test
    void aConfigInXlsOwnSyntaxIsABadArgument() throws Exception {
        Path cfg = dir.resolve("domu.cfg");
        Files.writeString(cfg, "name = \"domu\"\nmemory = 128\n");
        SonicCliTest.Run r = SonicCliTest.sonic("xl-migrate", "-C", cfg.toString(), "domu", "host");
        assertThat(r.code()).isEqualTo(CommandLine.ExitCode.USAGE);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("is not libxl's JSON domain configuration");
    }
}
