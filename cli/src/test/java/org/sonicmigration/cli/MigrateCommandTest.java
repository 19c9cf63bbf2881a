package org.sonicmigration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code sonic migrate}: the receiver is HOST:PORT or --exec CMD, exactly one, said in one line if not. */
class MigrateCommandTest {

    static String[] run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Sonic.run(args, new PrintWriter(out), new PrintWriter(err));
        return new String[] {Integer.toString(code), err.toString()};
    }

    @Test
    void aMigrationNeedsExactlyOneReceiver() {
        String[][] cases = {
                {"missing the receiver: HOST:PORT or --exec CMD", "migrate", "domu"},
                {"give either HOST:PORT or --exec, not both", "migrate", "domu", "host:8002", "--exec", "xl migrate-receive"},
                {"--exec needs a command, e.g. 'xl migrate-receive'", "migrate", "domu", "--exec", " "},
                {"--connect-timeout must be positive, got 0", "migrate", "domu", "--exec", "xl migrate-receive",
                        "--connect-timeout", "0"},
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            String[] r = run(args);
            assertThat(r[0]).as(String.join(" ", args)).isEqualTo("2");
            assertThat(r[1].strip()).as(String.join(" ", args))
                    .isEqualTo("sonic migrate: " + c[0] + " (see 'sonic migrate --help')");
        }
    }

    @Test
    void theHelpNamesBothKindsOfReceiver() {
        StringWriter out = new StringWriter();
        int code = Sonic.run(new String[] {"help", "migrate"}, new PrintWriter(out), new PrintWriter(new StringWriter()));
        assertThat(code).isZero();
        assertThat(out.toString()).contains("HOST:PORT").contains("--exec=CMD").contains("xl migrate-receive");
    }
}
