package dev.weft.daemon;

import dev.weft.store.StoreUrl;

/**
 * How weftd joins other hosts: the global store they share ({@code --kv-store}) and this host's
 * address in it, given directly ({@code --advertise}) or as the interface that holds it
 * ({@code --bind-interface}). Overlay networks carry traffic between the advertise addresses.
 */
public record ClusterOptions(StoreUrl store, String advertise, String bindInterface) {
    public ClusterOptions {
        if (store == null) {
            throw new IllegalArgumentException("a cluster needs a store (--kv-store)");
        }
        if ((advertise == null) == (bindInterface == null)) {
            throw new IllegalArgumentException("--kv-store needs exactly one of --advertise ADDRESS and --bind-interface IF:"
                    + " the address other hosts reach this one at");
        }
    }
}
