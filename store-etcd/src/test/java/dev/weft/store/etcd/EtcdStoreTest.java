package dev.weft.store.etcd;

import dev.weft.store.CompactedException;
import dev.weft.store.KvEntry;
import dev.weft.store.Store;
import dev.weft.store.StoreContract;
import dev.weft.store.StoreEvent;
import dev.weft.store.StoreException;
import dev.weft.store.StoreUrl;
import dev.weft.store.Stores;
import dev.weft.store.Watch;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The store contract and the etcd specifics, against one real etcd server shared by all tests. */
class EtcdStoreTest extends StoreContract {
    private static EtcdServer etcd;
    private String prefix;

    @BeforeAll
    static void startEtcd() {
        etcd = EtcdServer.start();
    }

    @AfterAll
    static void stopEtcd() throws Exception {
        etcd.close();
    }

    @Override
    protected Store newStore() {
        prefix = "test-" + UUID.randomUUID();
        return reopen();
    }

    @Override
    protected Store reopen() {
        return EtcdStore.open(etcd.url(prefix));
    }

    @Test
    void keysLiveUnderTheUrlPrefixAndOtherPrefixesDoNotSeeThem() throws Exception {
        store.put("net/a", bytes("1"));
        try (Client raw = rawClient()) {
            var kvs = raw.getKVClient().get(ByteSequence.from("/" + prefix + "/net/a", StandardCharsets.UTF_8))
                    .get(5, TimeUnit.SECONDS).getKvs();
            assertThat(kvs).hasSize(1);
            assertThat(kvs.getFirst().getValue().toString(StandardCharsets.UTF_8)).isEqualTo("1");
        }
        try (Store other = EtcdStore.open(etcd.url(prefix + "-other"))) {
            assertThat(other.get("net/a")).isEmpty();
            assertThat(other.list("")).isEmpty();
            other.put("net/b", bytes("2"));
        }
        assertThat(store.list("")).extracting(KvEntry::key).containsExactly("net/a");
    }

    @Test
    void ephemeralEntriesVanishTheMomentTheirClientCloses() throws Exception {
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        Store owner = EtcdStore.open(etcd.url(prefix).withSessionTtl(Duration.ofSeconds(30)));
        KvEntry host = owner.putEphemeral("hosts/h1", bytes("alive"));
        owner.putEphemeral("hosts/h2", bytes("alive"));
        try (Watch ignored = store.watch("hosts/", host.version() - 1, seen::add)) {
            owner.close();
            assertThat(store.list("hosts/")).as("the TTL is 30 s: only the revoke at close removes them").isEmpty();
            assertThat(seen.poll(5, TimeUnit.SECONDS)).isInstanceOf(StoreEvent.Put.class);
            assertThat(seen.poll(5, TimeUnit.SECONDS)).isInstanceOf(StoreEvent.Put.class);
            assertThat(seen.poll(5, TimeUnit.SECONDS)).isInstanceOf(StoreEvent.Deleted.class);
            assertThat(seen.poll(5, TimeUnit.SECONDS)).isInstanceOf(StoreEvent.Deleted.class);
        }
    }

    @Test
    void watchingFromACompactedRevisionTellsTheCallerToListAgain() throws Exception {
        for (int i = 0; i < 5; i++) {
            store.put("c/" + i, bytes("v"));
        }
        long rev = store.revision();
        try (Client raw = rawClient()) {
            raw.getKVClient().compact(rev - 1).get(5, TimeUnit.SECONDS);
        }
        assertThatThrownBy(() -> store.watch("c/", rev - 3, e -> { }))
                .isInstanceOf(CompactedException.class)
                .hasMessageContaining("after revision " + (rev - 3))
                .hasMessageContaining("oldest kept: " + (rev - 1))
                .hasMessageContaining("list again");
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        try (Watch ignored = store.watch("c/", rev - 2, seen::add)) {
            assertThat(seen.poll(5, TimeUnit.SECONDS)).extracting(StoreEvent::revision).isEqualTo(rev - 1);
            assertThat(seen.poll(5, TimeUnit.SECONDS)).extracting(StoreEvent::revision).isEqualTo(rev);
        }
    }

    @Test
    void aClosedWatchDeliversNothingMore() throws Exception {
        BlockingQueue<StoreEvent> seen = new LinkedBlockingQueue<>();
        Watch watch = store.watch("w/", store.revision(), seen::add);
        store.put("w/1", bytes("1"));
        assertThat(seen.poll(5, TimeUnit.SECONDS)).extracting(StoreEvent::key).isEqualTo("w/1");
        watch.close();
        store.put("w/2", bytes("2"));
        assertThat(seen.poll(500, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anAddressWithNothingListeningFailsWithinSecondsNamingIt() throws Exception {
        int port = EtcdServer.freePort();
        long start = System.nanoTime();
        assertThatThrownBy(() -> EtcdStore.open(StoreUrl.parse("etcd://127.0.0.1:" + port + "/x")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("127.0.0.1:" + port);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void storesOpenFindsTheEtcdBackendByScheme() {
        try (Store opened = Stores.open(StoreUrl.parse("etcd://127.0.0.1:" + etcd.clientPort() + "/" + prefix))) {
            assertThat(opened).isInstanceOf(EtcdStore.class);
            opened.put("via/stores", bytes("yes"));
        }
        assertThat(store.get("via/stores")).get().extracting(KvEntry::valueAsString).isEqualTo("yes");
    }

    private static Client rawClient() {
        return Client.builder().endpoints("http://127.0.0.1:" + etcd.clientPort()).build();
    }
}
