package dev.weft.engine;

import dev.weft.engine.state.EndpointState;
import dev.weft.engine.internal.StateStore;
import dev.weft.net.IpPrefix;
import dev.weft.store.KvEntry;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.store.StoreUrl;
import dev.weft.store.Stores;
import dev.weft.testkit.RunDir;
import dev.weft.testkit.StoreServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sweep of orphaned global allocations, against a real etcd on loopback: what a failed
 * write left in the global store (an address whose endpoint has no record, a pool no network
 * names, a VNI whose network is gone) is freed on the second sweep that sees it so, never on the
 * first, and never when a record appears or the key changes hands in between; gateway and aux
 * addresses and Docker's spaces stay untouched; two hosts sweeping at once do not trip over
 * each other, and a sweep during an outage is skipped.
 */
class GlobalSweepTest {
    private static final AtomicInteger STORES = new AtomicInteger();
    private static final String ADDRESSES = "ipam/GlobalDefault/addresses/";
    private static RunDir dir;
    private static StoreServer etcd;
    private final List<AutoCloseable> open = new ArrayList<>();
    private String url;
    private Store raw;

    @BeforeAll
    static void startEtcd() {
        dir = new RunDir();
        etcd = StoreServer.etcdOnLoopback(dir.path().resolve("etcd"));
    }

    @AfterAll
    static void stopEtcd() {
        etcd.close();
        dir.close();
    }

