/**
 * Not API (not exported by the module): the envelope's field names and field rules, event id
 * generation and millisecond UTC timestamps, shared by the codec and the builder.
 */
package dev.spine.contracts.internal;
