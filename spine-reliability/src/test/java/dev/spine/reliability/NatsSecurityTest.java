package dev.spine.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.spine.contracts.EventEnvelope;
import dev.spine.events.EventBus;
import dev.spine.events.EventPublishException;
import dev.spine.events.PublishResult;
import dev.spine.events.postgres.EventBuses;
import dev.spine.events.NatsConnections;
import dev.spine.events.Spine;
import dev.spine.events.SpineException;
import dev.spine.events.StreamTopology;
import dev.spine.contracts.ConfigException;
import dev.spine.server.SpineServer;
import dev.spine.server.ServerConfig;
import dev.spine.testkit.Eventually;
import dev.spine.testkit.PrivateNats;
import dev.spine.testkit.SpineServices;
import dev.spine.testkit.TestDatabase;
import io.nats.client.Connection;
import io.nats.client.NKey;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * NATS security against a private nats-server started with nats/secure/nats-secure.conf and TLS
 * certificates made at test time: no one gets in without the right credentials or without TLS; the job
 * service authenticates over TLS from its SPINE_NATS_* variables; a connector whose permissions allow
 * only {@code connector.*} gets a clear error (logged naming the subject and user, and handed to its
 * callback) when it publishes another type, and nothing is stored; nkey and token authentication work;
 * no password, token or seed appears in logs, {@code /metrics}, health or settings' toString.
 */
@ExtendWith(SpineServices.class)
class NatsSecurityTest {
    static final String JOB_SERVICE_PASSWORD = "js-" + UUID.randomUUID();
    static final String CONNECTOR_PASSWORD = "cn-" + UUID.randomUUID();
    static final String TOKEN = "tk-" + UUID.randomUUID();
    /** The streams on the secure server: prefixed names, unprefixed subjects (what its permissions name). */
    static final StreamTopology TOPOLOGY = StreamTopology.builder().streamNamePrefix("SEC_").build();

    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestCertificates stranger;
    static PrivateNats secure;
    static Path seedFile;
    static String seed;

    @BeforeAll
    static void startSecureServer() throws Exception {
        certs = TestCertificates.create(dir.resolve("certs"));
        stranger = TestCertificates.create(dir.resolve("stranger"));
        NKey user = NKey.createUser(new SecureRandom());
        seed = new String(user.getSeed());
        seedFile = Files.writeString(dir.resolve("user.nk"), seed);
        secure = PrivateNats.builder(dir).name("secure")
                .config(Fixture.repo().resolve("nats/secure/nats-secure.conf"))
                .env("SPINE_NATS_JOB_SERVICE_PASSWORD", JOB_SERVICE_PASSWORD)
                .env("SPINE_NATS_CONNECTOR_PASSWORD", CONNECTOR_PASSWORD)
                .env("SPINE_NATS_NKEY_USER", new String(user.getPublicKey()))
                .args("--tls", "--tlscert", certs.serverCert().toString(), "--tlskey", certs.serverKey().toString())
                .build().start();
    }

    @AfterAll
    static void stopSecureServer() {
        if (secure != null) {
            secure.close();
        }
    }

    private static NatsConnections.Builder tls() {
        return NatsConnections.builder(secure.url()).tlsCa(certs.ca()).connectTimeout(Duration.ofSeconds(3));
    }

    @Test
    void noOneGetsInWithoutTheRightCredentialsOrWithoutTls() {
        SpineException anonymous = assertThrows(SpineException.class, () -> tls().build().connect("anonymous"));
        assertTrue(anonymous.getMessage().contains("Authorization Violation"), anonymous.getMessage());

        String wrong = "wrong-" + UUID.randomUUID();
        SpineException badPassword = assertThrows(SpineException.class,
                () -> tls().userPassword("connector", wrong).build().connect("bad-password"));
        assertTrue(badPassword.getMessage().contains("Authorization Violation"), badPassword.getMessage());
        assertTrue(badPassword.getMessage().contains("user 'connector' (password ***)"), badPassword.getMessage());
        assertFalse(badPassword.getMessage().contains(wrong), "the password is not in the error");

        assertThrows(SpineException.class, () -> NatsConnections.builder(secure.url())
                .userPassword("connector", CONNECTOR_PASSWORD).connectTimeout(Duration.ofSeconds(3)).build()
                .connect("no-tls"), "the server requires TLS");
        Path strangerCa = stranger.ca(); // another CA: the server's certificate does not chain to it
        assertThrows(SpineException.class, () -> NatsConnections.builder(secure.url()).tlsCa(strangerCa)
                .userPassword("connector", CONNECTOR_PASSWORD).connectTimeout(Duration.ofSeconds(3)).build()
                .connect("wrong-ca"), "an untrusted server certificate is refused");
    }

