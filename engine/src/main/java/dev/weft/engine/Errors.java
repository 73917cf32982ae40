package dev.weft.engine;

import dev.weft.engine.ipam.IpamException;
import dev.weft.linux.KernelException;

/** Maps lower layers' errors onto the engine's kinds, keeping their messages. */
public final class Errors {
    private Errors() {
    }

    public static WeftException of(IpamException e) {
        WeftException.Kind kind = switch (e.reason()) {
            case INVALID, OUT_OF_RANGE -> WeftException.Kind.INVALID_ARGUMENT;
            case OVERLAP, ALREADY_ALLOCATED, IN_USE -> WeftException.Kind.CONFLICT;
            case NOT_FOUND, NOT_ALLOCATED -> WeftException.Kind.NOT_FOUND;
            case EXHAUSTED -> WeftException.Kind.UNAVAILABLE;
        };
        return new WeftException(kind, e.getMessage(), e);
    }

    public static WeftException of(KernelException e) {
        WeftException.Kind kind = switch (e) {
            case KernelException.AlreadyExists x -> WeftException.Kind.CONFLICT;
            case KernelException.NotFound x -> WeftException.Kind.NOT_FOUND;
            case KernelException.InvalidArgument x -> WeftException.Kind.INVALID_ARGUMENT;
            case KernelException.PermissionDenied x -> WeftException.Kind.FORBIDDEN;
            default -> WeftException.Kind.UNAVAILABLE;
        };
        return new WeftException(kind, e.getMessage(), e);
    }
}
