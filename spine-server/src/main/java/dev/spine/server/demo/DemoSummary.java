package dev.spine.server.demo;

import dev.spine.events.postgres.EventBuses;
import dev.spine.jobs.DeadJob;
import dev.spine.jobs.QueueStats;
import dev.spine.jobs.UnservedType;
import dev.spine.jobs.WorkerInfo;
import dev.spine.service.JobService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The demo's summary and verdict: the queues, which process serves and ran which job types (the workers' own
 * reports, checked against the worker registry), the unserved job types as the registry reports them, the
 * realtime latency, the fax's dead letters, cron ticks and rejected events.
 */
final class DemoSummary {
    private final Consumer<String> say;
    private final EventBuses.Kind eventBus;
    private final JobService service;
    private final List<UUID> transcriptions;

    /** {@code transcriptions}: the correlation ids of the events whose jobs nobody serves. */
    DemoSummary(Consumer<String> say, EventBuses.Kind eventBus, JobService service, List<UUID> transcriptions) {
        this.say = say;
        this.eventBus = eventBus;
        this.service = service;
        this.transcriptions = transcriptions;
    }

    /**
     * Prints the summary and returns the demo's exit code: 0 when every expectation held, else 1 after a
     * {@code FAILED:} line naming each one that did not.
     */
    int print(boolean done, DemoWorkload work, List<DemoWorker.Report> reports, List<WorkerInfo> registry,
            List<UnservedType> unserved, Duration took) throws java.sql.SQLException {
        List<String> problems = new ArrayList<>();
        if (!done) {
            problems.add("the workload did not complete within " + Demo.DEADLINE);
        }
        List<DeadJob> dead = service.jobs().deadJobs(null, null, 100);
        long rejected = service.rejectedEventCount();
        say("summary after " + took.toMillis() + " ms:");
        for (QueueStats q : service.jobs().stats()) {
            say(String.format("  queue %-11s available %d, scheduled %d, running %d, dead %d", q.queue(),
                    q.available(), q.scheduled(), q.running(), q.dead()));
        }
        say("  who ran what:");
        say("    job service (pid " + ProcessHandle.current().pid() + ", this process) serves " + Demo.SERVICE_TYPES
                + ", ran " + work.runCounts());
        Map<String, Integer> runs = new TreeMap<>(work.runCounts());
        int faxAttempts = 0;
        List<Long> latencies = new ArrayList<>();
        for (DemoWorker.Report r : reports) {
            say("    worker " + r.name() + " (pid " + r.pid() + ") serves " + r.types() + ", ran " + r.runs());
            if (!r.types().containsAll(r.runs().keySet())) {
                problems.add("worker " + r.name() + " ran job types it does not serve: " + r.runs().keySet());
            }
            if (eventBus != EventBuses.Kind.IN_MEMORY && r.pid() == ProcessHandle.current().pid()) {
                problems.add("worker " + r.name() + " ran inside the demo's process");
            }
            WorkerInfo registered = registry.stream().filter(w -> w.id().equals(r.workerId())).findFirst().orElse(null);
            if (registered == null || !registered.types().equals(r.types())) {
                problems.add("worker " + r.name() + " is not in the registry with its types " + r.types());
            }
            r.runs().forEach((type, n) -> runs.merge(type, n, Integer::sum));
            faxAttempts += r.faxAttempts();
            latencies.addAll(r.realtimeLatencies());
        }
        say("  worker registry (live processes, as their heartbeats wrote it):");
        for (WorkerInfo w : registry) {
            String who = w.id().equals(service.jobs().workerId()) ? "job service" : reports.stream()
                    .filter(r -> r.workerId().equals(w.id())).map(r -> "worker " + r.name()).findFirst().orElse("other");
            say("    " + who + " (" + w.id() + " on " + w.host() + "): types " + w.types() + " in " + w.queues().keySet());
        }
        say("  jobs run: " + runs);
        List<String> unservedTypes = unserved.stream().map(UnservedType::type).toList();
        for (UnservedType u : unserved) {
            say("  unserved: " + u.type() + " in " + u.queue() + ", " + u.waiting()
                    + " jobs waiting with no live worker for their type (not dead, no attempt used)");
        }
        if (!unservedTypes.equals(List.of(Demo.UNSERVED_TYPE))) {
            problems.add("the registry's unserved job types are " + unservedTypes + ", expected [" + Demo.UNSERVED_TYPE + "]");
        }
        long waitingUntouched = transcriptions.stream()
                .flatMap(c -> service.jobs().findByCorrelationId(c.toString(), 10).stream())
                .filter(j -> j.type().equals(Demo.UNSERVED_TYPE) && j.state().equals("available") && j.attempt() == 0)
                .count();
        say("  " + Demo.UNSERVED_TYPE + ": " + waitingUntouched + " of " + Demo.TRANSCRIPTION_EVENTS
                + " jobs waiting at attempt 0; they run as soon as a process with its handler starts");
        if (waitingUntouched != Demo.TRANSCRIPTION_EVENTS) {
            problems.add(Demo.UNSERVED_TYPE + ": " + waitingUntouched + " of " + Demo.TRANSCRIPTION_EVENTS
                    + " jobs waiting at attempt 0");
        }
        say("  realtime (RunRuleEngineJob, in the communication worker: woken by NOTIFY, not handed over in one process)"
                + " event->handler latency at 100 events/s: p50 "
                + DemoWorkload.Latencies.percentile(latencies, 0.5) + " ms, p99 "
                + DemoWorkload.Latencies.percentile(latencies, 0.99) + " ms");
        List<DeadJob> fax = dead.stream().filter(d -> d.type().equals("SendFaxJob")).toList();
        say("  SendFaxJob: " + faxAttempts + " attempts, " + fax.size() + " dead letters"
                + (fax.isEmpty() ? "" : ", last error: " + fax.get(0).errorsJson()));
        List<String> otherDead = dead.stream().map(DeadJob::type).filter(t -> !t.equals("SendFaxJob")).distinct().toList();
        if (!otherDead.isEmpty()) {
            problems.add("dead letters of job types that should have run: " + otherDead);
        }
        say("  cron ticks of sync-connector-data: " + runs.getOrDefault("SyncConnectorDataJob", 0));
        say("  rejected events: " + rejected);
        if (rejected < 1 && eventBus == EventBuses.Kind.NATS) {
            problems.add("the malformed event was not rejected");
        }
        say(problems.isEmpty() ? "OK: events became jobs in all three tiers, each job ran in the process that serves its "
                + "type, cron fired, retries ended in dead letters, " + Demo.UNSERVED_TYPE + " waits unserved instead of "
                + "dying, the bad event was rejected" : "FAILED: " + String.join("; ", problems));
        return problems.isEmpty() ? 0 : 1;
    }

    private void say(String line) {
        say.accept(line);
    }
}
