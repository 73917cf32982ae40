package dev.weft.leakcheck;

import dev.weft.testkit.LeakCheck;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs after every other module's tests (see this module's POM) and fails the build on leaks. */
class NoLeftoversTest {

    @Test
    void noTestPrefixedNamespaceLinkOrTableSurvivesTheSuite() {
        assertThat(LeakCheck.leftovers())
                .as("kernel objects left behind by the tests; each is a cleanup bug to fix")
                .isEmpty();
    }
}
