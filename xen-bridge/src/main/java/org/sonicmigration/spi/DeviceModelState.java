package org.sonicmigration.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The device model's part of a guest that has one (Xen: the QEMU that emulates an HVM guest's devices
 * in dom0), taken while the guest is suspended and the device model stopped: its xenstore keys,
 * relative to its own directory (e.g. {@code physmap/f0000000/size}), and its saved device state, a
 * blob only that emulator reads. A stream carries it after the guest's memory and vCPU state, so that
 * the destination's toolstack can start a device model where this one stopped.
 *
 * @param emulatorId libxl's number for the emulator (2: upstream QEMU)
 */
public record DeviceModelState(int emulatorId, Map<String, String> xenstore, byte[] context) {
    public DeviceModelState {
        xenstore = Collections.unmodifiableMap(new LinkedHashMap<>(xenstore));
        context = context.clone();
    }

    @Override
    public byte[] context() {
        return context.clone();
    }
}
