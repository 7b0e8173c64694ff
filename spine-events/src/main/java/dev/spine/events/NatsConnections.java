package dev.spine.events;

import dev.spine.contracts.ConfigException;
import io.nats.client.AuthHandler;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.NKey;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.support.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How to reach NATS: the servers, one way of authenticating (user and password, token, nkey seed, or a
 * {@code .creds} file), and TLS (a PEM CA to trust, optionally a PEM client certificate and key for mutual
 * TLS). Built in code with {@link #builder(String)} or read from {@code SPINE_NATS_*} variables with
 * {@link #fromEnvironment(Function)}; {@link #connect(String)} opens a connection that reconnects forever.
 *
 * <p>Secrets are never shown: {@link #toString()} says which method is used and masks the secret, and the
 * connection's listener logs the user's name, never a password, token or seed. A publish the server's
 * permissions forbid is logged once per subject at ERROR, naming the subject and the user, and handed to
 * the {@link Builder#onPermissionViolation} callback (NATS itself only lets the publish time out).
 *
 * <pre>{@code
 * Connection nats = NatsConnections.builder("tls://nats-1:4222,tls://nats-2:4222")
 *         .userPassword("connector", System.getenv("NATS_PASSWORD"))
 *         .tlsCa(Path.of("/etc/spine/nats-ca.pem"))
 *         .build().connect("billing-connector");
 * Spine spine = Spine.builder(nats).build();          // you close nats after the spine
 * }</pre>
 */
public final class NatsConnections {
    private static final Logger LOG = LoggerFactory.getLogger(NatsConnections.class);

    /** How long {@link #connect(String)} waits for the first connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Pause between reconnect attempts (jnats adds jitter). */
    public static final Duration DEFAULT_RECONNECT_WAIT = Duration.ofSeconds(1);

    /** The variables {@link #fromEnvironment} reads, with their meaning (defaults: empty = unused). */
    public static final Map<String, String> VARIABLES;
    public static final String URL = "SPINE_NATS_URL";
    public static final String USER = "SPINE_NATS_USER";
    public static final String PASSWORD = "SPINE_NATS_PASSWORD";
    public static final String TOKEN = "SPINE_NATS_TOKEN";
    public static final String NKEY_SEED_FILE = "SPINE_NATS_NKEY_SEED_FILE";
    public static final String CREDS_FILE = "SPINE_NATS_CREDS_FILE";
    public static final String TLS_CA = "SPINE_NATS_TLS_CA";
    public static final String TLS_CERT = "SPINE_NATS_TLS_CERT";
    public static final String TLS_KEY = "SPINE_NATS_TLS_KEY";

    static {
        Map<String, String> v = new LinkedHashMap<>();
        v.put(USER, "NATS user name (with SPINE_NATS_PASSWORD)");
        v.put(PASSWORD, "NATS password of SPINE_NATS_USER (never logged)");
        v.put(TOKEN, "NATS token, instead of a user (never logged)");
        v.put(NKEY_SEED_FILE, "file holding an nkey user seed (SU...), instead of a user or token");
        v.put(CREDS_FILE, "a .creds file (JWT and seed, decentralised auth), instead of the others");
        v.put(TLS_CA, "PEM file of the CA(s) to trust; set, the connection uses TLS");
        v.put(TLS_CERT, "PEM client certificate for mutual TLS (with SPINE_NATS_TLS_KEY)");
        v.put(TLS_KEY, "PEM PKCS#8 private key of SPINE_NATS_TLS_CERT (never logged)");
        VARIABLES = java.util.Collections.unmodifiableMap(v); // no caller can change what another reads
    }

    /** The authentication method in use. */
    public enum Auth { NONE, USER_PASSWORD, TOKEN, NKEY, CREDS }

    private static final Pattern PUBLISH_VIOLATION =
            Pattern.compile("Permissions Violation for Publish to \"?([^\"]+)\"?", Pattern.CASE_INSENSITIVE);

    private final String servers;
    private final Auth auth;
    private final String user;
    private final char[] secret;
    private final Path file;
    private final Path tlsCa;
    private final Path tlsCert;
    private final Path tlsKey;
    private final Duration connectTimeout;
    private final java.util.function.Consumer<String> onPermissionViolation;

    private NatsConnections(Builder b) {
        this.servers = b.servers;
        this.auth = b.auth;
        this.user = b.user;
        this.secret = b.secret;
        this.file = b.file;
        this.tlsCa = b.tlsCa;
        this.tlsCert = b.tlsCert;
        this.tlsKey = b.tlsKey;
        this.connectTimeout = b.connectTimeout;
        this.onPermissionViolation = b.onPermissionViolation;
    }

    /** Servers as a comma-separated list of URLs ({@code nats://} or {@code tls://}). */
    public static Builder builder(String servers) {
        return new Builder(servers);
    }

    /**
     * Reads {@link #URL} and the {@link #VARIABLES} from {@code env} (unset or blank: unused). At most one
     * authentication method may be set; a bad combination or an unreadable file fails with
     * {@link ConfigException} naming the variable.
     */
    public static NatsConnections fromEnvironment(Function<String, String> env) {
        Function<String, String> get = name -> {
            String v = env.apply(name);
            return v == null || v.isBlank() ? null : v.trim();
        };
        String url = get.apply(URL);
        Builder b = builder(url == null ? "nats://127.0.0.1:4222" : url);
        String user = get.apply(USER);
        String password = get.apply(PASSWORD);
        List<String> methods = new ArrayList<>();
        for (String method : List.of(USER, TOKEN, NKEY_SEED_FILE, CREDS_FILE)) {
            if (get.apply(method) != null || (method.equals(USER) && password != null)) {
                methods.add(method);
            }
        }
        if (methods.size() > 1) {
            throw new ConfigException(methods.get(1), "only one way of authenticating may be set, found " + methods);
        }
        if (user != null || password != null) {
            if (user == null) {
                throw new ConfigException(USER, "must be set when " + PASSWORD + " is");
            }
            if (password == null) {
                throw new ConfigException(PASSWORD, "must be set when " + USER + " is");
            }
            b.userPassword(user, password);
        } else if (get.apply(TOKEN) != null) {
            b.token(get.apply(TOKEN));
        } else if (get.apply(NKEY_SEED_FILE) != null) {
            b.nkeySeedFile(Path.of(get.apply(NKEY_SEED_FILE)));
        } else if (get.apply(CREDS_FILE) != null) {
            b.credsFile(Path.of(get.apply(CREDS_FILE)));
        }
        if (get.apply(TLS_CA) != null) {
            b.tlsCa(Path.of(get.apply(TLS_CA)));
        }
        if (get.apply(TLS_CERT) != null || get.apply(TLS_KEY) != null) {
            if (get.apply(TLS_CERT) == null) {
                throw new ConfigException(TLS_CERT, "must be set when " + TLS_KEY + " is");
            }
            if (get.apply(TLS_KEY) == null) {
                throw new ConfigException(TLS_KEY, "must be set when " + TLS_CERT + " is");
            }
            b.tlsClientCertificate(Path.of(get.apply(TLS_CERT)), Path.of(get.apply(TLS_KEY)));
        }
        return b.build(true);
    }

    /** The settings as variables, the inverse of {@link #fromEnvironment} (secrets included: never log them). */
    public Map<String, String> asVariables() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(URL, servers);
        m.put(USER, auth == Auth.USER_PASSWORD ? user : "");
        m.put(PASSWORD, auth == Auth.USER_PASSWORD ? new String(secret) : "");
        m.put(TOKEN, auth == Auth.TOKEN ? new String(secret) : "");
        m.put(NKEY_SEED_FILE, auth == Auth.NKEY ? file.toString() : "");
        m.put(CREDS_FILE, auth == Auth.CREDS ? file.toString() : "");
        m.put(TLS_CA, tlsCa == null ? "" : tlsCa.toString());
        m.put(TLS_CERT, tlsCert == null ? "" : tlsCert.toString());
        m.put(TLS_KEY, tlsKey == null ? "" : tlsKey.toString());
        return m;
    }

    /**
     * jnats options for these settings: servers, authentication, TLS, reconnect forever, the connect
     * timeout, and a listener that logs connection events and permission violations without secrets.
     * Add your own options before {@code build()}.
     */
    public Options.Builder options(String connectionName) {
        Options.Builder o = new Options.Builder().servers(servers.split("\\s*,\\s*")).connectionName(connectionName)
                .maxReconnects(-1).reconnectWait(DEFAULT_RECONNECT_WAIT).connectionTimeout(connectTimeout);
        switch (auth) {
            case USER_PASSWORD -> o.userInfo(user.toCharArray(), secret.clone());
            case TOKEN -> o.token(secret.clone());
            case NKEY -> o.authHandler(new SeedAuthHandler(secret));
            case CREDS -> o.authHandler(Nats.credentials(file.toString()));
            case NONE -> { }
        }
        if (tlsCa != null) {
            o.sslContext(sslContext());
        }
        Listener listener = new Listener(describeUser(), onPermissionViolation);
        return o.errorListener(listener).connectionListener(listener);
    }

    /** Opens a connection ({@link #options}); fails with {@link SpineException} saying why, without secrets. */
    public Connection connect(String connectionName) {
        try {
            return Nats.connect(options(connectionName).build());
        } catch (IOException e) {
            throw new SpineException("cannot connect to NATS at " + servers + " as " + describeUser() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpineException("interrupted while connecting to NATS at " + servers, e);
        }
    }

    public String servers() {
        return servers;
    }

    public Auth auth() {
        return auth;
    }

    /** Whether the connection uses TLS (a CA is configured, or a server URL is {@code tls://}). */
    public boolean tls() {
        return tlsCa != null || servers.contains("tls://");
    }

    /** Servers, method, user and TLS files; secrets masked. */
    @Override
    public String toString() {
        return servers + " (auth " + auth + (auth == Auth.NONE ? "" : " as " + describeUser())
                + (tls() ? ", TLS" + (tlsCa == null ? "" : " trusting " + tlsCa) + (tlsCert == null ? "" : ", client "
                + "certificate " + tlsCert) : "") + ")";
    }

    private String describeUser() {
        return switch (auth) {
            case USER_PASSWORD -> "user '" + user + "' (password ***)";
            case TOKEN -> "a token (***)";
            case NKEY -> "nkey " + publicKeyOf(secret);
            case CREDS -> "the credentials in " + file;
            case NONE -> "anonymous";
        };
    }

    private static String publicKeyOf(char[] seed) {
        try {
            return new String(NKey.fromSeed(seed.clone()).getPublicKey());
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return "(unreadable seed)";
        }
    }

    private SSLContext sslContext() {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certificates(tlsCa, TLS_CA)) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            KeyManagerFactory kmf = null;
            if (tlsCert != null) {
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                char[] none = new char[0];
                keys.setKeyEntry("client", privateKey(tlsKey), none,
                        certificates(tlsCert, TLS_CERT).toArray(Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, none);
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(TLS_CA, "cannot build the TLS context: " + e.getMessage());
        }
    }

    private static Collection<? extends Certificate> certificates(Path pem, String setting) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
            if (certs.isEmpty()) {
                throw new ConfigException(setting, "no certificate in " + pem);
            }
            return certs;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigException(setting, "cannot read PEM certificates from " + pem + ": " + e.getMessage());
        }
    }

    private static PrivateKey privateKey(Path pem) {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new ConfigException(TLS_KEY, "cannot read " + pem + ": " + e.getMessage());
        }
        Matcher m = Pattern.compile("-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----").matcher(text);
        if (!m.find()) {
            throw new ConfigException(TLS_KEY, pem + " holds no PKCS#8 key (-----BEGIN PRIVATE KEY-----); convert it "
                    + "with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8.pem");
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(m.group(1)));
        for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new ConfigException(TLS_KEY, pem + " holds a key that is neither RSA, EC nor Ed25519");
    }

    /** Signs the server's nonce with an nkey user seed (no JWT). */
    private record SeedAuthHandler(char[] seed) implements AuthHandler {
        @Override
        public byte[] sign(byte[] nonce) {
            try {
                return NKey.fromSeed(seed.clone()).sign(nonce);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot sign with the nkey seed", e);
            }
        }

        @Override
        public char[] getID() {
            try {
                return NKey.fromSeed(seed.clone()).getPublicKey();
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot read the nkey seed", e);
            }
        }

        @Override
        public char[] getJWT() {
            return null;
        }

        @Override
        public String toString() {
            return "SeedAuthHandler(***)";
        }
    }

    /**
     * Logs connection events once, in one line each, and permission violations at ERROR naming the subject
     * and the user (once per subject: a publisher retrying in a loop must not flood the log).
     */
    private static final class Listener implements ErrorListener, ConnectionListener {
        private final String who;
        private final java.util.function.Consumer<String> onViolation;
        private final Set<String> reported = ConcurrentHashMap.newKeySet();
        /** Whether the connection is (or was last) up; a failed first connect never was. */
        private final java.util.concurrent.atomic.AtomicBoolean up = new java.util.concurrent.atomic.AtomicBoolean();

        Listener(String who, java.util.function.Consumer<String> onViolation) {
            this.who = who;
            this.onViolation = onViolation;
        }

        @Override
        public void errorOccurred(Connection conn, String error) {
            Matcher m = PUBLISH_VIOLATION.matcher(error);
            if (m.find()) {
                String subject = m.group(1);
                if (reported.add(subject)) {
                    LOG.error("NATS refused a publish to '{}' by {}: permissions violation. This publisher may not "
                            + "publish that event type; its publishes there fail (no acknowledgement)", subject, who);
                }
                onViolation.accept(subject);
            } else if (error.toLowerCase().contains("authorization violation")) {
                LOG.error("NATS refused {}: authorization violation (wrong or missing credentials)", who);
            } else {
                LOG.warn("NATS server error on connection {}: {}", conn.getOptions().getConnectionName(), error);
            }
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            LOG.debug("NATS connection {}: {}", conn.getOptions().getConnectionName(), exp.toString());
        }

        /**
         * A pull consumer heard neither messages nor the server's idle heartbeats for its pull: its pull was lost
         * (a server restart, an expiry the client never saw) and jnats pulls again. Until it does, that consumer's
         * events wait, so each occurrence is worth a line.
         */
        @Override
        public void heartbeatAlarm(Connection conn, JetStreamSubscription sub, long lastStreamSequence,
                long lastConsumerSequence) {
            LOG.warn("NATS connection {}: consumer {} missed the server's heartbeats (last stream sequence {}); "
                    + "pulling again", conn.getOptions().getConnectionName(), consumerName(sub), lastStreamSequence);
        }

        @Override
        public void pullStatusError(Connection conn, JetStreamSubscription sub, Status status) {
            LOG.warn("NATS connection {}: consumer {}: pull failed: {} {}", conn.getOptions().getConnectionName(),
                    consumerName(sub), status.getCode(), status.getMessage());
        }

        private static String consumerName(JetStreamSubscription sub) {
            try {
                return sub.getConsumerName();
            } catch (RuntimeException e) {
                return sub.getSubject();
            }
        }

        @Override
        public void slowConsumerDetected(Connection conn, Consumer consumer) {
            LOG.warn("NATS connection {}: slow consumer, messages dropped", conn.getOptions().getConnectionName());
        }

        @Override
        public void connectionEvent(Connection conn, Events type) {
            switch (type) {
                case DISCONNECTED -> {
                    // jnats reports every failed reconnect attempt as another DISCONNECTED: log the outage once
                    if (up.compareAndSet(true, false)) {
                        LOG.warn("NATS connection {} lost; reconnecting", conn.getOptions().getConnectionName());
                    }
                }
                case CONNECTED -> up.set(true);
                case RECONNECTED -> {
                    up.set(true);
                    LOG.info("NATS connection {} reconnected to {}", conn.getOptions().getConnectionName(),
                            conn.getConnectedUrl());
                }
                case CLOSED -> LOG.debug("NATS connection {} closed", conn.getOptions().getConnectionName());
                default -> { }
            }
        }
    }

    /** Settings of a {@link NatsConnections}; {@link #build()} validates them and names the bad one. */
    public static final class Builder {
        private final String servers;
        private Auth auth = Auth.NONE;
        private String user;
        private char[] secret;
        private Path file;
        private Path tlsCa;
        private Path tlsCert;
        private Path tlsKey;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private java.util.function.Consumer<String> onPermissionViolation = subject -> { };

        private Builder(String servers) {
            this.servers = servers;
        }

        public Builder userPassword(String user, String password) {
            return auth(Auth.USER_PASSWORD, user, password == null ? null : password.toCharArray(), null);
        }

        public Builder token(String token) {
            return auth(Auth.TOKEN, null, token == null ? null : token.toCharArray(), null);
        }

        /** A file holding an nkey user seed ({@code SU...}); read at {@link #build()}. */
        public Builder nkeySeedFile(Path seedFile) {
            return auth(Auth.NKEY, null, null, seedFile);
        }

        /** A {@code .creds} file (user JWT and seed) for decentralised authentication. */
        public Builder credsFile(Path credsFile) {
            return auth(Auth.CREDS, null, null, credsFile);
        }

        private Builder auth(Auth method, String user, char[] secret, Path file) {
            if (auth != Auth.NONE) {
                throw new ConfigException("auth", "only one way of authenticating, already " + auth + ", now " + method);
            }
            this.auth = method;
            this.user = user;
            this.secret = secret;
            this.file = file;
            return this;
        }

        /** PEM file of the CA certificate(s) the server's certificate must chain to; turns TLS on. */
        public Builder tlsCa(Path caPem) { this.tlsCa = caPem; return this; }

        /** Mutual TLS: a PEM certificate (chain) and its PKCS#8 PEM private key. */
        public Builder tlsClientCertificate(Path certPem, Path keyPem) {
            this.tlsCert = certPem;
            this.tlsKey = keyPem;
            return this;
        }

        public Builder connectTimeout(Duration v) { this.connectTimeout = v; return this; }

        /** Called with the subject of each publish the server's permissions refuse (besides the ERROR log). */
        public Builder onPermissionViolation(java.util.function.Consumer<String> v) {
            this.onPermissionViolation = v;
            return this;
        }

        public NatsConnections build() {
            return build(false);
        }

        private NatsConnections build(boolean fromVariables) {
            String serversField = fromVariables ? URL : "servers";
            String userField = fromVariables ? USER : "user";
            String secretField = fromVariables ? (auth == Auth.TOKEN ? TOKEN : PASSWORD) : auth == Auth.TOKEN ? "token" : "password";
            String fileField = fromVariables ? (auth == Auth.NKEY ? NKEY_SEED_FILE : CREDS_FILE)
                    : auth == Auth.NKEY ? "nkeySeedFile" : "credsFile";
            if (this.servers == null || this.servers.isBlank()
                    || !this.servers.matches("(?:(?:nats|tls|ws|wss)://[^,\\s]+)(?:\\s*,\\s*(?:nats|tls|ws|wss)://[^,\\s]+)*")) {
                throw new ConfigException(serversField, "must be nats:// or tls:// URLs, comma-separated, was '" + this.servers + "'");
            }
            if (auth == Auth.USER_PASSWORD && (user == null || user.isBlank())) {
                throw new ConfigException(userField, "must not be empty");
            }
            if ((auth == Auth.USER_PASSWORD || auth == Auth.TOKEN) && (secret == null || secret.length == 0)) {
                throw new ConfigException(secretField, "must not be empty");
            }
            if (auth == Auth.NKEY || auth == Auth.CREDS) {
                requireReadable(file, fileField);
            }
            if (auth == Auth.NKEY) {
                try {
                    secret = Files.readString(file, StandardCharsets.US_ASCII).trim().toCharArray();
                    NKey.fromSeed(secret.clone());
                } catch (IOException | RuntimeException e) {
                    throw new ConfigException(fileField, file + " does not hold an nkey seed (SU...)");
                }
            }
            if (tlsCa != null) {
                requireReadable(tlsCa, fromVariables ? TLS_CA : "tlsCa");
            }
            if (tlsCert != null || tlsKey != null) {
                requireReadable(tlsCert, fromVariables ? TLS_CERT : "tlsClientCertificate");
                requireReadable(tlsKey, fromVariables ? TLS_KEY : "tlsClientCertificate");
                if (tlsCa == null) {
                    throw new ConfigException(fromVariables ? TLS_CA : "tlsCa",
                            "must be set with a client certificate (the CA of the server's certificate)");
                }
            }
            if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new ConfigException("connectTimeout", "must be a positive duration, was " + connectTimeout);
            }
            if (onPermissionViolation == null) {
                throw new ConfigException("onPermissionViolation", "must not be null");
            }
            return new NatsConnections(this);
        }

        private static void requireReadable(Path p, String setting) {
            if (p == null || !Files.isReadable(p)) {
                throw new ConfigException(setting, "file " + p + " does not exist or cannot be read");
            }
        }
    }
}
