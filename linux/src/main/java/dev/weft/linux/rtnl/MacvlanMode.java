package dev.weft.linux.rtnl;

/** macvlan modes with their kernel values (MACVLAN_MODE_*). */
public enum MacvlanMode {
    PRIVATE(1), VEPA(2), BRIDGE(4), PASSTHRU(8), SOURCE(16);

    final int value;

    MacvlanMode(int value) {
        this.value = value;
    }

    static MacvlanMode of(int value) {
        for (MacvlanMode m : values()) {
            if (m.value == value) {
                return m;
            }
        }
        return null;
    }

    /** Parses "bridge", "private", "vepa", "passthru" or "source". */
    public static MacvlanMode parse(String text) {
        for (MacvlanMode m : values()) {
            if (m.name().equalsIgnoreCase(text)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown macvlan mode \"" + text + "\" (bridge, private, vepa, passthru, source)");
    }
}
