package dev.spine.events;

/** Whether a bus can carry events now ({@code up}), and a line saying why for a health page. */
public record BusStatus(boolean up, String detail) {}
