package dev.weft.bench;

import dev.weft.linux.rtnl.LinkSpec;
import dev.weft.linux.rtnl.Route;
import dev.weft.linux.rtnl.Rtnetlink;

import java.util.List;

/**
 * The attach sequence through weft's linux layer. The host namespace's rtnetlink socket is opened
 * once (a daemon keeps it); the container's socket is opened and closed inside the timed region,
 * because a real attach has to do that for every new container.
 */
final class WeftAttacher implements Attacher {
    /** The steps of {@link #attach}, in order, as timed into {@link #lastSteps()}. */
    static final List<String> STEPS = List.of("open rtnetlink in the container namespace", "create veth (peer in namespace)",
            "set host end up", "add address (looks up eth0 first)", "set eth0 up", "add default route",
            "close the container socket");
    private final Rtnetlink host;
    private final long[] steps = new long[STEPS.size() + 1];

    WeftAttacher(Rtnetlink host) {
        this.host = host;
    }

    @Override
    public String attachLabel() {
        return "weft linux layer (rtnetlink over FFM)";
    }

    @Override
    public String detachLabel() {
        return "weft linux layer (links().delete)";
    }

    @Override
    public long attach(Slot slot) {
        steps[0] = System.nanoTime();
        try (Rtnetlink container = Rtnetlink.open(slot.container())) {
            steps[1] = System.nanoTime();
            host.links().create(new LinkSpec.Veth(slot.hostLink(), Slot.CONTAINER_LINK, slot.container()));
            steps[2] = System.nanoTime();
            host.links().setUp(slot.hostLink());
            steps[3] = System.nanoTime();
            container.addresses().add(Slot.CONTAINER_LINK, slot.address());
            steps[4] = System.nanoTime();
            container.links().setUp(Slot.CONTAINER_LINK);
            steps[5] = System.nanoTime();
            container.routes().add(Route.defaultVia(slot.gateway()));
            steps[6] = System.nanoTime();
        }
        steps[7] = System.nanoTime();
        return steps[7] - steps[0];
    }

    /** Nanoseconds each step of the last attach took, in the order of {@link #STEPS}. */
    long[] lastSteps() {
        long[] out = new long[STEPS.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = steps[i + 1] - steps[i];
        }
        return out;
    }

    @Override
    public long detach(Slot slot) {
        long start = System.nanoTime();
        host.links().delete(slot.hostLink());
        return System.nanoTime() - start;
    }
}
