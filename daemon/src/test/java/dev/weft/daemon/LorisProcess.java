package dev.weft.daemon;

import dev.weft.testkit.JavaMain;
import dev.weft.testkit.OpenVswitch;
import dev.weft.testkit.SimulatedHost;

import java.util.ArrayList;
import java.util.List;

/** loris run as a process inside a simulated host, against that host's Open vSwitch; fails on a non-zero exit. */
final class LorisProcess {
    private LorisProcess() {
    }

    static String loris(SimulatedHost h, OpenVswitch ovs, String... args) {
        List<String> all = new ArrayList<>(List.of("--db=" + ovs.dbUrl()));
        all.addAll(List.of(args));
        return h.exec(JavaMain.command("dev.weft.loris.LorisCli", all).toArray(String[]::new));
    }
}
