package dev.spine.testkit;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The last resort of {@link ServiceResolver}: PostgreSQL and NATS in containers, started once per JVM
 * and left to Testcontainers' reaper. Kept in its own class so that machines without Docker never load
 * the Docker client.
 */
final class Containers {
    private static GenericContainer<?> postgres;
    private static GenericContainer<?> nats;

    private Containers() {}

    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static synchronized String postgresUrl() {
        if (postgres == null) {
            postgres = new GenericContainer<>("postgres:15")
                    .withEnv("POSTGRES_HOST_AUTH_METHOD", "trust")
                    .withEnv("POSTGRES_DB", "test")
                    .withExposedPorts(5432)
                    .waitingFor(Wait.forLogMessage(".*ready to accept connections.*\\n", 2));
            postgres.start();
        }
        return "jdbc:postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432)
                + "/test?user=postgres";
    }

    static synchronized String natsUrl() {
        if (nats == null) {
            // the image of deploy/docker-compose.yml: tests and the compose stack on one nats-server (2.9.10,
            // the Debian 12 server of our machines)
            nats = new GenericContainer<>("nats:2.9.10-alpine")
                    .withCommand("-js")
                    .withExposedPorts(4222)
                    .waitingFor(Wait.forLogMessage(".*Server is ready.*\\n", 1));
            nats.start();
        }
        return "nats://" + nats.getHost() + ":" + nats.getMappedPort(4222);
    }
}
