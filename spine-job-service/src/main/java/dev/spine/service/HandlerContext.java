package dev.spine.service;

import com.codahale.metrics.MetricRegistry;
import dev.spine.events.EventPublisher;

/** What a plug-in handler may use: the event publisher (for follow-up events) and the metrics registry. */
public record HandlerContext(EventPublisher publisher, MetricRegistry metrics) {}
