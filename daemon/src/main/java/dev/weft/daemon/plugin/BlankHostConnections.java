package dev.weft.daemon.plugin;

import org.eclipse.jetty.http.HostPortHttpField;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import dev.weft.daemon.api.ServerHttp;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.internal.HttpConnection;

/**
 * HTTP/1.1 connections that accept dockerd's requests. Docker's plugin client (Go's net/http
 * dialing a Unix socket) sends {@code Host:} with an empty value, which Jetty refuses with
 * "400 Blank Host" before any handler runs; here an empty Host header is read as
 * {@code Host: localhost}. Everything else is Jetty's own HTTP/1.1.
 */
public final class BlankHostConnections extends HttpConnectionFactory {
    public BlankHostConnections() {
        super(ServerHttp.httpConfiguration());
    }

    @Override
    public Connection newConnection(Connector connector, EndPoint endPoint) {
        HttpConnection conn = new Lenient(getHttpConfiguration(), connector, endPoint);
        conn.setTransferEncodingChunkMaxLength(getTransferEncodingChunkMaxLength());
        return configure(conn, connector, endPoint);
    }

    /** A connection whose parser hands a blank Host header on as "localhost". */
    private static final class Lenient extends HttpConnection {
        Lenient(HttpConfiguration config, Connector connector, EndPoint endPoint) {
            super(config, connector, endPoint);
        }

        @Override
        protected RequestHandler newRequestHandler() {
            return new RequestHandler() {
                @Override
                public void parsedHeader(HttpField field) {
                    boolean blank = field.getHeader() == HttpHeader.HOST
                            && (field.getValue() == null || field.getValue().isBlank());
                    super.parsedHeader(blank ? new HostPortHttpField("localhost") : field);
                }
            };
        }
    }
}
