/**
 * The spine process: {@link dev.spine.server.SpineServer} (the composition root: engine, gateway, admin
 * HTTP, started in that order and stopped in the reverse) and {@link dev.spine.server.ServerConfig} (its
 * settings, one record per concern). The admin routes are in {@code dev.spine.server.http}, the command
 * line in {@code dev.spine.server.cli}, the demo in {@code dev.spine.server.demo}.
 */
package dev.spine.server;
