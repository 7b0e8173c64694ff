/**
 * The job service engine: events from the platform stream become jobs in PostgreSQL, one per matching
 * {@link dev.spine.service.Route} of the {@link dev.spine.service.RoutingTable}, run by handlers on
 * per-tier worker pools. Start at {@link dev.spine.service.JobService#builder} with a
 * {@link dev.spine.service.ServiceConfig} (one typed settings record per concern:
 * {@link dev.spine.service.PostgresSettings}, {@link dev.spine.events.NatsSettings},
 * {@link dev.spine.service.IngestSettings}, {@link dev.spine.service.WorkerSettings}); handlers are
 * registered in code or contributed by {@link dev.spine.service.JobHandlerProvider} plug-ins found with
 * {@link java.util.ServiceLoader}. {@link dev.spine.service.StreamReplay} replays a window of the stream
 * without a running service.
 *
 * <p>Promises: exactly one job per event and route (the jobs of a batch are inserted in one transaction
 * with the key {@code <eventId>:<jobType>}, events acked only after the commit); a malformed or refused
 * event is kept as a {@link dev.spine.service.RejectedEvent}, never dropped; replay never touches durable
 * consumers and creates nothing twice. Nothing here returns a type of {@code dev.spine.service.internal},
 * which is not API (the module does not export it).
 */
package dev.spine.service;
