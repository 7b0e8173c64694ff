package dev.spine.jobs.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The jobs pull workers fetched through this process, each with the worker holding it and the instant its
 * attempt times out. Whoever removes a lease first ends the attempt: the worker's complete or fail, or the
 * timeout sweep; the other finds it gone. (A complete reaching another process of the same schema is checked
 * against the job row instead; there the rescue's overrun rule is the timeout's backstop.)
 */
public final class PullLeases {
    /** One fetched job: who holds it, and when its attempt times out. */
    public record Lease(UUID workerId, RunnableJob job, Instant deadline) {}

    private final Map<UUID, Lease> byJob = new ConcurrentHashMap<>();
    /**
     * Jobs whose timeout ended their lease and whose outcome is being written: until it is, the job row still
     * names the worker, and a complete arriving then must not be taken for one fetched through another process.
     */
    private final Set<UUID> timingOut = ConcurrentHashMap.newKeySet();

    public void add(Lease lease) {
        byJob.put(lease.job().job().id(), lease);
    }

    /** The lease of {@code jobId}, or null when this process holds none for it. */
    public Lease get(UUID jobId) {
        return byJob.get(jobId);
    }

    /** Ends {@code lease}: true for the one caller that removed it. */
    public boolean end(Lease lease) {
        return byJob.remove(lease.job().job().id(), lease);
    }

    /**
     * Removes and returns the leases past their deadline at {@code now}; each stays {@link #timingOut} until
     * {@link #timedOut} says its outcome is written.
     */
    public List<Lease> takeOverdue(Instant now) {
        List<Lease> overdue = new ArrayList<>();
        for (Lease l : byJob.values()) {
            if (!l.deadline().isAfter(now)) {
                timingOut.add(l.job().job().id());
                if (end(l)) {
                    overdue.add(l);
                } else {
                    timingOut.remove(l.job().job().id());
                }
            }
        }
        return overdue;
    }

    public boolean timingOut(UUID jobId) {
        return timingOut.contains(jobId);
    }

    public void timedOut(Lease lease) {
        timingOut.remove(lease.job().job().id());
    }

    /** Removes and returns every lease of {@code workerId}. */
    public List<Lease> takeAll(UUID workerId) {
        List<Lease> taken = new ArrayList<>();
        for (Lease l : byJob.values()) {
            if (l.workerId().equals(workerId) && end(l)) {
                taken.add(l);
            }
        }
        return taken;
    }
}
