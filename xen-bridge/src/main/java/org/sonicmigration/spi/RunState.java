package org.sonicmigration.spi;

/** The lifecycle state of a domain as the migrator sees it. */
public enum RunState {
    RUNNING, PAUSED, SUSPENDED, SHUTDOWN, DYING
}
