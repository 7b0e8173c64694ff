package dev.spine.gateway;

/** An event as the store holds it: where it sits in the stream and its envelope as JSON text. */
record StoredEvent(String stream, long sequence, String envelopeJson) {}
