package dev.weft.engine.ipam;

import dev.weft.net.IpPrefix;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Allocation properties: never the same address twice, release frees, serial mode avoids reuse. */
class AddressPoolProperties {

    @Provide
    Arbitrary<List<Integer>> steps() {
        // a non-negative step allocates; a negative one releases the (-step)-th held address
        return Arbitraries.integers().between(-40, 60).list().ofMinSize(1).ofMaxSize(300);
    }

    @Property(tries = 200)
    void neverHandsOutAnAddressThatIsHeld(@ForAll("steps") List<Integer> steps, @ForAll boolean serial) {
        AddressPool pool = new AddressPool(IpPrefix.parse("198.51.100.0/26"), null, serial);
        List<InetAddress> held = new ArrayList<>();
        Set<InetAddress> heldSet = new HashSet<>();
        for (int step : steps) {
            if (step < 0 && !held.isEmpty()) {
                InetAddress a = held.remove(-step % held.size());
                heldSet.remove(a);
                pool.release(a);
                assertThat(pool.isAllocated(a)).isFalse();
            } else if (held.size() < 62) {
                InetAddress a = pool.allocate();
                assertThat(heldSet.add(a)).as("%s handed out twice", a).isTrue();
                held.add(a);
                assertThat(a.getAddress()[3] & 0xff).isBetween(1, 62); // never network or broadcast
            }
        }
        assertThat(pool.allocatedCount()).isEqualTo(held.size());
        assertThat(new HashSet<>(pool.allocated())).isEqualTo(heldSet);
    }

    @Property(tries = 100)
    void serialModeDoesNotReuseAReleasedAddressWhileOthersAreFree(@ForAll("steps") List<Integer> steps) {
        AddressPool pool = new AddressPool(IpPrefix.parse("203.0.113.0/24"), null, true);
        InetAddress last = null;
        for (int ignored : steps) {
            InetAddress a = pool.allocate();
            if (last != null) {
                assertThat(a).isNotEqualTo(last);
            }
            pool.release(a);
            last = a;
        }
    }

    @Property(tries = 100)
    void rangeLimitsWhatIsHandedOut(@ForAll("steps") List<Integer> steps) {
        AddressPool pool = new AddressPool(IpPrefix.parse("192.0.2.0/24"), IpPrefix.parse("192.0.2.128/28"), false);
        int n = 0;
        for (int ignored : steps) {
            if (n == 16) {
                break;
            }
            InetAddress a = pool.allocate();
            assertThat(a.getAddress()[3] & 0xff).isBetween(128, 143);
            n++;
        }
    }
}