    @Test
    void aPublisherRestrictedToItsDomainGetsAClearErrorForAnotherType() throws Exception {
        List<String> refused = new CopyOnWriteArrayList<>();
        CapturedLog log = CapturedLog.start();
        try (Connection admin = tls().userPassword("job-service", JOB_SERVICE_PASSWORD).build().connect("admin");
             Spine provisioner = Spine.builder(admin).topology(TOPOLOGY).build();
             Connection connector = tls().userPassword("connector", CONNECTOR_PASSWORD)
                     .onPermissionViolation(refused::add).build().connect("connector");
             Spine publisher = Spine.builder(connector).topology(TOPOLOGY).publishTimeout(Duration.ofSeconds(1))
                     .publishRetries(0).build()) {
            provisioner.provision();
            assertTrue(publisher.publish(event("connector.DataReceived")).sequence() > 0, "its own type is stored");

            long stored = admin.jetStreamManagement().getStreamInfo(TOPOLOGY.platformStream()).getStreamState().getMsgCount();
            EventPublishException e = assertThrows(EventPublishException.class,
                    () -> publisher.publish(event("data.EntityCreated")));
            assertEquals(EventPublishException.Reason.REJECTED, e.reason(), "refused, not lost: no retry helps");
            assertTrue(e.getMessage().contains("data.EntityCreated") && e.getMessage().contains("permissions"),
                    e.getMessage());
            Eventually.await("the violation reaches the publisher's callback", Duration.ofSeconds(10),
                    () -> refused.contains("data.EntityCreated"));
            Eventually.await("the violation is logged naming the subject and the user", Duration.ofSeconds(10),
                    () -> log.text().contains("NATS refused a publish to 'data.EntityCreated' by user 'connector'"));
            assertEquals(stored, admin.jetStreamManagement().getStreamInfo(TOPOLOGY.platformStream()).getStreamState().getMsgCount(),
                    "nothing stored");
            System.out.println("nats security: the connector's data.EntityCreated publish failed (" + e.reason()
                    + ") and NATS reported a permissions violation for " + refused);
        } finally {
            log.stop();
        }
        assertNoSecretIn(log.text(), "the log");
    }

    @Test
    void theJobServiceAuthenticatesOverTlsFromItsVariablesAndShowsNoSecret(TestDatabase db) throws Exception {
        Ledger ledger = new Ledger("nats security");
        Map<String, String> env = new HashMap<>();
        env.put("SPINE_NATS_USER", "job-service");
        env.put("SPINE_NATS_PASSWORD", JOB_SERVICE_PASSWORD);
        env.put("SPINE_NATS_TLS_CA", certs.ca().toString());
        env.put("SPINE_CONSUMER", "secure-job-service");
        env.put("SPINE_STREAM_PREFIX", "SEC_");
        env.put("SPINE_SUBJECT_PREFIX", ""); // the connector's permissions name unprefixed subjects
        ServerConfig config = Fixture.config(db.url(), db.schema(), secure.url(), "SEC", env);
        assertEquals(NatsConnections.Auth.USER_PASSWORD, config.engine().nats().connections().auth());
        assertTrue(config.engine().nats().connections().tls());
        assertNoSecretIn(config.toString(), "ServerConfig.toString()");

        CapturedLog log = CapturedLog.start();
        try (SpineServer service = SpineServer.builder(config).discoverHandlers(false)
                .handler("ProcessIncomingDataJob", ledger::run).build().start();
             Connection connector = tls().userPassword("connector", CONNECTOR_PASSWORD).build().connect("connector");
             Spine publisher = Spine.builder(connector).topology(config.engine().topology()).build()) {
            for (int i = 0; i < 20; i++) {
                ledger.publish(publisher, event("connector.DataReceived"));
            }
            assertEquals(20, ledger.acknowledged(), "the connector may publish its own type");
            // >=: another test of this class may have published one connector event on these streams before
            Eventually.await("the connector's events ran as jobs", Duration.ofSeconds(60), () -> ledger.distinctRuns() >= 20);
            assertEquals(200, Http.get(service, "/health/ready").status());
            assertNoSecretIn(Http.get(service, "/metrics").body(), "/metrics");
            assertNoSecretIn(Http.get(service, "/health/ready").body(), "/health/ready");
        } finally {
            log.stop();
        }
        assertNoSecretIn(log.text(), "the log");
    }

