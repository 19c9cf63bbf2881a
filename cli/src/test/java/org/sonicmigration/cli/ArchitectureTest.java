package org.sonicmigration.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The import drawing of the whole product, checked: the SPI at the bottom, the stream and the
 * transport on it, the engine and the receiver above them, the backends beside the engine and never
 * importing it, the CLI on top; no two packages import each other, directly or in a ring. Only the
 * simulator's experiments, which drive the engine by design, may reach from a backend module into the
 * engine.
 */
class ArchitectureTest {
    private static final String ROOT = "org.sonicmigration";
    private static JavaClasses classes;

    @BeforeAll
    static void importProduct() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void noPackageCycles() {
        slices().matching(ROOT + ".(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void spiStandsOnNothingOfOurs() {
        noClasses().that().resideInAPackage(ROOT + ".spi..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".engine..", ROOT + ".transport..", ROOT + ".receiver..", ROOT + ".stream..",
                        ROOT + ".xen..", ROOT + ".sim..", ROOT + ".cli..", ROOT + ".ffi..", ROOT + ".guest..")
                .check(classes);
    }

    @Test
    void streamAndTransportStandOnTheSpiOnly() {
        noClasses().that().resideInAnyPackage(ROOT + ".stream..", ROOT + ".transport..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".engine..", ROOT + ".receiver..", ROOT + ".xen..", ROOT + ".sim..",
                        ROOT + ".cli..", ROOT + ".ffi..")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".stream..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".transport..").check(classes);
        noClasses().that().resideInAPackage(ROOT + ".transport..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".stream..").check(classes);
    }

    @Test
    void engineAndReceiverAreSeparateRooms() {
        noClasses().that().resideInAPackage(ROOT + ".engine..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".receiver..", ROOT + ".xen..", ROOT + ".sim..", ROOT + ".cli..", ROOT + ".ffi..")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".receiver..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".engine..", ROOT + ".xen..", ROOT + ".sim..", ROOT + ".cli..", ROOT + ".ffi..")
                .check(classes);
    }

    @Test
    void backendsNeverImportTheEngineTransportOrReceiver() {
        noClasses().that().resideInAPackage(ROOT + ".xen..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".engine..", ROOT + ".transport..", ROOT + ".receiver..", ROOT + ".sim..",
                        ROOT + ".cli..")
                .check(classes);
        noClasses().that().resideInAPackage(ROOT + ".sim..")
                .and().resideOutsideOfPackage(ROOT + ".sim.experiment..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".engine..", ROOT + ".transport..", ROOT + ".receiver..", ROOT + ".sim.experiment..",
                        ROOT + ".xen..", ROOT + ".cli..")
                .check(classes);
    }

    @Test
    void theXenWrappersKnowNoPolicy() {
        noClasses().that().resideInAPackage(ROOT + ".xen.lib..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".xen.backend..").check(classes);
        noClasses().that().resideInAnyPackage(ROOT + ".ffi..", ROOT + ".guest..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        ROOT + ".spi..", ROOT + ".engine..", ROOT + ".transport..", ROOT + ".receiver..",
                        ROOT + ".stream..", ROOT + ".xen..", ROOT + ".sim..", ROOT + ".cli..")
                .check(classes);
    }
}
