package dev.weft.engine;

import dev.weft.store.Store;
import dev.weft.store.StoreUrl;
import dev.weft.store.Stores;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An endpoint created to be joined on its host ({@code EndpointOptions.joinsHere}, as weft's
 * Docker plugin creates them) is handed to the other hosts' drivers from its creation, so they
 * can forward to it before the join (Docker resolves its name everywhere as soon as it exists);
 * an ordinary endpoint only once joined. Two controllers share a real etcd.
 */
class EndpointPlacementTest {
    private final RunDir dir = new RunDir();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        dir.close();
    }

    private record Host(Controller controller, RecordingDriver driver) {
    }

    private Host host(String url, String advertise) {
        Store global = Stores.open(StoreUrl.parse(url));
        open.add(global);
        RecordingDriver driver = new RecordingDriver();
        driver.scope = Scope.GLOBAL;
        ControllerFixture f = new ControllerFixture("pl", h -> List.of(driver),
                config -> config.withGlobalStore(global, advertise).withSweepInterval(Duration.ZERO));
        open.add(f);
        return new Host(f.controller(), driver);
    }

    private static boolean eventually(Supplier<Boolean> check) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            if (check.get()) {
                return true;
            }
            Thread.sleep(50);
        }
        return check.get();
    }

    @Test
    void anEndpointThatJoinsHereIsForwardedToFromItsCreation() throws Exception {
        StoreServer etcd = StoreServer.etcdOnLoopback(dir.path().resolve("etcd"));
        open.add(etcd);
        Host a = host(etcd.url(), "192.0.2.11");
        Host b = host(etcd.url(), "192.0.2.12");
        Network onA = a.controller().newNetwork(NetworkConfig.of("g", "recording"));
        assertThat(eventually(() -> b.controller().networks().stream().anyMatch(n -> n.name().equals("g")))).isTrue();
        b.controller().network("g").createEndpoint("b1", new EndpointOptions(null, null, null, List.of(), List.of(), true));

        onA.createEndpoint("plain");
        onA.createEndpoint("docker", new EndpointOptions(null, null, null, List.of(), List.of(), true));
        assertThat(eventually(() -> List.of("docker").equals(b.driver().remote.get("g"))))
                .as("host b forwards to a's endpoint before its join, and not to the ordinary one: " + b.driver().remote)
                .isTrue();
        assertThat(onA.endpoint("docker").state().joined()).isFalse();
        assertThat(eventually(() -> List.of("b1").equals(a.driver().remote.get("g")))).as("and the other way: "
                + a.driver().remote).isTrue();

        onA.endpoint("docker").delete();
        assertThat(eventually(() -> List.of().equals(b.driver().remote.get("g")))).as("gone with the endpoint").isTrue();
    }
}