    @Test
    void nkeyAndTokenAuthenticate() throws Exception {
        NatsConnections nkey = tls().nkeySeedFile(seedFile).build();
        try (Connection c = nkey.connect("nkey-user")) {
            assertEquals(Connection.Status.CONNECTED, c.getStatus());
        }
        assertTrue(nkey.toString().contains("nkey U"), nkey.toString());
        assertNoSecretIn(nkey.toString(), "toString()");

        try (PrivateNats tokenServer = PrivateNats.builder(dir).name("token").args("--auth", TOKEN).build().start()) {
            NatsConnections token = NatsConnections.fromEnvironment(Map.of("SPINE_NATS_URL", tokenServer.url(),
                    "SPINE_NATS_TOKEN", TOKEN)::get);
            try (Connection c = token.connect("token-user")) {
                assertEquals(Connection.Status.CONNECTED, c.getStatus());
            }
            assertNoSecretIn(token.toString(), "toString()");
            assertThrows(SpineException.class, () -> NatsConnections.builder(tokenServer.url()).token("not-" + TOKEN)
                    .connectTimeout(Duration.ofSeconds(3)).build().connect("bad-token"));
        }
    }

    @Test
    void mutualTlsPresentsTheClientCertificate() throws Exception {
        try (PrivateNats mtls = PrivateNats.builder(dir).name("mtls")
                .args("--tlsverify", "--tlscert", certs.serverCert().toString(), "--tlskey", certs.serverKey().toString(),
                        "--tlscacert", certs.ca().toString()).build().start()) {
            assertThrows(SpineException.class, () -> NatsConnections.builder(mtls.url()).tlsCa(certs.ca())
                    .connectTimeout(Duration.ofSeconds(3)).build().connect("no-client-cert"),
                    "the server requires a client certificate");
            NatsConnections withCert = NatsConnections.fromEnvironment(Map.of("SPINE_NATS_URL", mtls.url(),
                    "SPINE_NATS_TLS_CA", certs.ca().toString(), "SPINE_NATS_TLS_CERT", certs.clientCert().toString(),
                    "SPINE_NATS_TLS_KEY", certs.clientKey().toString())::get);
            try (Connection c = withCert.connect("client-cert")) {
                assertEquals(Connection.Status.CONNECTED, c.getStatus());
            }
        }
    }

