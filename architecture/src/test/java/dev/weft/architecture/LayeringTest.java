package dev.weft.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * weft's layers, checked on the compiled main classes of every module: imports point down only
 * (cli -> HTTP only; daemon -> engine -> store, linux; everything -> net), the kernel is reached from
 * the linux layer alone (and from the daemon only through its one seam), and the engine's internals
 * stay behind its public API.
 */
class LayeringTest {
    private static JavaClasses weft;

    @BeforeAll
    static void importClasses() {
        weft = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TEST_FIXTURES)
                .importPackages("dev.weft");
    }

    @Test
    void everyLayerWasImported() {
        for (String p : new String[] {"net", "http", "commandmodels", "linux", "store", "engine", "daemon", "cli", "ovsdb", "loris",
                "driver.ovs"}) {
            assertThat(weft.stream().anyMatch(c -> c.getPackageName().startsWith("dev.weft." + p)))
                    .as("classes of dev.weft." + p).isTrue();
        }
    }

    @Test
    void theValueModulesDependOnNothingOfWeft() {
        check(noClasses().that().resideInAnyPackage("dev.weft.net..", "dev.weft.http..", "dev.weft.commandmodels..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.weft.linux..", "dev.weft.store..",
                        "dev.weft.engine..", "dev.weft.daemon..", "dev.weft.cli.."));
    }

    @Test
    void theLinuxLayerImportsNothingOfWeftButTheNetworkValues() {
        check(noClasses().that().resideInAPackage("dev.weft.linux..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.weft.http..", "dev.weft.store..",
                        "dev.weft.engine..", "dev.weft.daemon..", "dev.weft.cli.."));
    }

    @Test
    void theStoresKnowNothingAboveThem() {
        check(noClasses().that().resideInAPackage("dev.weft.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.weft.linux..", "dev.weft.engine..",
                        "dev.weft.daemon..", "dev.weft.cli.."));
    }

    @Test
    void theOvsdbClientDependsOnNothingOfWeft() {
        check(noClasses().that().resideInAPackage("dev.weft.ovsdb..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.weft.linux..", "dev.weft.store..",
                        "dev.weft.engine..", "dev.weft.daemon..", "dev.weft.cli..", "dev.weft.loris.."));
    }

    @Test
    void lorisIsAToolkitBelowTheEngine() {
        check(noClasses().that().resideInAPackage("dev.weft.loris..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.weft.store..", "dev.weft.engine..",
                        "dev.weft.daemon..", "dev.weft.cli..", "dev.weft.driver.."));
    }

    @Test
    void theEngineKnowsNeitherTheDaemonNorTheCli() {
        check(noClasses().that().resideInAPackage("dev.weft.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.weft.daemon..", "dev.weft.cli..",
                        "dev.weft.driver..", "dev.weft.loris.."));
    }

    @Test
    void theCliSpeaksHttpOnly() {
        check(noClasses().that().resideInAPackage("dev.weft.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.weft.engine..", "dev.weft.linux..",
                        "dev.weft.daemon..", "dev.weft.store.."));
    }

    @Test
    void theDaemonReachesTheKernelOnlyThroughItsSeam() {
        check(noClasses().that().resideInAPackage("dev.weft.daemon..")
                .and().resideOutsideOfPackage("dev.weft.daemon.kernel..")
                .should().dependOnClassesThat().resideInAPackage("dev.weft.linux.."));
    }

    @Test
    void nothingOutsideTheEngineUsesItsInternals() {
        check(noClasses().that().resideOutsideOfPackage("dev.weft.engine..")
                .should().dependOnClassesThat().resideInAPackage("dev.weft.engine.internal.."));
    }

    @Test
    void theEngineInternalsNeverCallBackIntoItsPublicHandles() {
        check(noClasses().that().resideInAPackage("dev.weft.engine.internal..")
                .should().dependOnClassesThat().haveFullyQualifiedName("dev.weft.engine.Controller")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.weft.engine.Network")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.weft.engine.Endpoint")
                .orShould().dependOnClassesThat().haveFullyQualifiedName("dev.weft.engine.Sandbox"));
    }

    @Test
    void theModulesFormNoCycle() {
        check(slices().matching("dev.weft.(*)..").should().beFreeOfCycles());
    }

    private static void check(ArchRule rule) {
        rule.check(weft);
    }
}
