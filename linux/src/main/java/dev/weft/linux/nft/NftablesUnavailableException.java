package dev.weft.linux.nft;

/** libnftables is missing, or a context cannot be used safely (its socket number is too high). */
public final class NftablesUnavailableException extends RuntimeException {
    public NftablesUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public NftablesUnavailableException(String message) {
        super(message);
    }
}
