package dev.spine.events.postgres.internal;

import dev.spine.events.PublishResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Publishes outbox rows so that no row of a partition key can be stored before an earlier row of that key:
 * a key's next row is handed to the publisher only once its previous row was acknowledged. The rows go out
 * in rounds: round n carries the n-th row of every key (and, in the first round, every row without a key), so
 * different keys are in flight together and a batch of distinct keys costs one round trip, as before.
 *
 * <p>Why not pipeline a key's rows over the one connection (which keeps their order on the wire): JetStream
 * may refuse an earlier row (or time it out) after a later row of the key was already stored, and a refusal
 * comes back asynchronously, too late to hold the later row back. Waiting for the ack closes that gap; its cost
 * is one round trip per row of the same key in one batch.
 *
 * <p>A failed row stops its key for this call: the rows after it are not sent (not in the outcomes), and the
 * caller's next pass sees them again behind the failed row's backoff, or after it once it is a dead letter.
 */
public final class KeyOrderedSend {
    private KeyOrderedSend() {}

    /** What became of one row handed to the publisher: {@code error} is null when it was acknowledged. */
    public record Outcome<T>(T row, Throwable error) {
        public boolean sent() {
            return error == null;
        }
    }

    /**
     * Sends {@code rows} (in their order per key; {@code key} may return null for rows that order with nothing)
     * and returns the outcome of each row handed to {@code publish}, round by round.
     */
    public static <T> List<Outcome<T>> send(List<T> rows, Function<T, String> key,
            Function<T, CompletableFuture<PublishResult>> publish) {
        List<T> round = new ArrayList<>();
        Map<String, ArrayDeque<T>> waiting = new LinkedHashMap<>();
        for (T r : rows) {
            String k = key.apply(r);
            if (k == null) {
                round.add(r);
            } else {
                waiting.computeIfAbsent(k, x -> new ArrayDeque<>()).add(r);
            }
        }
        List<Outcome<T>> outcomes = new ArrayList<>(rows.size());
        while (true) {
            for (ArrayDeque<T> q : waiting.values()) {
                round.add(q.poll());
            }
            waiting.values().removeIf(ArrayDeque::isEmpty);
            if (round.isEmpty()) {
                return outcomes;
            }
            List<CompletableFuture<PublishResult>> acks = new ArrayList<>(round.size());
            for (T r : round) {
                acks.add(started(publish, r));
            }
            for (int i = 0; i < round.size(); i++) {
                T r = round.get(i);
                Throwable error = errorOf(acks.get(i));
                outcomes.add(new Outcome<>(r, error));
                String k = key.apply(r);
                if (error != null && k != null) {
                    waiting.remove(k); // its later rows wait for the next pass, behind it
                }
            }
            round.clear();
        }
    }

    private static <T> CompletableFuture<PublishResult> started(Function<T, CompletableFuture<PublishResult>> publish,
            T row) {
        try {
            return publish.apply(row);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits for the ack; null when it came, else the cause of the failure. */
    private static Throwable errorOf(CompletableFuture<PublishResult> ack) {
        try {
            ack.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        } catch (CancellationException e) {
            return e;
        }
    }
}
