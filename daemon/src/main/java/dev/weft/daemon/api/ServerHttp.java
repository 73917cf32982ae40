package dev.weft.daemon.api;

import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;

/** What weftd's two HTTP servers (the API and the plugin socket) share: their settings, and unread bodies drained. */
public final class ServerHttp {
    /** A request attribute set once the handler has read the body (so {@link #drain} leaves it be). */
    public static final String BODY_READ = "dev.weft.daemon.api.bodyRead";
    /** How much of an unread body is read and discarded before the answer; a longer one gets its connection closed. */
    public static final long LIMIT = 16L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(ServerHttp.class);

    private ServerHttp() {
    }

    /**
     * The HTTP settings of weftd's servers: any URI that parses
     * reaches the handler, which answers an odd path with its 404 or 400 on a connection that stays
     * open. Jetty's own refusal of, say, an encoded NUL in the path would close the connection without
     * saying so, and a client sending its next request on it would see it reset. The routes are
     * patterns over the decoded path, with no files behind them, so no path can reach what it should not.
     */
    public static HttpConfiguration httpConfiguration() {
        HttpConfiguration config = new HttpConfiguration();
        config.setUriCompliance(UriCompliance.UNSAFE);
        return config;
    }

    /**
     * Reads and discards what is left of the request body (a refused method's, a route's that takes
     * none), up to a bound, before the answer goes out: Jetty closes a connection whose request
     * content was left unread, and a client still sending would see a reset instead of the answer.
     */
    public static void drain(Request request) {
        if (request.getAttribute(BODY_READ) != null) {
            return;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            long skipped = 0;
            byte[] buffer = new byte[8192];
            for (int n; skipped < LIMIT && (n = in.read(buffer)) > 0; ) {
                skipped += n;
            }
        } catch (IOException e) {
            LOG.debug("cannot drain a request body: {}", e.getMessage());
        }
    }
}
