package dev.spine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pinned connection over TLS: it goes to the checked address, yet the certificate must name the URL's
 * host, exactly as a connection by name would demand (a certificate made with keytool at test time).
 */
class PinnedPostTest {
    private static final char[] PASSWORD = "changeit".toCharArray();

    @Test
    void httpsToTheCheckedAddressVerifiesTheUrlsHostAndSendsItInHost(@TempDir Path dir) throws Exception {
        Path keys = dir.resolve("server.p12");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keys.toString(),
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keys)) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, PASSWORD);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("server", store.getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext clientTls = SSLContext.getInstance("TLS");
        clientTls.init(null, tmf.getTrustManagers(), null);

        List<String> hosts = new CopyOnWriteArrayList<>();
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            hosts.add(exchange.getRequestHeaders().getFirst("Host"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
            PinnedPost.Answer answer = PinnedPost.send(URI.create("https://localhost:" + port + "/hook?x=1"), loopback,
                    Map.of("Content-Type", "application/json"), body, Duration.ofSeconds(5), Duration.ofSeconds(5), clientTls);
            assertEquals(204, answer.status());
            assertEquals(List.of("localhost:" + port), hosts, "the URL's host, not the address connected to");

            // the same address under a name the certificate does not carry: refused, as by name
            assertThrows(SSLHandshakeException.class, () -> PinnedPost.send(URI.create("https://other.example:" + port
                    + "/hook"), loopback, Map.of(), body, Duration.ofSeconds(5), Duration.ofSeconds(5), clientTls));
            assertEquals(1, hosts.size(), "nothing reached the receiver");
        } finally {
            server.stop(0);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool")
                .toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool failed: " + out);
    }
}
