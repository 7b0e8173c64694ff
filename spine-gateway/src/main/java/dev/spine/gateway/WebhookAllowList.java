package dev.spine.gateway;

import dev.spine.contracts.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The internal webhook receivers an operator allows ({@code SPINE_BUS_WEBHOOK_ALLOW}): a comma-separated
 * list of address blocks ({@code 10.20.0.0/16}, {@code fd00::/8}), single addresses ({@code 127.0.0.1}) and
 * host names ({@code hooks.internal}, matched exactly, case-insensitive). Empty (the default): no internal
 * target is allowed. Everything else is refused by {@link WebhookTargets}.
 */
public final class WebhookAllowList {
    public static final String VARIABLE = "SPINE_BUS_WEBHOOK_ALLOW";
    private static final WebhookAllowList NONE = new WebhookAllowList("", List.of(), List.of());

    private final String text;
    private final List<Block> blocks;
    private final List<String> hosts;

    private WebhookAllowList(String text, List<Block> blocks, List<String> hosts) {
        this.text = text;
        this.blocks = blocks;
        this.hosts = hosts;
    }

    /** Nothing internal allowed. */
    public static WebhookAllowList none() {
        return NONE;
    }

    /**
     * Parses the variable's value.
     *
     * @throws ConfigException naming {@value #VARIABLE} and the bad entry
     */
    public static WebhookAllowList parse(String text) {
        if (text == null || text.isBlank()) {
            return NONE;
        }
        List<Block> blocks = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        for (String raw : text.split(",")) {
            String entry = raw.strip();
            if (entry.isEmpty()) {
                throw new ConfigException(VARIABLE, "has an empty entry: '" + text + "'");
            }
            if (entry.contains("/") || entry.contains(":") || entry.matches("[0-9.]+")) {
                blocks.add(Block.parse(entry));
            } else if (entry.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
                hosts.add(entry.toLowerCase(Locale.ROOT));
            } else {
                throw new ConfigException(VARIABLE, "entry '" + entry + "' is neither an address block (10.0.0.0/8), "
                        + "an address nor a host name");
            }
        }
        return new WebhookAllowList(text.strip(), List.copyOf(blocks), List.copyOf(hosts));
    }

    /** Whether the host of a webhook URL is allowed by name. */
    boolean allowsHost(String host) {
        return hosts.contains(host.toLowerCase(Locale.ROOT));
    }

    /** Whether an address lies in an allowed block. */
    boolean allows(InetAddress address) {
        for (Block b : blocks) {
            if (b.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The variable's value, as given. */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WebhookAllowList other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** An address block: the first {@code bits} bits of {@code network}. */
    private record Block(byte[] network, int bits) {
        static Block parse(String entry) {
            int slash = entry.indexOf('/');
            String address = slash < 0 ? entry : entry.substring(0, slash);
            byte[] bytes;
            try {
                // a literal only: no name lookup happens for an address of digits, dots and colons
                if (!address.matches("[0-9.]+|[0-9A-Fa-f:.]+")) {
                    throw new UnknownHostException(address);
                }
                bytes = InetAddress.getByName(address).getAddress();
            } catch (UnknownHostException e) {
                throw new ConfigException(VARIABLE, "entry '" + entry + "' has no valid address");
            }
            int bits = bytes.length * 8;
            if (slash >= 0) {
                try {
                    bits = Integer.parseInt(entry.substring(slash + 1));
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new ConfigException(VARIABLE, "entry '" + entry + "' needs a prefix length 0.."
                            + bytes.length * 8);
                }
            }
            return new Block(bytes, bits);
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
