package dev.weft.ovsdb;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Receives a monitor's updates: {@code updates} is RFC 7047's table-updates object,
 * table name -> row uuid -> {"old": row, "new": row}. Called on the client's reader thread, in
 * the order the server sent them; keep it short.
 */
@FunctionalInterface
public interface MonitorListener {
    void updated(ObjectNode updates);
}
