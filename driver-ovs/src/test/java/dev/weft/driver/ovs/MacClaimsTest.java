package dev.weft.driver.ovs;

import dev.weft.engine.WeftException;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** MAC claims on a real (embedded) store shared by two "hosts". */
class MacClaimsTest {
    private static final String MAC = "02:42:c6:33:64:05";

    @Test
    void aMacIsHeldByOneEndpointPerPodAcrossHostsUntilReleased(@TempDir Path dir) {
        try (Store store = LocalStore.open(dir.resolve("s.db"))) {
            MacClaims h1 = new MacClaims(store, "192.0.2.1");
            MacClaims h2 = new MacClaims(store, "192.0.2.2");
            h1.claim(7, MAC, "ep1");
            h1.claim(7, MAC, "ep1"); // the same endpoint joining again keeps its claim
            assertThatThrownBy(() -> h2.claim(7, MAC, "ep2")).isInstanceOf(WeftException.class)
                    .hasMessage("MAC address " + MAC + " is already used in pod 7 by endpoint ep1 on host 192.0.2.1");
            h2.claim(8, MAC, "ep2"); // another pod is another segment
            h2.claim(0, MAC, "ep3");
            assertThat(store.get(MacClaims.key(0, MAC))).isPresent();
            assertThat(MacClaims.key(0, MAC)).isEqualTo("ovs-macs/global/" + MAC);

            h2.release(7, MAC, "ep2"); // not its claim: nothing happens
            assertThat(store.get(MacClaims.key(7, MAC))).isPresent();
            h1.release(7, MAC, "ep1");
            h2.claim(7, MAC, "ep2");
        }
    }

    @Test
    void claimsOfHostsThatLeftAndOfEndpointsWithNoRecordAreDropped(@TempDir Path dir) {
        try (Store store = LocalStore.open(dir.resolve("s.db"))) {
            MacClaims h1 = new MacClaims(store, "192.0.2.1");
            MacClaims h2 = new MacClaims(store, "192.0.2.2");
            h1.claim(1, MAC, "ep1");
            h1.claim(2, MAC, "ep9");
            h2.claim(3, MAC, "ep2");
            h2.forgetHostsBut(Set.of("192.0.2.2"));
            assertThat(store.list(MacClaims.PREFIX)).extracting(e -> e.key()).containsExactly(MacClaims.key(3, MAC));

            h2.claim(4, MAC, "ep4");
            h2.forgetOwnBut(Set.of("ep4"));
            h1.claim(5, MAC, "ep5");
            h1.forgetOwnBut(Set.of("ep5"));
            assertThat(store.list(MacClaims.PREFIX)).extracting(e -> e.key())
                    .containsExactly(MacClaims.key(4, MAC), MacClaims.key(5, MAC));
        }
    }
}
