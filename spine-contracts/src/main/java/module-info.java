/**
 * What every spine participant agrees on: the event envelope, event types, domains, job tiers, the strict
 * JSON codec, JSON Schemas per event type and typed errors. No I/O.
 */
module dev.spine.contracts {
    // EventEnvelope.data() is an ObjectNode, extensions are JsonNodes: Jackson is part of the API
    requires transitive com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.networknt.schema;

    exports dev.spine.contracts;
}
