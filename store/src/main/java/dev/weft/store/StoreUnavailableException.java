package dev.weft.store;

/**
 * The store did not answer in time or could not be reached: unlike a refusal (a wrong password,
 * an untrusted certificate), trying again later may succeed.
 */
public class StoreUnavailableException extends StoreException {
    public StoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
