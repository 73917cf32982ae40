package dev.weft.bench;

/** One way of doing the attach sequence and its detach; the benchmark times attach and detach only. */
interface Attacher {
    /** A short name for the report's "tool" column. */
    String attachLabel();

    String detachLabel();

    /** Untimed work before {@link #attach}, such as writing batch files. */
    default void prepare(Slot slot) {
    }

    /** Attaches and returns the elapsed wall-clock time in nanoseconds. */
    long attach(Slot slot);

    /** Removes the host end of the veth (which takes the container end with it); returns nanoseconds. */
    long detach(Slot slot);
}
