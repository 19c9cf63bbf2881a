/**
 * The guest hint-area ABI in Java: the layout of the area a guest shares read-only with dom0
 * ({@link org.sonicmigration.guest.HintAreaLayout}, mirroring {@code include/sonic_hint.h}), a reader that
 * takes consistent snapshots of it however hostile its content ({@link org.sonicmigration.guest.HintAreaReader}),
 * the guest-side writer ({@link org.sonicmigration.guest.HintAreaWriter}) and the suspend-handshake rules
 * ({@link org.sonicmigration.guest.HandshakeState}, {@link org.sonicmigration.guest.HandshakeProtocol}).
 * {@code SPEC.md} at the module root is the normative description.
 */
package org.sonicmigration.guest;
