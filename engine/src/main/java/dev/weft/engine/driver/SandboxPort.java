package dev.weft.engine.driver;

import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;

/**
 * What a driver sees of a sandbox: its network namespace and an rtnetlink socket bound inside it,
 * both kept open by the controller for the sandbox's lifetime (opening a socket inside a
 * namespace costs a thread), or both null when the sandbox shares the host's network or is gone.
 * A hand-off port ({@link #handOff}) stands for a container another runtime owns (Docker, through
 * weft's plugin): the driver leaves the endpoint's interface in the host namespace, unconfigured,
 * under the name it is given, and that runtime moves it into its container and configures it.
 */
public record SandboxPort(String id, Netns netns, Rtnetlink rtnetlink, boolean handOff) {
    public SandboxPort(String id, Netns netns, Rtnetlink rtnetlink) {
        this(id, netns, rtnetlink, false);
    }

    /** The port of {@code id}, a container of another runtime. */
    public static SandboxPort handOff(String id) {
        return new SandboxPort(id, null, null, true);
    }

    public boolean hostNetwork() {
        return netns == null && !handOff;
    }
}
