package dev.weft.bench;

import dev.weft.linux.rtnl.Link;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;

/**
 * Checks, untimed, that an attach left the same state whichever tool did it (both ends up, the
 * address on eth0, the default route via the gateway), and that a detach removed the veth.
 */
final class Verifier {
    private final Rtnetlink host;

    Verifier(Rtnetlink host) {
        this.host = host;
    }

    void attached(Slot slot, String tool) {
        require(host.links().get(slot.hostLink()).up(), tool, slot, "host end " + slot.hostLink() + " is not up");
        try (Rtnetlink container = Rtnetlink.open(slot.container())) {
            Link eth0 = container.links().get(Slot.CONTAINER_LINK);
            require(eth0.up(), tool, slot, "eth0 is not up");
            require(container.addresses().list(Slot.CONTAINER_LINK).stream()
                    .anyMatch(a -> a.prefix().equals(slot.address())), tool, slot, "eth0 lacks " + slot.address());
            require(container.routes().list(Route.MAIN_TABLE).stream()
                    .anyMatch(r -> r.isDefault() && slot.gateway().equals(r.gateway())
                            && r.outIndex() == eth0.index()), tool, slot, "no default route via the gateway on eth0");
        }
    }

    void detached(Slot slot, String tool) {
        require(host.links().find(slot.hostLink()).isEmpty(), tool, slot, slot.hostLink() + " still exists");
        try (Rtnetlink container = Rtnetlink.open(slot.container())) {
            require(container.links().find(Slot.CONTAINER_LINK).isEmpty(), tool, slot, "eth0 still exists");
        }
    }

    private static void require(boolean condition, String tool, Slot slot, String problem) {
        if (!condition) {
            throw new IllegalStateException(tool + ", round " + slot.id() + " (namespace "
                    + slot.container().name() + "): " + problem);
        }
    }
}
