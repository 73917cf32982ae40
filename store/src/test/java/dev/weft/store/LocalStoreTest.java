package dev.weft.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LocalStoreTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    protected Store newStore() {
        return LocalStore.open(dir.resolve("weft.db"));
    }

    @Override
    protected Store reopen() {
        return newStore();
    }

    @Test
    void everyChangeSurvivesAReopen() {
        store.put("a", bytes("1"));
        KvEntry b = store.put("b", bytes("2"));
        store.delete("a");
        long rev = store.revision();
        store.close();
        try (Store again = LocalStore.open(dir.resolve("weft.db"))) {
            assertThat(again.get("a")).isEmpty();
            assertThat(again.get("b")).get().extracting(KvEntry::version).isEqualTo(b.version());
            assertThat(again.revision()).isEqualTo(rev);
            assertThat(again.put("c", bytes("3")).version()).isEqualTo(rev + 1);
        }
        store = LocalStore.open(dir.resolve("weft.db"));
    }

    @Test
    void aSecondOpenOfTheSameFileIsRefusedClearly() {
        assertThatThrownBy(() -> LocalStore.open(dir.resolve("weft.db")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("in use by another process");
    }

    @Test
    void watchingFromACompactedRevisionTellsTheCallerToListAgain() {
        try (LocalStore small = LocalStore.open(dir.resolve("small.db"), 5)) {
            for (int i = 0; i < 20; i++) {
                small.put("k/" + i, bytes("v"));
            }
            assertThatThrownBy(() -> small.watch("k/", 2, e -> { }))
                    .isInstanceOf(CompactedException.class).hasMessageContaining("list again");
            small.watch("k/", small.revision() - 3, e -> { }).close();
        }
    }
}
