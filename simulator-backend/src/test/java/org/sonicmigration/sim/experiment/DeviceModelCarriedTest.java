package org.sonicmigration.sim.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sonicmigration.engine.MigrationListener;
import org.sonicmigration.engine.MigrationOptions;
import org.sonicmigration.engine.PreCopyEngine;
import org.sonicmigration.engine.SoftPolicy;
import org.sonicmigration.receiver.ReceiveResult;
import org.sonicmigration.receiver.Receiver;
import org.sonicmigration.receiver.StreamCheck;
import org.sonicmigration.sim.SimHypervisor;
import org.sonicmigration.sim.SimTargetDomain;
import org.sonicmigration.sim.guest.ClockMode;
import org.sonicmigration.sim.guest.GuestConfig;
import org.sonicmigration.spi.Clock;
import org.sonicmigration.spi.DeviceModelState;
import org.sonicmigration.spi.DomainRef;
import org.sonicmigration.spi.DomainSpec;
import org.sonicmigration.spi.Hypervisor;
import org.sonicmigration.spi.TargetDomain;
import org.sonicmigration.spi.SourceDomain;
import org.sonicmigration.stream.Framing;
import org.sonicmigration.stream.StreamLimits;
import org.sonicmigration.stream.StreamSink;
import org.sonicmigration.transport.FileDestination;

/**
 * A guest with a device model (as an HVM guest's QEMU on Xen) saved by the engine and received: the
 * destination gets the device model's keys and state with the guest, a dry run accepts the stream,
 * and a destination that cannot start a device model refuses the stream instead of starting a guest
 * without its devices.
 */
class DeviceModelCarriedTest {
    private static final long MIB = 1 << 20;
    private static final DeviceModelState QEMU = new DeviceModelState(2,
            Map.of("physmap/f0000000/start_addr", "f0000000", "physmap/f0000000/size", "800000"),
            "QEVM saved devices".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    /** The simulated guest as a source whose device model the suspend saved. */
    private static SourceDomain withDeviceModel(SourceDomain plain) {
        return (SourceDomain) Proxy.newProxyInstance(SourceDomain.class.getClassLoader(), new Class<?>[] {SourceDomain.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("deviceModelState")) {
                        return Optional.of(QEMU);
                    }
                    try {
                        return method.invoke(plain, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private Path save(SimHypervisor source) throws Exception {
        source.createGuest(GuestConfig.linux61("vm", 64 * MIB).withClock(ClockMode.VIRTUAL).withSeed(5))
                .advanceUntilReady(Duration.ofMillis(10), Duration.ofSeconds(30));
        Path file = dir.resolve("vm.xlsave");
        try (SourceDomain src = source.openSource(new DomainRef.ByName("vm")); FileDestination out = new FileDestination(file)) {
            new PreCopyEngine(MigrationOptions.defaults().withLive(false).withSoft(SoftPolicy.OFF), Clock.SYSTEM,
                    MigrationListener.NONE).migrate(withDeviceModel(src), "sim", out);
        }
        return file;
    }

    @Test
    void theDestinationGetsTheDeviceModelWithTheGuestAndADryRunAcceptsIt() throws Exception {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            Path file = save(a);
            try (InputStream in = Files.newInputStream(file)) {
                assertThat(StreamCheck.check(in, Framing.XL, StreamLimits.defaults(), new StreamSink() {
                    @Override
                    public void onPages(long[] pfns, org.sonicmigration.stream.PageType[] types, int count,
                                        java.lang.foreign.MemorySegment data) {}

                    @Override
                    public void onPlatformState(org.sonicmigration.spi.PlatformState s) {}
                }).pagesWithData()).isPositive();
            }
            try (InputStream in = Files.newInputStream(file)) {
                ReceiveResult r = new Receiver(b, StreamLimits.defaults(), null).receive(in, Framing.XL);
                assertThat(r).isNotNull();
            }
            SimTargetDomain target = b.target("vm").orElseThrow();
            DeviceModelState got = target.deviceModel().orElseThrow();
            assertThat(got.emulatorId()).isEqualTo(2);
            assertThat(got.xenstore()).isEqualTo(QEMU.xenstore());
            assertThat(got.context()).isEqualTo(QEMU.context());
        }
    }

    @Test
    void aDestinationThatCannotStartADeviceModelRefusesTheGuestRatherThanStartItWithoutDevices() throws Exception {
        try (SimHypervisor a = new SimHypervisor("a"); SimHypervisor b = new SimHypervisor("b")) {
            Path file = save(a);
            Hypervisor withoutDeviceModels = delegate(Hypervisor.class, b, (method, args) ->
                    method.getName().equals("createTarget")
                            ? Optional.of(delegate(TargetDomain.class, b.createTarget((DomainSpec) args[0]), (m, x) ->
                                    m.getName().equals("restoreDeviceModel")
                                            ? Optional.of(callDefault(x)) : Optional.empty()))
                            : Optional.empty());
            try (InputStream in = Files.newInputStream(file)) {
                assertThatThrownBy(() -> new Receiver(withoutDeviceModels, StreamLimits.defaults(), null).receive(in, Framing.XL))
                        .hasMessageContaining("cannot start an HVM guest's device model");
            }
            assertThat(b.target("vm")).as("the half-built guest is thrown away").isEmpty();
        }
    }

    /** What the SPI's default restoreDeviceModel does: refuse. */
    private static Object callDefault(Object[] args) throws Exception {
        NoDeviceModels none = new NoDeviceModels();
        none.restoreDeviceModel((DeviceModelState) args[0]);
        return null;
    }

    interface Answer {
        Optional<Object> apply(java.lang.reflect.Method method, Object[] args) throws Exception;
    }

    /** {@code real} seen through {@code type}, with the calls {@code override} answers answered by it. */
    private static <T> T delegate(Class<T> type, T real, Answer override) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Optional<Object> answer = override.apply(method, args);
            if (answer.isPresent() || method.getName().equals("restoreDeviceModel") && type == TargetDomain.class) {
                return answer.orElse(null);
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }

    /** Only the SPI's default of restoreDeviceModel matters here. */
    private static final class NoDeviceModels implements TargetDomain {
        @Override public org.sonicmigration.spi.DomainInfo info() { throw new UnsupportedOperationException(); }
        @Override public void writeFrames(long[] pfns, int count, java.lang.foreign.MemorySegment src) {}
        @Override public void populate(long[] pfns, int count) {}
        @Override public void restoreState(org.sonicmigration.spi.PlatformState state) {}
        @Override public void unpause() {}
        @Override public void destroy() {}
        @Override public void close() {}
    }
}
