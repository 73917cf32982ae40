package dev.weft.store;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreUrlTest {
    @Test
    void urlFormsWithSeveralServersAndAPrefix() {
        StoreUrl u = StoreUrl.parse("etcd://10.0.0.1:2379,10.0.0.2:2379/cluster/a/");
        assertThat(u.scheme()).isEqualTo("etcd");
        assertThat(u.endpoints()).containsExactly(new StoreUrl.Endpoint("10.0.0.1", 2379), new StoreUrl.Endpoint("10.0.0.2", 2379));
        assertThat(u.prefix()).isEqualTo("cluster/a");
        assertThat(u.connectString()).isEqualTo("10.0.0.1:2379,10.0.0.2:2379");
        assertThat(StoreUrl.parse("zookeeper://[::1]:2181").endpoints()).containsExactly(new StoreUrl.Endpoint("::1", 2181));
        assertThat(StoreUrl.parse("zk://h:2181").prefix()).isEqualTo(StoreUrl.DEFAULT_PREFIX);
    }

    @Test
    void theSeedDocumentsShortForms() {
        assertThat(StoreUrl.parse("etcd:127.0.0.1:2379").endpoints()).isEqualTo(List.of(new StoreUrl.Endpoint("127.0.0.1", 2379)));
        assertThat(StoreUrl.parse("zookeeper:127.0.0.1:2181").scheme()).isEqualTo("zk");
    }

    @Test
    void badAddressesSayWhatIsWrong() {
        assertThatThrownBy(() -> StoreUrl.parse("consul://h:8500")).hasMessageContaining("unknown store 'consul'");
        assertThatThrownBy(() -> StoreUrl.parse("etcd://h")).hasMessageContaining("not HOST:PORT");
        assertThatThrownBy(() -> StoreUrl.parse("etcd://h:99999")).hasMessageContaining("1-65535");
        assertThatThrownBy(() -> StoreUrl.parse("h:2379")).hasMessageContaining("unknown store 'h'");
        assertThatThrownBy(() -> StoreUrl.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> Stores.open(StoreUrl.parse("etcd://h:1"))).hasMessageContaining("no store backend for 'etcd'");
    }

    @Test
    void tlsSchemesAndSecurity() {
        StoreUrl u = StoreUrl.parse("etcds://10.0.0.1:2379/c");
        assertThat(u.scheme()).isEqualTo("etcd");
        assertThat(u.security().tls()).isTrue();
        assertThat(StoreUrl.parse("zks://h:2281").security().tls()).isTrue();
        assertThat(StoreUrl.parse("etcd://h:2379").security()).isEqualTo(StoreSecurity.NONE);
        StoreUrl withUser = u.withSecurity(StoreSecurity.NONE.withUser("weft", "s3cret"));
        assertThat(withUser.security().tls()).as("the scheme's TLS stays").isTrue();
        assertThat(withUser.security().toString()).contains("user=weft").doesNotContain("s3cret");
        assertThatThrownBy(() -> StoreSecurity.NONE.withUser("weft", null)).hasMessageContaining("needs a password");
        assertThatThrownBy(() -> StoreSecurity.tls(null, java.nio.file.Path.of("/nonexistent.pem"), null))
                .hasMessageContaining("needs its key");
        assertThatThrownBy(() -> StoreSecurity.tls(java.nio.file.Path.of("/nonexistent-ca.pem"), null, null))
                .hasMessage("--kv-cacert: cannot read /nonexistent-ca.pem (no such file)");
    }
}
