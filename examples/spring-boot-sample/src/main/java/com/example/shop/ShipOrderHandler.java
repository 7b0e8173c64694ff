package com.example.shop;

import dev.spine.jobs.Job;
import dev.spine.jobs.TypedJobHandler;
import org.springframework.stereotype.Component;

/** Runs ShipOrder jobs (registered by the starter through its payload type). Idempotent: shipping twice is once. */
@Component
public class ShipOrderHandler implements TypedJobHandler<ShipOrder> {
    private final Orders orders;

    public ShipOrderHandler(Orders orders) {
        this.orders = orders;
    }

    @Override
    public void handle(ShipOrder payload, Job job) {
        orders.markShipped(payload.orderId());
    }
}
