package dev.weft.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address with a prefix length, such as 192.0.2.5/24 or 2001:db8::1/64. */
public record IpPrefix(InetAddress address, int length) {
    public IpPrefix {
        int max = address instanceof Inet4Address ? 32 : 128;
        if (length < 0 || length > max) {
            throw new IllegalArgumentException("prefix length " + length + " is out of range 0-" + max + " for " + address.getHostAddress());
        }
    }

    /** Parses "192.0.2.5/24"; a bare address gets the full length (/32 or /128). */
    public static IpPrefix parse(String text) {
        int slash = text.indexOf('/');
        String addr = slash < 0 ? text : text.substring(0, slash);
        InetAddress ip = parseAddress(addr);
        if (slash < 0) {
            return new IpPrefix(ip, ip instanceof Inet4Address ? 32 : 128);
        }
        try {
            return new IpPrefix(ip, Integer.parseInt(text.substring(slash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid prefix length in \"" + text + "\"");
        }
    }

    /** Parses a literal IPv4 or IPv6 address, never consulting DNS. */
    public static InetAddress parseAddress(String text) {
        boolean literal = !text.isEmpty() && (text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
        if (literal) {
            try {
                InetAddress a = InetAddress.ofLiteral(text);
                if (a != null) {
                    return a;
                }
            } catch (IllegalArgumentException ignored) {
                // fall through
            }
        }
        throw new IllegalArgumentException("invalid IP address \"" + text + "\"");
    }

    /** The default route's destination for the family of {@code sample}: 0.0.0.0/0 or ::/0. */
    public static IpPrefix any(InetAddress sample) {
        try {
            return sample instanceof Inet4Address
                    ? new IpPrefix(InetAddress.getByAddress(new byte[4]), 0)
                    : new IpPrefix(InetAddress.getByAddress(new byte[16]), 0);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean isIpv4() {
        return address instanceof Inet4Address;
    }

    /** The address in its usual text form; IPv6 compressed ("2001:db8::1"). */
    public static String format(InetAddress a) {
        if (a instanceof Inet4Address) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format(address) + "/" + length;
    }
}
