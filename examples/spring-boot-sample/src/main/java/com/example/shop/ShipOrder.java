package com.example.shop;

import dev.spine.jobs.JobType;

/** The payload of a ShipOrder job. */
public record ShipOrder(String orderId) {
    public static final JobType<ShipOrder> TYPE = JobType.of("ShipOrder", ShipOrder.class).queue("background");
}
