package dev.spine.events.internal;

import dev.spine.events.SpineException;
import dev.spine.events.StreamTopology;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.Source;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates or updates the topology's streams. Idempotent and safe when many processes start at once:
 * a create that loses the race ("stream name already in use") re-reads the stream and updates it if
 * its configuration differs. An unchanged stream is left alone (no update, no Raft write).
 */
public final class StreamProvisioner {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProvisioner.class);
    /** JetStream API error: stream not found. */
    static final int STREAM_NOT_FOUND = 10059;
    /** JetStream API error: stream name already in use (with another configuration). */
    static final int STREAM_NAME_IN_USE = 10058;
    /** JetStream API error: "error creating store for stream", seen on 2.9 when many streams are created at once. */
    static final int STORE_CREATE_FAILED = 10049;
    private static final int MAX_ATTEMPTS = 5;

    private final JetStreamManagement jsm;
    private final StreamTopology topology;

    public StreamProvisioner(JetStreamManagement jsm, StreamTopology topology) {
        this.jsm = jsm;
        this.topology = topology;
    }

    /** Ensures platform-events first (the others source it), then connector-data, audit-log, dead-letters. */
    public void provision() {
        ensure(platform());
        ensure(sourced(topology.connectorStream(), topology.connectorMaxAge(),
                topology.domainFilter(StreamTopology.CONNECTOR_DOMAIN), false));
        ensure(sourced(topology.auditStream(), topology.auditMaxAge(), null, true));
        ensure(StreamConfiguration.builder().name(topology.deadLetterStream())
                .subjects(topology.deadLetterFilter()).storageType(StorageType.File)
                .maxAge(topology.deadLetterMaxAge()).replicas(topology.replicas())
                .duplicateWindow(topology.duplicateWindow()).build());
    }

    /** Deletes the topology's streams, the sourcing ones first; a missing stream is skipped. */
    public void deleteAll() {
        for (String name : List.of(topology.connectorStream(), topology.auditStream(), topology.deadLetterStream(),
                topology.platformStream())) {
            try {
                jsm.deleteStream(name);
                LOG.info("deleted stream {}", name);
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
                    throw new SpineException("cannot delete stream " + name + ": " + e.getMessage(), e);
                }
            } catch (IOException e) {
                throw new SpineException("cannot delete stream " + name + ": " + e.getMessage(), e);
            }
        }
    }

    private StreamConfiguration platform() {
        return StreamConfiguration.builder().name(topology.platformStream())
                .subjects(topology.platformSubjects()).storageType(StorageType.File)
                .maxAge(topology.platformMaxAge()).duplicateWindow(topology.duplicateWindow())
                .replicas(topology.replicas()).build();
    }

    private StreamConfiguration sourced(String name, java.time.Duration maxAge, String filter, boolean immutable) {
        Source.Builder source = Source.builder().name(topology.platformStream());
        if (filter != null) {
            source.filterSubject(filter);
        }
        return StreamConfiguration.builder().name(name).sources(source.build()).storageType(StorageType.File)
                .maxAge(maxAge).replicas(topology.replicas()).denyDelete(immutable).denyPurge(immutable)
                // explicit, because the server fills in its default and the comparison must see the same value
                .duplicateWindow(topology.duplicateWindow()).build();
    }

    void ensure(StreamConfiguration wanted) {
        String name = wanted.getName();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                StreamInfo info = existing(name);
                if (info == null) {
                    jsm.addStream(wanted);
                    LOG.info("created stream {}", name);
                    return;
                }
                if (!sameSettings(info.getConfiguration(), wanted)) {
                    jsm.updateStream(wanted);
                    LOG.info("updated stream {}", name);
                }
                return;
            } catch (JetStreamApiException e) {
                boolean raced = e.getApiErrorCode() == STREAM_NAME_IN_USE || e.getApiErrorCode() == STORE_CREATE_FAILED;
                if (!raced || attempt == MAX_ATTEMPTS) {
                    throw new SpineException("cannot provision stream " + name + ": " + e.getMessage(), e);
                }
                // another process created it between our read and our create: read again and compare
                LOG.debug("provisioning {} raced with another process ({}), attempt {}", name, e.getMessage(), attempt);
            } catch (IOException e) {
                throw new SpineException("cannot provision stream " + name + ": " + e.getMessage(), e);
            }
        }
    }

    private StreamInfo existing(String name) throws IOException, JetStreamApiException {
        try {
            return jsm.getStreamInfo(name);
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == STREAM_NOT_FOUND) {
                return null;
            }
            throw e;
        }
    }

    static boolean sameSettings(StreamConfiguration have, StreamConfiguration want) {
        return new HashSet<>(have.getSubjects()).equals(new HashSet<>(want.getSubjects()))
                && Objects.equals(have.getMaxAge(), want.getMaxAge())
                && Objects.equals(have.getDuplicateWindow(), want.getDuplicateWindow())
                && have.getReplicas() == want.getReplicas()
                && have.getDenyDelete() == want.getDenyDelete()
                && have.getDenyPurge() == want.getDenyPurge()
                && sourcesOf(have).equals(sourcesOf(want));
    }

    private static java.util.Set<String> sourcesOf(StreamConfiguration c) {
        java.util.Set<String> out = new HashSet<>();
        List<Source> sources = c.getSources();
        if (sources != null) {
            for (Source s : sources) {
                out.add(s.getName() + "|" + Objects.toString(s.getFilterSubject(), ""));
            }
        }
        return out;
    }
}
