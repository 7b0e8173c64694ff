package dev.spine.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * Finds the PostgreSQL and NATS that tests run against, in this order: {@code SPINE_PG_URL} /
 * {@code SPINE_NATS_URL} when set; else the local defaults when they answer; else containers, when a
 * Docker engine is available; else a failure that names these three options.
 */
final class ServiceResolver {
    static final String DEFAULT_PG_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    static final String DEFAULT_NATS_URL = "nats://127.0.0.1:4222";
    private static final int PROBE_TIMEOUT_MS = 1000;

    private static String postgresUrl;
    private static String natsUrl;

    private ServiceResolver() {}

    static synchronized String postgresUrl() {
        if (postgresUrl == null) {
            postgresUrl = resolvePostgres();
        }
        return postgresUrl;
    }

    static synchronized String natsUrl() {
        if (natsUrl == null) {
            natsUrl = resolveNats();
        }
        return natsUrl;
    }

    private static String resolvePostgres() {
        String configured = System.getenv("SPINE_PG_URL");
        if (configured != null && !configured.isBlank()) {
            checkPostgres(configured, "SPINE_PG_URL");
            return configured;
        }
        if (postgresAnswers(DEFAULT_PG_URL)) {
            return DEFAULT_PG_URL;
        }
        if (Containers.dockerAvailable()) {
            return Containers.postgresUrl();
        }
        throw new IllegalStateException("No PostgreSQL for the tests. Either set SPINE_PG_URL "
                + "(e.g. jdbc:postgresql://host:5432/db?user=u), or start PostgreSQL on 127.0.0.1:5432 with "
                + "trust auth and a database 'test' (./spine test starts a private one), or run a Docker "
                + "engine so Testcontainers can start one.");
    }

    private static String resolveNats() {
        String configured = System.getenv("SPINE_NATS_URL");
        if (configured != null && !configured.isBlank()) {
            if (!tcpAnswers(configured)) {
                throw new IllegalStateException("SPINE_NATS_URL=" + configured + " does not answer: start "
                        + "that nats-server (with -js) or unset SPINE_NATS_URL.");
            }
            return configured;
        }
        if (tcpAnswers(DEFAULT_NATS_URL)) {
            return DEFAULT_NATS_URL;
        }
        if (Containers.dockerAvailable()) {
            return Containers.natsUrl();
        }
        throw new IllegalStateException("No NATS for the tests. Either set SPINE_NATS_URL (e.g. "
                + "nats://host:4222), or start nats-server with JetStream on 127.0.0.1:4222 "
                + "(nats-server -js; ./spine test starts a private one), or run a Docker engine so "
                + "Testcontainers can start one.");
    }

    private static void checkPostgres(String url, String source) {
        try (Connection ignored = DriverManager.getConnection(url)) {
            // reachable
        } catch (SQLException e) {
            throw new IllegalStateException(source + "=" + url + " does not accept connections ("
                    + e.getMessage() + "): start that PostgreSQL or unset " + source + ".", e);
        }
    }

    private static boolean postgresAnswers(String url) {
        if (!tcpAnswers("tcp://127.0.0.1:5432")) {
            return false;
        }
        try (Connection ignored = DriverManager.getConnection(url)) {
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    static boolean tcpAnswers(String url) {
        URI uri = URI.create(url.contains("://") ? url : "nats://" + url);
        int port = uri.getPort() > 0 ? uri.getPort() : 4222;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), PROBE_TIMEOUT_MS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
