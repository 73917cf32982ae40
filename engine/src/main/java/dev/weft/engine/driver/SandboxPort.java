package dev.weft.engine.driver;

import dev.weft.linux.netns.Netns;
import dev.weft.linux.rtnl.Rtnetlink;

/**
 * What a driver sees of a sandbox: its network namespace and an rtnetlink socket bound inside it,
 * both kept open by the controller for the sandbox's lifetime (opening a socket inside a
 * namespace costs a thread), or both null when the sandbox shares the host's network or is gone.
 */
public record SandboxPort(String id, Netns netns, Rtnetlink rtnetlink) {
    public boolean hostNetwork() {
        return netns == null;
    }
}
