package dev.spine.events.internal;

import dev.spine.events.SpineException;
import dev.spine.events.StreamChange;
import dev.spine.events.StreamTopology;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.Source;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the topology's streams and reports or applies the differences of existing ones. Two modes:
 * <ul>
 *   <li>{@link #provision()} (every process at start): creates what is missing and adds subjects, and
 *       nothing else. It never removes a subject, lowers replicas or shortens retention, whatever the
 *       starting process's topology says: otherwise the last process to start would win (a job service with
 *       the default domains dropping a client's extra domain, a process with the default R1 turning a
 *       cluster's R3 streams back). Each other difference is logged once per process as a WARN naming the
 *       stream, the field, the current and the wanted value.</li>
 *   <li>{@link #plan()} / {@link #apply()} (an operator, {@code spine streams plan|apply}): every difference,
 *       and making the streams exactly what the topology says.</li>
 * </ul>
 * Safe when many processes start at once: a create that loses the race ("stream name already in use")
 * re-reads the stream and compares again. An unchanged stream is left alone (no update, no Raft write).
 * Two processes adding different subjects at the same instant can still lose one addition (JetStream has
 * no compare-and-set on a stream's configuration); the next start of the losing process adds it again.
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
    /** Differences already warned about in this process: a restart loop or many spines must not flood the log. */
    private static final Set<StreamChange> WARNED = ConcurrentHashMap.newKeySet();

    private final JetStreamManagement jsm;
    private final StreamTopology topology;

    public StreamProvisioner(JetStreamManagement jsm, StreamTopology topology) {
        this.jsm = jsm;
        this.topology = topology;
    }

    /**
     * At start: creates missing streams (platform-events first: the others source it) and adds subjects;
     * warns about every other difference and leaves it.
     */
    public void provision() {
        for (StreamConfiguration wanted : wanted()) {
            ensure(wanted);
        }
    }

    /** Every difference between the streams on the server and the topology, stream by stream; empty when equal. */
    public List<StreamChange> plan() {
        List<StreamChange> changes = new ArrayList<>();
        for (StreamConfiguration wanted : wanted()) {
            changes.addAll(differences(wanted));
        }
        return changes;
    }

    /**
     * Makes every stream exactly what the topology says (creating, adding and removing subjects, changing
     * replicas and retention); returns what it changed. Removing a subject stops capturing its events; a
     * shorter retention drops stored events at once.
     */
    public List<StreamChange> apply() {
        List<StreamChange> done = new ArrayList<>();
        for (StreamConfiguration wanted : wanted()) {
            List<StreamChange> changes = differences(wanted);
            if (changes.isEmpty()) {
                continue;
            }
            try {
                if (changes.get(0).effect() == StreamChange.Effect.CREATE) {
                    jsm.addStream(wanted);
                } else {
                    jsm.updateStream(wanted);
                }
            } catch (JetStreamApiException | IOException e) {
                throw new SpineException("cannot apply " + changes + ": " + e.getMessage(), e);
            }
            changes.forEach(c -> LOG.info("applied {}", c));
            done.addAll(changes);
        }
        return done;
    }

    /** The topology's four streams, in the order they must be created. */
    private List<StreamConfiguration> wanted() {
        return List.of(platform(),
                sourced(topology.connectorStream(), topology.connectorMaxAge(),
                        topology.domainFilter(StreamTopology.CONNECTOR_DOMAIN), false),
                sourced(topology.auditStream(), topology.auditMaxAge(), null, true),
                StreamConfiguration.builder().name(topology.deadLetterStream())
                        .subjects(topology.deadLetterFilter()).storageType(StorageType.File)
                        .maxAge(topology.deadLetterMaxAge()).replicas(topology.replicas())
                        .duplicateWindow(topology.duplicateWindow()).build());
    }

    private List<StreamChange> differences(StreamConfiguration wanted) {
        try {
            StreamInfo info = existing(wanted.getName());
            if (info == null) {
                return List.of(new StreamChange(wanted.getName(), "stream", StreamChange.NONE, "created",
                        StreamChange.Effect.CREATE));
            }
            return StreamDiff.between(info.getConfiguration(), wanted);
        } catch (JetStreamApiException | IOException e) {
            throw new SpineException("cannot read stream " + wanted.getName() + ": " + e.getMessage(), e);
        }
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
                addSubjectsAndWarn(info.getConfiguration(), wanted);
                return;
            } catch (JetStreamApiException e) {
                boolean raced = e.getApiErrorCode() == STREAM_NAME_IN_USE || e.getApiErrorCode() == STORE_CREATE_FAILED;
                if (!raced || attempt == MAX_ATTEMPTS) {
                    throw new SpineException("cannot provision stream " + name + ": " + e.getMessage(), e);
                }
                // another process created it between our read and our create: read again and compare
                LOG.debug("provisioning {} raced with another process ({}), attempt {}", name, e.getMessage(), attempt);
            } catch (IOException e) {
                // a timeout: a cluster still electing its meta leader, or one too busy to answer in time; the
                // create may have happened, so the next attempt reads again before it creates
                if (attempt == MAX_ATTEMPTS) {
                    throw new SpineException("cannot provision stream " + name + ": " + e.getMessage(), e);
                }
                LOG.warn("provisioning {}: {} (attempt {} of {}), trying again", name, e.getMessage(), attempt,
                        MAX_ATTEMPTS);
                backOff(attempt);
            }
        }
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(250L << (attempt - 1)); // 250 ms, 500 ms, 1 s, 2 s
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpineException("interrupted while provisioning streams", e);
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

    /**
     * Adds the wanted subjects the stream lacks, keeping everything else of its current configuration;
     * warns about the differences it leaves.
     */
    private void addSubjectsAndWarn(StreamConfiguration have, StreamConfiguration wanted)
            throws IOException, JetStreamApiException {
        List<StreamChange> changes = StreamDiff.between(have, wanted);
        List<String> added = new ArrayList<>();
        for (StreamChange c : changes) {
            if (c.effect() == StreamChange.Effect.ADD) {
                added.add(c.wanted());
            } else if (WARNED.add(c)) {
                String difference = c.field().equals("subjects")
                        ? "subject " + c.current() + " is on the server but not in this process's topology"
                        : c.field() + " is " + c.current() + " on the server, this process wants " + c.wanted();
                LOG.warn("stream {}: {}; left as it is (a starting process only creates streams and adds subjects): "
                        + "`spine streams plan` lists the differences, `spine streams apply` makes them",
                        c.stream(), difference);
            }
        }
        if (!added.isEmpty()) {
            List<String> subjects = new ArrayList<>(have.getSubjects());
            subjects.addAll(added);
            jsm.updateStream(StreamConfiguration.builder(have).subjects(subjects).build());
            LOG.info("stream {}: added subjects {}", wanted.getName(), added);
        }
    }
}