    @BeforeEach
    void openStore() {
        url = etcd.url() + "/sweep" + STORES.incrementAndGet(); // each test its own key space
        raw = Stores.open(StoreUrl.parse(url));
        open.add(raw);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** A controller on a throwaway host namespace sharing the test's global store, sweeping by hand (or every {@code every}). */
    private Controller host(String advertise, Duration every) {
        Store global = Stores.open(StoreUrl.parse(url));
        open.add(global);
        RecordingDriver driver = new RecordingDriver();
        driver.scope = Scope.GLOBAL;
        ControllerFixture f = new ControllerFixture("sw", h -> List.of(driver),
                config -> config.withGlobalStore(global, advertise).withSweepInterval(every));
        open.add(f);
        return f.controller();
    }

    private Controller host() {
        return host("192.0.2.11", Duration.ZERO);
    }

    private static String addressKey(String subnet, String address) {
        return ADDRESSES + subnet.replace('/', '_') + "/" + address;
    }

    /**
     * Makes network "g" on {@code c} and writes an address of its pool held by {@code owner}, which
     * has no record, as a failed endpoint create leaves it; one sweep marks it. Returns its key.
     */
    private String markedOrphan(Controller c, String owner) {
        Network net = c.newNetwork(NetworkConfig.of("g", "recording"));
        String key = addressKey(net.state().subnets().getFirst().subnet(), "10.0.0.9");
        raw.put(key, owner.getBytes());
        assertThat(c.engine().sweepNow()).as("the first sweep only marks").isEmpty();
        assertThat(present(key)).isTrue();
        return key;
    }

    private boolean present(String key) {
        return raw.get(key).isPresent();
    }

    @Test
    void anOrphanedAddressIsFreedOnTheSecondSweepNotTheFirstAndCanBeHandedOutAgain() {
        Controller c = host();
        Network net = c.newNetwork(NetworkConfig.of("g", "recording"));
        Endpoint ep = net.createEndpoint("e1");
        InetAddress address = ep.ipv4().address();
        String key = addressKey(net.state().subnets().getFirst().subnet(), IpPrefix.format(address));
        assertThat(raw.get(key).orElseThrow().valueAsString()).isEqualTo(ep.id());
        raw.delete("endpoints/" + net.id() + "/" + ep.id()); // as if the record's write had failed

        assertThat(c.engine().sweepNow()).as("first sweep only marks").isEmpty();
        assertThat(present(key)).isTrue();
        assertThat(c.engine().sweepNow()).containsExactly(key);
        assertThat(present(key)).isFalse();
        assertThat(c.engine().sweepNow()).isEmpty();

        Endpoint again = net.createEndpoint("e2", new EndpointOptions(address, null, null, List.of()));
        assertThat(again.ipv4().address()).as("this host's bitmap forgot the freed address").isEqualTo(address);
        assertThat(raw.get(key).orElseThrow().valueAsString()).isEqualTo(again.id());
    }

    @Test
    void anAddressWhoseEndpointRecordAppearsBetweenSweepsIsKept() {
        Controller c = host();
        String key = markedOrphan(c, "late");
        try (LocalStore local = LocalStore.inMemory(); StateStore other = new StateStore(local, raw, "192.0.2.12")) {
            other.put(new EndpointState("late", "late", c.network("g").id(), "02:42:0a:00:00:09", "10.0.0.9/24", null, List.of(),
                    List.of(), null, null, null, 0, null, null));
        }
        assertThat(c.engine().sweepNow()).isEmpty();
        assertThat(c.engine().sweepNow()).isEmpty();
        assertThat(present(key)).isTrue();
    }

    @Test
    void aKeyThatChangedBetweenSweepsIsKeptUntilItStaysOrphanedForTwoMore() {
        Controller c = host();
        String key = markedOrphan(c, "gone");
        long rewritten = raw.put(key, "other".getBytes()).version(); // freed and handed out again meanwhile
        assertThat(c.engine().sweepNow()).isEmpty();
        assertThat(raw.get(key).orElseThrow().version()).isEqualTo(rewritten);
        assertThat(c.engine().sweepNow()).containsExactly(key);
    }

    @Test
    void anOrphanedVniAndAnOrphanedPoolAreFreed() {
        Controller c = host();
        Network net = c.newNetwork(NetworkConfig.of("g", "recording"));
        raw.put("overlay/vnis/4096", net.id().getBytes());
        raw.put("overlay/networks/" + net.id(), "4096".getBytes());
        raw.put("overlay/vnis/4097", "gone".getBytes());
        raw.put("overlay/networks/gone", "4097".getBytes());
        String pool = "ipam/GlobalDefault/pools/10.0.9.0_24";
        raw.put(pool, "10.0.9.0/24 -".getBytes());
        String gateway = addressKey("10.0.9.0/24", "10.0.9.1");
        raw.put(gateway, "gateway".getBytes()); // a network create whose record never came

        assertThat(c.engine().sweepNow()).isEmpty();
        assertThat(c.engine().sweepNow()).containsExactlyInAnyOrder(gateway, pool, "overlay/vnis/4097");
        assertThat(raw.list("overlay/")).extracting(KvEntry::key)
                .containsExactlyInAnyOrder("overlay/vnis/4096", "overlay/networks/" + net.id());
        assertThat(present(pool)).isFalse();
        assertThat(present(gateway)).isFalse();
        Network reused = c.newNetwork(NetworkConfig.of("h", "recording").withIpv4(IpamConfig.subnet("10.0.9.0/24")));
        assertThat(reused.state().subnets().getFirst().gateway()).isEqualTo("10.0.9.1/24");
    }

    @Test
    void gatewayAuxAndDockerKeysAndLiveAllocationsAreNeverTouched() {
        Controller c = host();
        Network net = c.newNetwork(NetworkConfig.of("g", "recording").withIpv4(new IpamConfig(
                IpPrefix.parse("10.0.5.0/24"), null, null, Map.of("router", IpPrefix.parseAddress("10.0.5.250")))));
        net.createEndpoint("e1");
        for (String space : List.of("DockerGlobal", "DockerLocal")) {
            raw.put("ipam/" + space + "/pools/10.0.6.0_24", "10.0.6.0/24 -".getBytes());
            raw.put("ipam/" + space + "/addresses/10.0.6.0_24/10.0.6.1", "docker-gateway".getBytes());
            raw.put("ipam/" + space + "/addresses/10.0.6.0_24/10.0.6.2", "docker".getBytes());
        }
        Map<String, Long> before = versions();
        assertThat(before).containsKeys(addressKey("10.0.5.0/24", "10.0.5.1"), addressKey("10.0.5.0/24", "10.0.5.250"));
        for (int i = 0; i < 3; i++) {
            assertThat(c.engine().sweepNow()).isEmpty();
        }
        assertThat(versions()).isEqualTo(before);
    }

    @Test
    void twoHostsSweepingTheSameStoreAtOnceFreeEachOrphanOnce() throws Exception {
        Controller a = host("192.0.2.11", Duration.ofMillis(50));
        Controller b = host("192.0.2.12", Duration.ofMillis(50));
        Network net = a.newNetwork(NetworkConfig.of("g", "recording"));
        Endpoint live = net.createEndpoint("e1");
        String subnet = net.state().subnets().getFirst().subnet();
        Set<String> orphans = new HashSet<>();
        for (int i = 100; i < 130; i++) {
            String key = addressKey(subnet, "10.0.0." + i);
            raw.put(key, ("gone" + i).getBytes());
            orphans.add(key);
        }
        List<Future<List<String>>> sweeps = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int i = 0; i < 40; i++) {
                Controller c = i % 2 == 0 ? a : b;
                sweeps.add(pool.submit(c.engine()::sweepNow));
            }
        }
        List<String> released = new ArrayList<>();
        for (Future<List<String>> f : sweeps) {
            released.addAll(f.get()); // no sweep failed
        }
        assertThat(released).as("no key freed twice").doesNotHaveDuplicates();
        assertThat(orphans).containsAll(released);
        assertThat(orphans).noneMatch(this::present);
        assertThat(raw.get(addressKey(subnet, IpPrefix.format(live.ipv4().address())))).isPresent();
        assertThat(raw.get(addressKey(subnet, "10.0.0.1"))).as("the gateway").isPresent();
    }

    @Test
    void aSweepDuringAnOutageIsSkippedAndTheMarksSurviveIt() throws InterruptedException {
        Controller c = host();
        String key = markedOrphan(c, "gone");
        etcd.stop();
        try {
            assertThat(c.engine().sweepNow()).isEmpty();
        } finally {
            etcd.start();
        }
        // etcd accepts connections a moment before it has a leader; a sweep until then is skipped too
        List<String> released = c.engine().sweepNow();
        for (int i = 0; i < 50 && released.isEmpty(); i++) {
            Thread.sleep(200);
            released = c.engine().sweepNow();
        }
        assertThat(released).containsExactly(key);
    }

    /** Every allocation key of the test's store with its version. */
    private Map<String, Long> versions() {
        return raw.list("").stream().filter(e -> !e.key().startsWith("hosts/"))
                .collect(Collectors.toMap(KvEntry::key, KvEntry::version, (x, y) -> x, TreeMap::new));
    }
}
