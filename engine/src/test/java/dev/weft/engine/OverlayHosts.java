package dev.weft.engine;

import dev.weft.engine.driver.overlay.OverlayDriver;
import dev.weft.linux.netns.Netns;
import dev.weft.net.IpPrefix;
import dev.weft.store.LocalStore;
import dev.weft.store.Store;
import dev.weft.store.StoreUrl;
import dev.weft.store.Stores;

import java.nio.file.Path;
import java.util.List;

/** Controllers of simulated hosts that share a global store, each with the overlay driver. */
public final class OverlayHosts {
    private OverlayHosts() {
    }

    /**
     * A controller for the host namespace {@code host}, advertising {@code advertise}, its local
     * store and run directory under {@code dir}, sharing the global store at {@code globalUrl};
     * everything it opens is added to {@code open} (close it last to first).
     */
    public static Controller start(Netns host, String advertise, Path dir, String globalUrl, List<AutoCloseable> open) {
        Store local = LocalStore.open(dir.resolve("weft.db"));
        open.add(local);
        Store global = Stores.open(StoreUrl.parse(globalUrl));
        open.add(global);
        Controller c = Controller.start(ControllerConfig.of(local, dir.resolve("run"), host)
                .withDrivers(List.of(new OverlayDriver(host, global, IpPrefix.parseAddress(advertise))))
                .withGlobalStore(global, advertise));
        open.add(c);
        return c;
    }
}
