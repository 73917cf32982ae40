package dev.weft.engine.ipam;

/** An IPAM request that cannot be met; {@link #reason()} says why, the message names the objects. */
public final class IpamException extends RuntimeException {
    /** Why an IPAM request failed. */
    public enum Reason {
        INVALID, OVERLAP, OUT_OF_RANGE, ALREADY_ALLOCATED, NOT_ALLOCATED, EXHAUSTED, NOT_FOUND, IN_USE
    }

    private final Reason reason;

    public IpamException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
