package org.sonicmigration.stream;

/** Which of the two nested record streams a record belongs to: libxl's outer one or libxc's inner one. */
public enum RecordLayer { LIBXL, LIBXC }
