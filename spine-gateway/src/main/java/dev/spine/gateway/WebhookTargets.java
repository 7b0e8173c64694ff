package dev.spine.gateway;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Which webhook URLs may be called. A URL whose host resolves to a loopback, private (10/8, 172.16/12,
 * 192.168/16, fc00::/7), link-local (169.254/16, where cloud metadata services live, fe80::/10),
 * carrier-grade NAT (100.64/10), unspecified, reserved or multicast address is refused, unless the
 * {@link WebhookAllowList} names the host or the address: the service must not become a way into the
 * network it runs in. A name is resolved once per check and every address it resolves to must pass; the
 * sender then connects to one of exactly those addresses ({@link PinnedPost}), so a name that resolves
 * elsewhere a moment later (DNS rebinding) cannot redirect the delivery. Checked when a subscription is made
 * and again before every delivery; redirects are never followed.
 */
final class WebhookTargets {
    /** The answer of {@link #check}: the addresses to connect to, or why not. */
    sealed interface Verdict permits Refusal, Checked {}

    /** Why a target is refused: the code (in the API's error and the dead letter's error) and the message. */
    record Refusal(String code, String message) implements Verdict {
        @Override
        public String toString() {
            return code + ": " + message;
        }
    }

    /** A URL that passed: the addresses its host resolved to, every one of them allowed. */
    record Checked(URI url, List<InetAddress> addresses) implements Verdict {}

    /** Resolves a host name; {@link InetAddress#getAllByName} outside tests. */
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final WebhookAllowList allow;
    private final Resolver resolver;

    WebhookTargets(WebhookAllowList allow) {
        this(allow, InetAddress::getAllByName);
    }

    WebhookTargets(WebhookAllowList allow, Resolver resolver) {
        this.allow = allow;
        this.resolver = resolver;
    }

    /** Null when {@code url} may be called, else why not. */
    Refusal refusal(URI url) {
        return check(url) instanceof Refusal r ? r : null;
    }

    /** The {@link Checked} addresses to connect to, or the {@link Refusal}. */
    Verdict check(URI url) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
            return new Refusal("INVALID_FIELD", "url must be http:// or https://");
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            return new Refusal("INVALID_FIELD", "url has no host");
        }
        if (url.getUserInfo() != null) {
            return new Refusal("INVALID_FIELD", "url must not carry credentials");
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(url.getHost());
        } catch (UnknownHostException e) {
            return new Refusal("TARGET_UNRESOLVED", "host " + url.getHost() + " does not resolve");
        }
        if (addresses.length == 0) {
            return new Refusal("TARGET_UNRESOLVED", "host " + url.getHost() + " does not resolve");
        }
        boolean namedInAllowList = allow.allowsHost(hostName(url));
        for (InetAddress a : addresses) {
            String kind = kind(a);
            if (kind != null && !namedInAllowList && !allow.allows(a)) {
                return new Refusal("TARGET_" + kind, "host " + url.getHost() + " resolves to the "
                        + kind.toLowerCase().replace('_', '-') + " address " + a.getHostAddress() + " (internal "
                        + "receivers must be named in " + WebhookAllowList.VARIABLE + ")");
            }
        }
        return new Checked(url, List.of(addresses));
    }

    /** The host without the brackets of an IPv6 literal. */
    static String hostName(URI url) {
        String h = url.getHost();
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    /** What kind of internal address {@code a} is ({@code LOOPBACK}, {@code PRIVATE}, ...), or null for a public one. */
    static String kind(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return "LOOPBACK";
        }
        if (a.isAnyLocalAddress()) {
            return "UNSPECIFIED";
        }
        if (a.isLinkLocalAddress()) {
            return "LINK_LOCAL";
        }
        if (a.isSiteLocalAddress()) {
            return "PRIVATE";
        }
        if (a.isMulticastAddress()) {
            return "MULTICAST";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc ? "PRIVATE" : null; // unique local fc00::/7
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        if (first == 100 && second >= 64 && second < 128) {
            return "PRIVATE"; // carrier-grade NAT 100.64/10: inside some provider's network
        }
        return first == 0 || first >= 240 ? "RESERVED" : null;
    }
}
