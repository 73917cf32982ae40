package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AddressPoolTest {
    private static InetAddress ip(String s) {
        return IpPrefix.parseAddress(s);
    }

    @Test
    void handsOutLowestFirstAndSkipsNetworkAndBroadcast() {
        AddressPool pool = new AddressPool(IpPrefix.parse("192.0.2.0/30"), null, false);
        assertThat(pool.allocate()).isEqualTo(ip("192.0.2.1"));
        assertThat(pool.allocate()).isEqualTo(ip("192.0.2.2"));
        assertThatThrownBy(pool::allocate).isInstanceOf(IpamException.class)
                .hasMessage("no free address left in subnet 192.0.2.0/30")
                .extracting(e -> ((IpamException) e).reason()).isEqualTo(IpamException.Reason.EXHAUSTED);
        pool.release(ip("192.0.2.1"));
        assertThat(pool.allocate()).isEqualTo(ip("192.0.2.1"));
    }

    @Test
    void preferredAddressErrors() {
        AddressPool pool = new AddressPool(IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("192.0.2.16/28"), false);
        assertThat(pool.allocate(ip("192.0.2.20"))).isEqualTo(ip("192.0.2.20"));
        assertThatThrownBy(() -> pool.allocate(ip("192.0.2.20"))).hasMessage(
                "address 192.0.2.20 is already allocated in subnet 192.0.2.0/24");
        assertThat(pool.allocate(ip("192.0.2.1"))).as("a gateway may lie outside the ip-range").isEqualTo(ip("192.0.2.1"));
        assertThat(pool.allocate()).as("automatic allocation stays in the range").isEqualTo(ip("192.0.2.16"));
        assertThatThrownBy(() -> pool.allocate(ip("192.0.2.255")))
                .extracting(e -> ((IpamException) e).reason()).isEqualTo(IpamException.Reason.INVALID);
        assertThatThrownBy(() -> pool.allocate(ip("198.51.100.1")))
                .extracting(e -> ((IpamException) e).reason()).isEqualTo(IpamException.Reason.OUT_OF_RANGE);
        assertThatThrownBy(() -> pool.release(ip("192.0.2.21")))
                .extracting(e -> ((IpamException) e).reason()).isEqualTo(IpamException.Reason.NOT_ALLOCATED);
        assertThatThrownBy(() -> new AddressPool(IpPrefix.parse("192.0.2.5/24"), null, false))
                .hasMessageContaining("did you mean 192.0.2.0/24");
        assertThatThrownBy(() -> new AddressPool(IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("198.51.100.0/28"), false))
                .extracting(e -> ((IpamException) e).reason()).isEqualTo(IpamException.Reason.OUT_OF_RANGE);
    }

    @Test
    void aSlashEightIsFastAndSmall() {
        AddressPool pool = new AddressPool(IpPrefix.parse("10.0.0.0/8"), null, true);
        for (int i = 0; i < 100_000; i++) {
            pool.allocate();
        }
        assertThat(pool.allocatedCount()).isEqualTo(100_000);
        assertThat(pool.allocate(ip("10.255.255.254"))).isEqualTo(ip("10.255.255.254"));
    }

    @Test
    void ipv6SubnetsAllocateInTheLowBits() {
        AddressPool pool = new AddressPool(IpPrefix.parse("2001:db8:1::/64"), null, false);
        assertThat(pool.allocate()).isEqualTo(ip("2001:db8:1::1"));
        assertThat(pool.allocate(ip("2001:db8:1::ffff:1"))).isEqualTo(ip("2001:db8:1::ffff:1"));
        assertThat(pool.allocated()).containsExactly(ip("2001:db8:1::1"), ip("2001:db8:1::ffff:1"));
        AddressPool wide = new AddressPool(IpPrefix.parse("2001:db8::/32"), null, false);
        assertThat(wide.allocate()).isEqualTo(ip("2001:db8::1"));
    }
}
