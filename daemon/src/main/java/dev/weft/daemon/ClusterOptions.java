package dev.weft.daemon;

import java.time.Duration;

import dev.weft.store.StoreUrl;

/**
 * How weftd joins other hosts: the global store they share ({@code --kv-store}) and this host's
 * address in it, given directly ({@code --advertise}) or as the interface that holds it
 * ({@code --bind-interface}). Overlay networks carry traffic between the advertise addresses.
 * At start weftd waits up to {@code storeWait} ({@code --kv-wait}) for a store that does not
 * answer (not for one that refuses it), as a daemon started before its store must.
 */
public record ClusterOptions(StoreUrl store, String advertise, String bindInterface, Duration storeWait) {
    public static final Duration DEFAULT_STORE_WAIT = Duration.ofSeconds(60);

    public ClusterOptions(StoreUrl store, String advertise, String bindInterface) {
        this(store, advertise, bindInterface, DEFAULT_STORE_WAIT);
    }

    public ClusterOptions {
        if (storeWait == null || storeWait.isNegative()) {
            throw new IllegalArgumentException("--kv-wait must be 0 or more seconds");
        }
        if (store == null) {
            throw new IllegalArgumentException("a cluster needs a store (--kv-store)");
        }
        if ((advertise == null) == (bindInterface == null)) {
            throw new IllegalArgumentException("--kv-store needs exactly one of --advertise ADDRESS and --bind-interface IF:"
                    + " the address other hosts reach this one at");
        }
    }
}
