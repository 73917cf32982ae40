package dev.weft.linux.rtnl;

/**
 * Options of a link enslaved to a bridge. A null field is left as it is when set, and is absent
 * when read back from a kernel that does not report it.
 */
public record BridgePort(Boolean hairpin, Boolean learning, Boolean unicastFlood, Boolean neighSuppress,
                         Boolean isolated) {
    public static BridgePort hairpin(boolean on) {
        return new BridgePort(on, null, null, null, null);
    }
}
