package dev.weft.daemon;

import dev.weft.daemon.metrics.MetricsAddress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** --metrics-addr: loopback HOST:PORT by default, another address only when allowed, bad ones refused in a line. */
class MetricsAddressTest {

    @Test
    void loopbackAddressesAreAccepted() {
        assertThat(MetricsAddress.parse("127.0.0.1:9323", false).address().toString()).isEqualTo("/127.0.0.1:9323");
        assertThat(MetricsAddress.parse("[::1]:9323", false).address().getAddress().isLoopbackAddress()).isTrue();
        assertThat(MetricsAddress.parse("localhost:0", false).address().getPort()).isZero();
    }

    @Test
    void otherAddressesNeedToBeAllowed() {
        assertThatThrownBy(() -> MetricsAddress.parse("192.0.2.1:9323", false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--metrics-addr 192.0.2.1:9323: not a loopback address; the metrics have no authentication,"
                        + " so add --metrics-allow-remote to serve them to the network anyway");
        assertThat(MetricsAddress.parse("192.0.2.1:9323", true).address().getPort()).isEqualTo(9323);
        assertThat(MetricsAddress.parse("[2001:db8::1]:9323", true).address().getAddress().getHostAddress())
                .isEqualTo("2001:db8:0:0:0:0:0:1");
    }

    @Test
    void malformedAddressesAreRefused() {
        for (String bad : new String[] {"9323", "127.0.0.1", "127.0.0.1:", "127.0.0.1:x", "127.0.0.1:9323/metrics",
                "user@127.0.0.1:9323", ":9323", "127.0.0.1:70000"}) {
            assertThatThrownBy(() -> MetricsAddress.parse(bad, false)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--metrics-addr " + bad + ": ");
        }
        assertThatThrownBy(() -> MetricsAddress.parse("example.org:9323", true))
                .hasMessage("--metrics-addr example.org:9323: the host must be an IP address or localhost");
    }
}
