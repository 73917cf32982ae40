package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.weft.engine.ipam.Ipam.LOCAL_SPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DefaultIpamTest {
    private final Store store = LocalStore.inMemory();
    private List<IpPrefix> routes = List.of();
    private final DefaultIpam ipam = new DefaultIpam(store, () -> routes);

    @AfterEach
    void close() {
        store.close();
    }

    private static InetAddress ip(String s) {
        return IpPrefix.parseAddress(s);
    }

    private static IpamException.Reason reason(Throwable t) {
        return ((IpamException) t).reason();
    }

    @Test
    void automaticPoolsFollowDockersDefaultsSkippingTakenOnesAndHostRoutes() {
        assertThat(ipam.requestPool(LOCAL_SPACE, null, null, false).subnet()).isEqualTo(IpPrefix.parse("172.17.0.0/16"));
        routes = List.of(IpPrefix.parse("172.18.5.0/24"), IpPrefix.parse("0.0.0.0/0"));
        assertThat(ipam.requestPool(LOCAL_SPACE, null, null, false).subnet())
                .as("skips the pool in use and the one a host route overlaps; a default route overlaps nothing")
                .isEqualTo(IpPrefix.parse("172.19.0.0/16"));
        assertThat(ipam.requestPool(Ipam.GLOBAL_SPACE, null, null, false).subnet()).isEqualTo(IpPrefix.parse("10.0.0.0/24"));
        assertThat(ipam.requestPool(Ipam.GLOBAL_SPACE, null, null, false).subnet()).isEqualTo(IpPrefix.parse("10.0.1.0/24"));
    }

    @Test
    void releasingByOwnerFreesAnAddressOnlyWhileThatOwnerHoldsIt() {
        Ipam.Pool pool = ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("192.0.2.0/24"), null, false);
        ipam.requestAddress(pool.id(), ip("192.0.2.9"), "ep1");
        assertThat(ipam.releaseAddressOf(pool.id(), ip("192.0.2.9"), "ep2")).as("another owner's").isFalse();
        assertThat(ipam.holders(pool.id())).containsEntry(ip("192.0.2.9"), "ep1");
        assertThat(ipam.releaseAddressOf(pool.id(), ip("192.0.2.9"), "ep1")).isTrue();
        assertThat(ipam.holders(pool.id())).doesNotContainKey(ip("192.0.2.9"));
        ipam.requestAddress(pool.id(), ip("192.0.2.9"), "ep3"); // handed out again meanwhile
        assertThat(ipam.releaseAddressOf(pool.id(), ip("192.0.2.9"), "ep1")).as("repeated after a crash").isFalse();
        assertThat(ipam.holders(pool.id())).containsEntry(ip("192.0.2.9"), "ep3");
        assertThat(ipam.requestAddress(pool.id(), ip("192.0.2.10"), "ep4").address()).isEqualTo(ip("192.0.2.10"));
    }

    @Test
    void afterThe172PoolsCome192168Slash20s() {
        for (int i = 17; i <= 31; i++) {
            ipam.requestPool(LOCAL_SPACE, null, null, false);
        }
        assertThat(ipam.requestPool(LOCAL_SPACE, null, null, false).subnet()).isEqualTo(IpPrefix.parse("192.168.0.0/20"));
        assertThat(ipam.requestPool(LOCAL_SPACE, null, null, false).subnet()).isEqualTo(IpPrefix.parse("192.168.16.0/20"));
    }

    @Test
    void defaultPoolsAreConfigurable() {
        PredefinedPools custom = PredefinedPools.parse("198.51.100.0/24:26, 203.0.113.0/24:25");
        DefaultIpam small = new DefaultIpam(store, java.util.Map.of(LOCAL_SPACE, custom), List::of);
        List<String> subnets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            subnets.add(small.requestPool(LOCAL_SPACE, null, null, false).subnet().toString());
        }
        assertThat(subnets).containsExactly("198.51.100.0/26", "198.51.100.64/26", "198.51.100.128/26",
                "198.51.100.192/26", "203.0.113.0/25", "203.0.113.128/25");
        assertThatThrownBy(() -> small.requestPool(LOCAL_SPACE, null, null, false)).extracting(DefaultIpamTest::reason)
                .isEqualTo(IpamException.Reason.EXHAUSTED);
        assertThatThrownBy(() -> PredefinedPools.parse("10.0.0.0/8")).hasMessageContaining("expected BASE/LEN:SIZE");
        assertThatThrownBy(() -> PredefinedPools.parse("10.0.0.0/16:8")).hasMessageContaining("cannot split");
    }

    @Test
    void explicitSubnetsMustNotOverlapAndMustBeWellFormed() {
        ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("192.0.2.0/24"), null, false);
        assertThatThrownBy(() -> ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("192.0.2.128/25"), null, false))
                .hasMessage("subnet 192.0.2.128/25 overlaps 192.0.2.0/24, already in use")
                .extracting(DefaultIpamTest::reason).isEqualTo(IpamException.Reason.OVERLAP);
        assertThatThrownBy(() -> ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("198.51.100.1/24"), null, false))
                .hasMessageContaining("did you mean 198.51.100.0/24");
        assertThatThrownBy(() -> ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("198.51.100.0/24"),
                IpPrefix.parse("203.0.113.0/28"), false)).extracting(DefaultIpamTest::reason)
                .isEqualTo(IpamException.Reason.OUT_OF_RANGE);
        assertThatThrownBy(() -> ipam.requestPool("Nowhere", null, null, false)).hasMessageContaining("unknown address space");
        assertThatThrownBy(() -> ipam.requestPool(LOCAL_SPACE, null, IpPrefix.parse("2001:db8::/80"), true))
                .hasMessageContaining("explicit subnet");
        assertThatThrownBy(() -> ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("2001:db8::/64"), null, false))
                .hasMessageContaining("not an IPv4 subnet");
        assertThat(ipam.pools(LOCAL_SPACE)).hasSize(1);
    }

    @Test
    void automaticIpv6PoolsAre64sOfOneStoredUlaPrefix() {
        Ipam.Pool first = ipam.requestPool(LOCAL_SPACE, null, null, true);
        Ipam.Pool second = ipam.requestPool(LOCAL_SPACE, null, null, true);
        assertThat(first.subnet().length()).isEqualTo(64);
        assertThat(IpPrefix.format(first.subnet().address())).startsWith("fd");
        assertThat(second.subnet()).isNotEqualTo(first.subnet());
        IpPrefix ula = IpPrefix.parse(store.get("ipam/" + LOCAL_SPACE + "/ula").orElseThrow().valueAsString());
        assertThat(ula.length()).isEqualTo(48);
        assertThat(Subnets.contains(ula, first.subnet().address())).isTrue();
        assertThat(Subnets.contains(ula, second.subnet().address())).isTrue();
        DefaultIpam again = new DefaultIpam(store, () -> routes); // a restart: the same prefix, the next free /64
        Ipam.Pool third = again.requestPool(LOCAL_SPACE, null, null, true);
        assertThat(Subnets.contains(ula, third.subnet().address())).isTrue();
        assertThat(third.subnet()).isNotIn(first.subnet(), second.subnet());
        assertThat(UlaPrefix.random()).as("another host draws another prefix").isNotEqualTo(ula);
    }

    @Test
    void addressesGatewayAuxAndRelease() {
        Ipam.Pool pool = ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("192.0.2.128/25"), false);
        assertThat(ipam.requestAddress(pool.id(), ip("192.0.2.1"), "gateway")).isEqualTo(IpPrefix.parse("192.0.2.1/24"));
        assertThat(ipam.requestAddress(pool.id(), null, "ep1")).isEqualTo(IpPrefix.parse("192.0.2.128/24"));
        assertThat(ipam.requestAddress(pool.id(), ip("192.0.2.200"), "ep2").address()).isEqualTo(ip("192.0.2.200"));
        assertThatThrownBy(() -> ipam.requestAddress(pool.id(), ip("192.0.2.200"), "ep3"))
                .extracting(DefaultIpamTest::reason).isEqualTo(IpamException.Reason.ALREADY_ALLOCATED);
        assertThat(ipam.holders(pool.id())).containsEntry(ip("192.0.2.1"), "gateway").containsEntry(ip("192.0.2.200"), "ep2");

        assertThatThrownBy(() -> ipam.releasePool(pool.id())).extracting(DefaultIpamTest::reason)
                .isEqualTo(IpamException.Reason.IN_USE);
        for (InetAddress a : List.copyOf(ipam.holders(pool.id()).keySet())) {
            ipam.releaseAddress(pool.id(), a);
        }
        assertThatThrownBy(() -> ipam.releaseAddress(pool.id(), ip("192.0.2.1"))).extracting(DefaultIpamTest::reason)
                .isEqualTo(IpamException.Reason.NOT_ALLOCATED);
        ipam.releasePool(pool.id());
        assertThat(ipam.pools(LOCAL_SPACE)).isEmpty();
        assertThatThrownBy(() -> ipam.requestAddress(pool.id(), null, "x")).extracting(DefaultIpamTest::reason)
                .isEqualTo(IpamException.Reason.NOT_FOUND);
    }

    @Test
    void ipv6PoolsAndExhaustion() {
        Ipam.Pool v6 = ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("2001:db8:5::/64"), null, true);
        assertThat(ipam.requestAddress(v6.id(), null, "ep").toString()).isEqualTo("2001:db8:5::1/64");
        Ipam.Pool tiny = ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("203.0.113.0/30"), null, false);
        ipam.requestAddress(tiny.id(), null, "a");
        ipam.requestAddress(tiny.id(), null, "b");
        assertThatThrownBy(() -> ipam.requestAddress(tiny.id(), null, "c")).extracting(DefaultIpamTest::reason)
                .isEqualTo(IpamException.Reason.EXHAUSTED);
    }

    @Test
    void aRestartedIpamNeverHandsOutAnAddressThatIsStillHeld() {
        Ipam.Pool pool = ipam.requestPool(LOCAL_SPACE, IpPrefix.parse("198.51.100.0/24"), null, false);
        List<InetAddress> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(ipam.requestAddress(pool.id(), null, "ep" + i).address());
        }
        DefaultIpam restarted = new DefaultIpam(store, () -> routes);
        InetAddress next = restarted.requestAddress(pool.id(), null, "new").address();
        assertThat(held).doesNotContain(next);
    }

    @Test
    void twoHostsSharingAStoreNeverHoldTheSameAddress() throws Exception {
        Ipam.Pool pool = ipam.requestPool(Ipam.GLOBAL_SPACE, IpPrefix.parse("10.99.0.0/24"), null, false);
        List<InetAddress> all = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService hosts = Executors.newFixedThreadPool(3)) {
            List<Future<?>> done = new ArrayList<>();
            for (int h = 0; h < 3; h++) {
                DefaultIpam host = new DefaultIpam(store, List::of);
                int id = h;
                done.add(hosts.submit(() -> {
                    for (int i = 0; i < 80; i++) {
                        all.add(host.requestAddress(pool.id(), null, "h" + id + "-" + i).address());
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        }
        assertThat(all).hasSize(240);
        assertThat(new HashSet<>(all)).hasSize(240);
    }
}
