package dev.spine.events.internal;

import dev.spine.events.StreamChange;
import dev.spine.events.StreamChange.Effect;
import io.nats.client.api.Source;
import io.nats.client.api.StreamConfiguration;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The differences between a stream's configuration on the server and the wanted one, field by field, each
 * classified by what applying it would do ({@link Effect}). Only the fields the spine's topology sets are
 * compared; the server's own defaults for the rest never show as a difference.
 */
final class StreamDiff {
    private StreamDiff() {}

    static List<StreamChange> between(StreamConfiguration have, StreamConfiguration want) {
        String name = want.getName();
        List<StreamChange> changes = new ArrayList<>();
        TreeSet<String> haveSubjects = new TreeSet<>(have.getSubjects());
        TreeSet<String> wantSubjects = new TreeSet<>(want.getSubjects());
        for (String s : wantSubjects) {
            if (!haveSubjects.contains(s)) {
                changes.add(new StreamChange(name, "subjects", StreamChange.NONE, s, Effect.ADD));
            }
        }
        for (String s : haveSubjects) {
            if (!wantSubjects.contains(s)) {
                changes.add(new StreamChange(name, "subjects", s, StreamChange.NONE, Effect.SHRINK));
            }
        }
        if (have.getReplicas() != want.getReplicas()) {
            changes.add(new StreamChange(name, "replicas", String.valueOf(have.getReplicas()),
                    String.valueOf(want.getReplicas()), want.getReplicas() < have.getReplicas() ? Effect.SHRINK : Effect.CHANGE));
        }
        Duration haveAge = have.getMaxAge();
        Duration wantAge = want.getMaxAge();
        if (!Objects.equals(haveAge, wantAge)) {
            // JetStream's zero max age means "keep forever"
            changes.add(new StreamChange(name, "maxAge", duration(haveAge), duration(wantAge),
                    shorter(millis(wantAge), millis(haveAge)) ? Effect.SHRINK : Effect.CHANGE));
        }
        limit(changes, name, "maxBytes", have.getMaxBytes(), want.getMaxBytes());
        limit(changes, name, "maxMsgs", have.getMaxMsgs(), want.getMaxMsgs());
        if (!Objects.equals(have.getDuplicateWindow(), want.getDuplicateWindow())) {
            changes.add(new StreamChange(name, "duplicateWindow", duration(have.getDuplicateWindow()),
                    duration(want.getDuplicateWindow()), Effect.CHANGE));
        }
        flag(changes, name, "denyDelete", have.getDenyDelete(), want.getDenyDelete());
        flag(changes, name, "denyPurge", have.getDenyPurge(), want.getDenyPurge());
        String haveSources = sources(have);
        String wantSources = sources(want);
        if (!haveSources.equals(wantSources)) {
            changes.add(new StreamChange(name, "sources", haveSources, wantSources, Effect.CHANGE));
        }
        return changes;
    }

    /** Whether a limit {@code want} keeps less than {@code have}; a value <= 0 is "unlimited". */
    private static boolean shorter(long want, long have) {
        if (want <= 0) {
            return false;
        }
        return have <= 0 || want < have;
    }

    private static void limit(List<StreamChange> changes, String stream, String field, long have, long want) {
        if (have != want && !(have <= 0 && want <= 0)) {
            changes.add(new StreamChange(stream, field, count(have), count(want),
                    shorter(want, have) ? Effect.SHRINK : Effect.CHANGE));
        }
    }

    private static void flag(List<StreamChange> changes, String stream, String field, boolean have, boolean want) {
        if (have != want) {
            changes.add(new StreamChange(stream, field, String.valueOf(have), String.valueOf(want), Effect.CHANGE));
        }
    }

    private static long millis(Duration d) {
        return d == null ? 0 : d.toMillis();
    }

    private static String count(long n) {
        return n <= 0 ? "unlimited" : String.valueOf(n); // JetStream: -1 is no limit
    }

    /** {@code 30d}, {@code 2m}, {@code 1500ms}; {@code unlimited} for zero. */
    static String duration(Duration d) {
        if (d == null || d.isZero()) {
            return "unlimited";
        }
        long ms = d.toMillis();
        long[] units = {86_400_000L, 3_600_000L, 60_000L, 1_000L};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            if (ms % units[i] == 0) {
                return ms / units[i] + names[i];
            }
        }
        return ms + "ms";
    }

    private static String sources(StreamConfiguration c) {
        TreeSet<String> out = new TreeSet<>();
        List<Source> sources = c.getSources();
        if (sources != null) {
            for (Source s : sources) {
                out.add(s.getName() + (s.getFilterSubject() == null ? "" : " filter " + s.getFilterSubject()));
            }
        }
        return out.isEmpty() ? StreamChange.NONE : String.join(", ", out);
    }
}
