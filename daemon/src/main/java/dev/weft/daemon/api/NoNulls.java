package dev.weft.daemon.api;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Map;

/**
 * Refuses JSON nulls where the engine cannot take them: as values of an object of names to strings
 * (Options, Labels, AuxiliaryAddresses) and as elements of a list (Cmd, Networks, Dns). A null
 * field of a request record means "absent" and stays allowed. Done at the API's edge, after
 * binding, so that nothing below (immutable maps and lists refuse nulls) sees one.
 */
final class NoNulls {
    private NoNulls() {
    }

    /** Throws a 400 naming the first field path that holds a null inside a map or a list. */
    static void check(Object body) {
        check(body, "");
    }

    private static void check(Object value, String path) {
        switch (value) {
            case null -> {
            }
            case Map<?, ?> map -> map.forEach((k, v) -> {
                String at = path + "." + k;
                if (v == null) {
                    throw new ApiException(400, "field " + at.substring(1) + ": null is not allowed (give a string)");
                }
                check(v, at);
            });
            case List<?> list -> {
                for (int i = 0; i < list.size(); i++) {
                    if (list.get(i) == null) {
                        throw new ApiException(400, "field " + path.substring(1) + "[" + i + "]: null is not allowed");
                    }
                    check(list.get(i), path + "[" + i + "]");
                }
            }
            case Record r -> {
                for (RecordComponent c : r.getClass().getRecordComponents()) {
                    check(component(r, c), path + "." + jsonName(c));
                }
            }
            default -> {
            }
        }
    }

    private static Object component(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + r.getClass().getSimpleName(), e);
        }
    }

    private static String jsonName(RecordComponent c) {
        var p = c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
        return p != null && !p.value().isEmpty() ? p.value() : c.getName();
    }
}
