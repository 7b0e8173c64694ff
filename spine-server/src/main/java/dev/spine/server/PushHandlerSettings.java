package dev.spine.server;

import dev.spine.contracts.ConfigException;
import dev.spine.contracts.SettingsReader;
import dev.spine.contracts.VariableTable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * HTTP push job handlers: job types whose jobs this process runs by POSTing them to an endpoint of another
 * service, in any language ({@link PushHandler}). {@code SPINE_PUSH_HANDLERS} lists {@code type=url} pairs,
 * comma-separated (the routing file's {@code pushHandlers} section can name more); {@code SPINE_PUSH_SECRET}
 * is the HMAC key of their {@code Spine-Signature} (required as soon as one handler is named). Which addresses
 * may be called is the webhooks' rule ({@code SPINE_BUS_WEBHOOK_ALLOW}).
 */
public record PushHandlerSettings(Map<String, URI> endpoints, String secret) {
    public static final String HANDLERS = "SPINE_PUSH_HANDLERS";
    public static final String SECRET = "SPINE_PUSH_SECRET";
    /** The shortest secret accepted: a short one can be guessed, and then anyone can make the receiver run jobs. */
    public static final int MIN_SECRET_LENGTH = 16;
    /** A job type named here: the routing file's rule for job types (RouteReader). */
    private static final Pattern TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9_.\\-]{0,199}");

    public static final Map<String, String[]> VARIABLES = new VariableTable()
            .add(HANDLERS, "", "job types run by a signed POST to an endpoint, type=url,... (empty: none)")
            .add(SECRET, "", "HMAC key of the push handlers' Spine-Signature (16+ characters)")
            .build();

    public PushHandlerSettings {
        endpoints = Collections.unmodifiableMap(new LinkedHashMap<>(endpoints));
    }

    static PushHandlerSettings from(SettingsReader r) {
        String list = r.text(HANDLERS);
        Map<String, URI> endpoints = new LinkedHashMap<>();
        if (!list.isBlank()) {
            for (String raw : list.split(",")) {
                String entry = raw.strip();
                int eq = entry.indexOf('=');
                if (eq <= 0) {
                    throw new ConfigException(HANDLERS, "entry '" + entry + "' must be type=url");
                }
                String type = entry.substring(0, eq).strip();
                if (!TYPE.matcher(type).matches()) {
                    throw new ConfigException(HANDLERS, "job type '" + type + "' must start with a letter and hold "
                            + "only letters, digits, '_', '.' and '-' (up to 200), as in the routing file");
                }
                if (endpoints.put(type, url(entry.substring(eq + 1).strip(), type)) != null) {
                    throw new ConfigException(HANDLERS, "job type " + type + " is named twice");
                }
            }
        }
        String secret = r.text(SECRET);
        if (!endpoints.isEmpty()) {
            checkSecret(secret, HANDLERS + " names a handler");
        }
        return new PushHandlerSettings(endpoints, secret);
    }

    /** Fails naming {@value #SECRET} when {@code secret} is missing or short, and push handlers exist ({@code why}). */
    static void checkSecret(String secret, String why) {
        if (secret.length() < MIN_SECRET_LENGTH) {
            throw new ConfigException(SECRET, secret.isEmpty() ? "is required when " + why
                    : "must be at least " + MIN_SECRET_LENGTH + " characters, was " + secret.length());
        }
    }

    private static URI url(String text, String type) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new ConfigException(HANDLERS, "url of " + type + " is not a URL: '" + text + "'");
        }
        if (url.getScheme() == null || !url.getScheme().matches("https?") || url.getHost() == null) {
            throw new ConfigException(HANDLERS, "url of " + type + " must be http:// or https:// with a host, was '"
                    + text + "'");
        }
        if (url.getUserInfo() != null) {
            throw new ConfigException(HANDLERS, "url of " + type + " must not carry credentials (the signature "
                    + "authenticates the spine)");
        }
        return url;
    }

    Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        StringBuilder list = new StringBuilder();
        endpoints.forEach((type, url) -> list.append(list.length() == 0 ? "" : ",").append(type).append('=')
                .append(url));
        m.put(HANDLERS, list.toString());
        m.put(SECRET, secret);
        return m;
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "PushHandlerSettings[endpoints=" + endpoints + ", secret=" + (secret.isEmpty() ? "" : "***") + "]";
    }
}
