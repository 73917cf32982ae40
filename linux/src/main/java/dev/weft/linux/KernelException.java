package dev.weft.linux;

import dev.weft.linux.sys.Errno;

/**
 * A kernel operation that failed, with what was being done, to what, where, and why:
 * {@code cannot create veth "wv1a2b" in namespace c1: File exists (EEXIST)}. The nested
 * subclasses sort the errno values callers react to, so they can catch what they handle.
 */
public class KernelException extends RuntimeException {
    private final int errno;
    private final String operation;
    private final String object;
    private final String namespace;
    private final String kernelMessage;

    KernelException(int errno, String operation, String object, String namespace, String kernelMessage,
                    Throwable cause) {
        super(format(errno, operation, object, namespace, kernelMessage), cause);
        this.errno = errno;
        this.operation = operation;
        this.object = object;
        this.namespace = namespace;
        this.kernelMessage = kernelMessage;
    }

    /** The exception type that fits {@code errno}. {@code namespace} and {@code kernelMessage} may be null. */
    public static KernelException of(int errno, String operation, String object, String namespace,
                                     String kernelMessage) {
        return of(errno, operation, object, namespace, kernelMessage, null);
    }

    public static KernelException of(int errno, String operation, String object, String namespace,
                                     String kernelMessage, Throwable cause) {
        return switch (errno) {
            case Errno.EEXIST, Errno.EADDRINUSE -> new AlreadyExists(errno, operation, object, namespace, kernelMessage, cause);
            case Errno.ENOENT, Errno.ENODEV, Errno.ESRCH, Errno.EADDRNOTAVAIL, Errno.ENXIO ->
                    new NotFound(errno, operation, object, namespace, kernelMessage, cause);
            case Errno.EPERM, Errno.EACCES -> new PermissionDenied(errno, operation, object, namespace, kernelMessage, cause);
            case Errno.EINVAL, Errno.ERANGE, Errno.ENAMETOOLONG, Errno.ENOTDIR ->
                    new InvalidArgument(errno, operation, object, namespace, kernelMessage, cause);
            case Errno.EOPNOTSUPP, Errno.EAFNOSUPPORT, Errno.EPROTONOSUPPORT ->
                    new Unsupported(errno, operation, object, namespace, kernelMessage, cause);
            case Errno.EBUSY, Errno.ENOTEMPTY -> new Busy(errno, operation, object, namespace, kernelMessage, cause);
            default -> new KernelException(errno, operation, object, namespace, kernelMessage, cause);
        };
    }

    private static String format(int errno, String operation, String object, String namespace, String kernelMessage) {
        StringBuilder sb = new StringBuilder("cannot ").append(operation);
        if (object != null && !object.isEmpty()) {
            sb.append(' ').append(object);
        }
        if (namespace != null) {
            sb.append(" in namespace ").append(namespace);
        }
        sb.append(": ").append(Errno.describe(errno));
        if (kernelMessage != null && !kernelMessage.isBlank()) {
            sb.append(": ").append(kernelMessage);
        }
        return sb.toString();
    }

    public int errno() {
        return errno;
    }

    public String operation() {
        return operation;
    }

    public String object() {
        return object;
    }

    /** The namespace the operation ran in, or null for the caller's own. */
    public String namespace() {
        return namespace;
    }

    /** The kernel's extended-ack text, or null when it gave none. */
    public String kernelMessage() {
        return kernelMessage;
    }

    /** The object exists already (EEXIST, EADDRINUSE). */
    public static final class AlreadyExists extends KernelException {
        AlreadyExists(int e, String op, String obj, String ns, String msg, Throwable cause) {
            super(e, op, obj, ns, msg, cause);
        }
    }

    /** The object, or one it refers to, does not exist (ENOENT, ENODEV, ESRCH, EADDRNOTAVAIL, ENXIO). */
    public static final class NotFound extends KernelException {
        NotFound(int e, String op, String obj, String ns, String msg, Throwable cause) {
            super(e, op, obj, ns, msg, cause);
        }
    }

    /** The caller lacks the privilege (EPERM, EACCES): weft needs CAP_NET_ADMIN and CAP_SYS_ADMIN. */
    public static final class PermissionDenied extends KernelException {
        PermissionDenied(int e, String op, String obj, String ns, String msg, Throwable cause) {
            super(e, op, obj, ns, msg, cause);
        }
    }

    /** The kernel rejected a value (EINVAL, ERANGE, ENAMETOOLONG, ENOTDIR). */
    public static final class InvalidArgument extends KernelException {
        InvalidArgument(int e, String op, String obj, String ns, String msg, Throwable cause) {
            super(e, op, obj, ns, msg, cause);
        }
    }

    /** A kernel feature is missing (EOPNOTSUPP, EAFNOSUPPORT, EPROTONOSUPPORT). */
    public static final class Unsupported extends KernelException {
        Unsupported(int e, String op, String obj, String ns, String msg, Throwable cause) {
            super(e, op, obj, ns, msg, cause);
        }
    }

    /** The object is in use (EBUSY, ENOTEMPTY). */
    public static final class Busy extends KernelException {
        Busy(int e, String op, String obj, String ns, String msg, Throwable cause) {
            super(e, op, obj, ns, msg, cause);
        }
    }
}