    @Test
    void eventBusesConnectWithTheNatsSettingsAndAnUnusableOneNamesItsVariable() throws Exception {
        // what SPINE_EVENT_BUS=nats reads from the environment, given as a map: URL, user, password, TLS, prefixes
        Map<String, String> env = new HashMap<>();
        env.put("SPINE_NATS_URL", secure.url());
        env.put("SPINE_NATS_USER", "job-service");
        env.put("SPINE_NATS_PASSWORD", JOB_SERVICE_PASSWORD);
        env.put("SPINE_NATS_TLS_CA", certs.ca().toString());
        env.put("SPINE_STREAM_PREFIX", TOPOLOGY.streamNamePrefix());
        env.put("SPINE_SUBJECT_PREFIX", ""); // the server's permissions name unprefixed subjects
        CapturedLog log = CapturedLog.start();
        try (EventBus bus = EventBuses.fromEnvironment(env, null)) {
            PublishResult stored = bus.publish(event("data.EntityCreated"));
            assertEquals(TOPOLOGY.platformStream(), stored.stream(), "provisioned and published with the prefixes");
            assertTrue(stored.sequence() > 0);
        } finally {
            log.stop();
        }
        assertNoSecretIn(log.text(), "the log");

        Map<String, String> noCreds = new HashMap<>(Map.of("SPINE_NATS_URL", secure.url(),
                "SPINE_NATS_CREDS_FILE", dir.resolve("no-such.creds").toString(), "SPINE_NATS_TLS_CA", certs.ca().toString()));
        ConfigException missing = assertThrows(ConfigException.class, () -> EventBuses.fromEnvironment(noCreds, null));
        assertEquals("SPINE_NATS_CREDS_FILE", missing.variable(), missing.getMessage());

        Map<String, String> noTls = new HashMap<>(env);
        noTls.remove("SPINE_NATS_TLS_CA");
        assertThrows(SpineException.class, () -> EventBuses.fromEnvironment(noTls, null).close(),
                "without the TLS setting the secure server refuses: the setting is what let the first one in");
    }

    @Test
    void badSettingsNameTheirVariable() {
        ConfigException noUser = assertThrows(ConfigException.class,
                () -> NatsConnections.fromEnvironment(Map.of("SPINE_NATS_PASSWORD", "x")::get));
        assertEquals("SPINE_NATS_USER", noUser.variable());
        ConfigException two = assertThrows(ConfigException.class,
                () -> NatsConnections.fromEnvironment(Map.of("SPINE_NATS_USER", "u", "SPINE_NATS_PASSWORD", "p",
                        "SPINE_NATS_TOKEN", "t")::get));
        assertEquals("SPINE_NATS_TOKEN", two.variable());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> NatsConnections.fromEnvironment(Map.of("SPINE_NATS_TLS_CA", "/no/such/ca.pem")::get));
        assertEquals("SPINE_NATS_TLS_CA", missing.variable());
        ConfigException notASeed = assertThrows(ConfigException.class,
                () -> NatsConnections.fromEnvironment(Map.of("SPINE_NATS_NKEY_SEED_FILE", certs.ca().toString())::get));
        assertEquals("SPINE_NATS_NKEY_SEED_FILE", notASeed.variable());
        ConfigException url = assertThrows(ConfigException.class,
                () -> NatsConnections.fromEnvironment(Map.of("SPINE_NATS_URL", "127.0.0.1:4222")::get));
        assertEquals("SPINE_NATS_URL", url.variable());
        ConfigException inService = assertThrows(ConfigException.class,
                () -> ServerConfig.from(Map.of("SPINE_NATS_TLS_KEY", certs.clientKey().toString())::get));
        assertEquals("SPINE_NATS_TLS_CERT", inService.variable());
    }

    private static EventEnvelope event(String type) {
        return EventEnvelope.builder().eventType(type).source("reliability")
                .data(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("n", 1)).build();
    }

    private static void assertNoSecretIn(String text, String where) {
        for (String secret : List.of(JOB_SERVICE_PASSWORD, CONNECTOR_PASSWORD, TOKEN, seed)) {
            assertFalse(text.contains(secret), "a secret appears in " + where);
        }
    }

    /** Copies what is written to System.err (where slf4j-simple logs) while a test runs. */
    static final class CapturedLog {
        private final PrintStream original = System.err;
        private final ByteArrayOutputStream copy = new ByteArrayOutputStream();

        static CapturedLog start() {
            CapturedLog log = new CapturedLog();
            PrintStream tee = new PrintStream(new OutputStream() {
                @Override
                public void write(int b) {
                    log.original.write(b);
                    synchronized (log.copy) {
                        log.copy.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    log.original.write(b, off, len);
                    synchronized (log.copy) {
                        log.copy.write(b, off, len);
                    }
                }
            }, true, StandardCharsets.UTF_8);
            System.setErr(tee);
            return log;
        }

        String text() {
            synchronized (copy) {
                return copy.toString(StandardCharsets.UTF_8);
            }
        }

        void stop() {
            System.setErr(original);
        }
    }
}
