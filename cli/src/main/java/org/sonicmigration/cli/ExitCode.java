package org.sonicmigration.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.sonicmigration.engine.Outcome;

/**
 * The exit codes of every {@code sonic} command, each with one meaning, so that a script (or a lab step)
 * can tell from the code alone where the guest is: every way a command ends is mapped through this type,
 * README's "Exit codes" table lists the same rows, and every command's {@code --help} ends with them.
 */
enum ExitCode {
    SUCCESS(0, "success"),
    FAILED(1, "failed; the guest is safe on the source (running, or paused if it was paused)"),
    USAGE(2, "bad usage"),
    HANDOVER_UNCERTAIN(3, "hand-over uncertain: the guest is kept paused on the source; check the destination"),
    DESTINATION_FAILED(4, "the destination failed or refused (before \"go\", or it could not start the guest and"
            + " handed it back); the guest is safe on the source"),
    VERIFICATION_FAILED(5, "verification failed: a migrated or restored guest's memory differs, or a stream check"
            + " fails"),
    INTERRUPTED_SIGINT(130, "interrupted by SIGINT; the guest is safe on the source"),
    INTERRUPTED_SIGTERM(143, "interrupted by SIGTERM; the guest is safe on the source");

    final int code;
    final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** How a migration that ended in {@code outcome} exits; {@code signal} is the one that stopped it, if any. */
    static ExitCode of(Outcome outcome, Optional<String> signal) {
        return switch (outcome) {
            case COMPLETED -> SUCCESS;
            case FAILED_SOURCE_RESUMED -> FAILED;
            case DESTINATION_FAILED -> DESTINATION_FAILED;
            case UNCERTAIN_SOURCE_PAUSED -> HANDOVER_UNCERTAIN;
            case ABORTED -> signal.map(ExitCode::interruptedBy).orElse(INTERRUPTED_SIGINT);
        };
    }

    /** 130 for SIGINT, 143 for SIGTERM: the shell's 128 + the signal's number. */
    static ExitCode interruptedBy(String signal) {
        return "SIGTERM".equals(signal) ? INTERRUPTED_SIGTERM : INTERRUPTED_SIGINT;
    }

    /** The rows of {@code --help}'s exit code list, in picocli's form. */
    static Map<String, String> helpList() {
        Map<String, String> rows = new LinkedHashMap<>();
        for (ExitCode c : values()) {
            rows.put(Integer.toString(c.code), c.meaning);
        }
        return rows;
    }
}
