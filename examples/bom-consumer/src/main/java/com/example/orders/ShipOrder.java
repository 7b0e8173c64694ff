package com.example.orders;

/** The payload of a ShipOrder job: what a handler needs to ship one order. */
public record ShipOrder(String orderId, int items) {
    /** The job type the queue routes to its handler. */
    public static final String TYPE = "ShipOrder";
}
