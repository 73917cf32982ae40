package dev.weft.daemon.cni;

/**
 * A CNI error result: a code from the specification's table (or 100+ for weft's own), a short
 * message and details. The shim prints it on stdout and exits non-zero.
 */
final class CniError extends RuntimeException {
    /** Incompatible CNI version. */
    static final int INCOMPATIBLE_VERSION = 1;
    /** Unsupported field in the network configuration. */
    static final int UNSUPPORTED_FIELD = 2;
    /** Invalid necessary environment variables. */
    static final int INVALID_ENVIRONMENT = 4;
    /** I/O failure. */
    static final int IO_FAILURE = 5;
    /** Failed to decode content. */
    static final int DECODING_FAILURE = 6;
    /** Invalid network configuration. */
    static final int INVALID_CONFIG = 7;
    /** Try again later. */
    static final int TRY_AGAIN_LATER = 11;
    /** weft's own: an attachment is not as its ADD left it (CHECK). */
    static final int NOT_AS_EXPECTED = 100;
    /** weft's own: the delegated IPAM plugin failed. */
    static final int IPAM_FAILED = 101;
    /** weft's own: the attachment or a resource it needs already exists or is in use. */
    static final int IN_USE = 102;
    /** weft's own: an unexpected failure inside weftd. */
    static final int INTERNAL = 999;

    private final int code;
    private final String details;

    CniError(int code, String msg, String details) {
        super(msg);
        this.code = code;
        this.details = details == null ? "" : details;
    }

    static CniError environment(String details) {
        return new CniError(INVALID_ENVIRONMENT, "invalid environment variables", details);
    }

    static CniError config(String details) {
        return new CniError(INVALID_CONFIG, "invalid network configuration", details);
    }

    static CniError version(String details) {
        return new CniError(INCOMPATIBLE_VERSION, "incompatible CNI version", details);
    }

    int code() {
        return code;
    }

    String details() {
        return details;
    }
}
