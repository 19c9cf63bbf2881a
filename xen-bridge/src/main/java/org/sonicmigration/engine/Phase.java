package org.sonicmigration.engine;

/** The stages a migration goes through, in order; reported to listeners as they begin. */
public enum Phase {
    CONNECT, LIVE, SUSPEND, FINAL, HANDOVER, DONE, ROLLBACK
}
