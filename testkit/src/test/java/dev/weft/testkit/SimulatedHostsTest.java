package dev.weft.testkit;

import dev.weft.linux.netns.Namespaces;
import dev.weft.net.IpPrefix;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SimulatedHostsTest {

    @Test
    void threeHostsReachEachOtherOverTheUnderlay() {
        try (SimulatedHosts hosts = SimulatedHosts.create(3)) {
            assertThat(hosts.hosts()).extracting(h -> IpPrefix.format(h.address()))
                    .containsExactly("192.0.2.1", "192.0.2.2", "192.0.2.3");
            for (SimulatedHost from : hosts.hosts()) {
                for (SimulatedHost to : hosts.hosts()) {
                    assertThat(from.ping(to.address())).as(from.name() + " -> " + to.name()).isTrue();
                }
            }
            assertThat(hosts.get(0).exec("ip", "-br", "addr", "show", "eth0")).contains("192.0.2.1/24");
        }
    }

    @Test
    void closeRemovesEveryNamespaceAlsoWhenTheTestFails() {
        List<String> names;
        SimulatedHosts hosts = SimulatedHosts.create(2, IpPrefix.parse("198.51.100.0/24"), 1400);
        try {
            names = List.of(hosts.underlay().name(), hosts.get(0).name(), hosts.get(1).name());
            assertThat(new Namespaces().list()).containsAll(names);
            assertThatThrownBy(() -> {
                try (SimulatedHosts ignored = hosts) {
                    throw new IllegalStateException("test body failed");
                }
            }).hasMessage("test body failed");
        } finally {
            hosts.close();
        }
        assertThat(new Namespaces().list()).doesNotContainAnyElementsOf(names);
    }

    @Test
    void rejectsBadShapes() {
        assertThatThrownBy(() -> SimulatedHosts.create(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimulatedHosts.create(2, IpPrefix.parse("2001:db8::/64"), 1500))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
