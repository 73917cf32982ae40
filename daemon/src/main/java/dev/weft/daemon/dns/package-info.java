/**
 * The embedded DNS at 127.0.0.11 in every sandbox. {@link dev.weft.daemon.dns.DnsServers} is the
 * service weftd starts: one {@link dev.weft.daemon.dns.DnsListener} (a UDP and a TCP socket
 * inside that sandbox's namespace) per sandbox, kept in step with the controller, all of them
 * read by one {@link dev.weft.daemon.dns.DnsSelector} thread.
 * {@link dev.weft.daemon.dns.DnsResolver} answers a query: names from
 * {@link dev.weft.daemon.dns.DnsNames} (what the asking sandbox's networks call their endpoints
 * and services), else forwarded to the upstream resolvers from the host's namespace.
 */
package dev.weft.daemon.dns;
