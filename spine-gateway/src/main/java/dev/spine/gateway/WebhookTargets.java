package dev.spine.gateway;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Which webhook URLs may be called. Unless {@code SPINE_BUS_WEBHOOK_ALLOW_PRIVATE=true}, a URL whose host
 * resolves to a loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local (169.254/16, where
 * cloud metadata services live), carrier-grade NAT (100.64/10), unspecified or multicast address is
 * refused: the service must not become a way into the network it runs in. The check runs when a
 * subscription is made and again before every delivery (a name may resolve elsewhere later); redirects
 * are never followed.
 */
final class WebhookTargets {
    private final boolean allowPrivate;

    WebhookTargets(boolean allowPrivate) {
        this.allowPrivate = allowPrivate;
    }

    /** Null when {@code url} may be called, else why not. */
    String refusal(URI url) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
            return "url must be http:// or https://";
        }
        if (url.getHost() == null || url.getHost().isEmpty()) {
            return "url has no host";
        }
        if (url.getUserInfo() != null) {
            return "url must not carry credentials";
        }
        if (allowPrivate) {
            return null;
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(url.getHost());
        } catch (UnknownHostException e) {
            return "host " + url.getHost() + " does not resolve";
        }
        for (InetAddress a : addresses) {
            if (isInternal(a)) {
                return "host " + url.getHost() + " resolves to the internal address " + a.getHostAddress()
                        + " (set SPINE_BUS_WEBHOOK_ALLOW_PRIVATE=true to allow private and loopback targets)";
            }
        }
        return null;
    }

    static boolean isInternal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet6Address) {
            return (b[0] & 0xfe) == 0xfc; // unique local fc00::/7
        }
        int first = b[0] & 0xff;
        int second = b[1] & 0xff;
        return first == 0 || (first == 100 && second >= 64 && second < 128) || first >= 240;
    }
}
