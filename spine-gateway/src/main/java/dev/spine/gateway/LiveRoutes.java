package dev.spine.gateway;

import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.RequestParams;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Live push of a subscription's events: {@code GET /v1/subscriptions/{id}/events} as Server-Sent Events
 * (each event's {@code id:} is its stream sequence, so a browser's EventSource resumes by itself with
 * {@code Last-Event-ID}) and {@code /v1/subscriptions/{id}/ws} as WebSocket text frames
 * {@code {"id":<sequence>,"eventType":..,"event":{..}}} (resume with {@code ?lastEventId=}). Clients present
 * the subscription's secret (or the admin token) as {@code Authorization: Bearer} or, where a browser cannot
 * set headers, {@code ?access_token=}.
 */
final class LiveRoutes {
    private final Gateway bus;
    private final Map<String, Socket> sockets = new ConcurrentHashMap<>();

    LiveRoutes(Gateway bus) {
        this.bus = bus;
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/subscriptions/{id}/events", this::sse);
        routes.ws("/v1/subscriptions/{id}/ws", ws -> {
            ws.onConnect(this::connect);
            ws.onClose(ctx -> closeSocket(ctx));
            ws.onError(ctx -> closeSocket(ctx));
        });
    }

    private void sse(Context ctx) throws Exception {
        Subscription s = authorize(RequestParams.uuid(ctx, "id"), Subscription.Mode.SSE, ctx::header, ctx::queryParam);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ApiException(406, "NOT_ACCEPTABLE", "this endpoint streams Server-Sent Events: send "
                    + "Accept: text/event-stream", Map.of("field", "Accept"));
        }
        String last = ctx.header("Last-Event-ID");
        long after = resumeFrom(last != null ? last : ctx.queryParam("lastEventId"));
        if (after < 0) {
            LiveFeed.lastSequence(bus.bus(), "no stream was opened"); // 503 now, before the response is a stream
        }
        SseStream stream = SseStream.start(ctx, bus.config().liveBufferBytes(), bus.liveWriter(),
                bus.metrics().slowConsumers);
        LiveHubs.Member member = new LiveHubs.Member() {
            @Override
            public void joined(long start) throws Exception {
                // before any event: from here on every matching event stored after `start` will come
                stream.comment("subscribed " + s.id() + " after " + start);
            }

            @Override
            public void send(LiveEvent event) throws Exception {
                stream.event(event);
            }

            @Override
            public void broken() {
                stream.close();
            }
        };
        Runnable leave;
        try {
            if (after >= 0) {
                stream.comment("subscribed " + s.id() + " after " + after);
                leave = bus.hubs().resume(s, after, member);
            } else {
                leave = bus.hubs().join(s, member);
            }
        } catch (ApiException | IOException brokerGoneSinceTheCheckOrClientGone) {
            stream.close();
            return;
        }
        Runnable end = stream::close;
        stream.onClose(() -> {
            leave.run();
            bus.liveClients().remove(stream);
            bus.live().remove(s.id(), end);
        });
        bus.liveClients().add(stream);
        bus.live().add(s.id(), end);
    }

    private void connect(WsConnectContext ctx) {
        Subscription s;
        long after;
        try {
            s = authorize(RequestParams.uuid(ctx.pathParam("id"), "id"), Subscription.Mode.WEBSOCKET, ctx::header,
                    ctx::queryParam);
            after = resumeFrom(ctx.queryParam("lastEventId"));
            if (after < 0) {
                LiveFeed.lastSequence(bus.bus(), "no stream was opened"); // the broker answers, or 4503 now
            }
        } catch (ApiException e) {
            ctx.closeSession(e.status() == 401 ? 4401 : e.status() == 404 ? 4404 : e.status() == 503 ? 4503 : 4400,
                    e.getMessage());
            return;
        } catch (SQLException e) {
            ctx.closeSession(1011, "internal error");
            return;
        }
        SocketSender sender = new SocketSender(ctx, bus.config().liveBufferBytes(), bus.metrics().slowConsumers);
        LiveHubs.Member member = new LiveHubs.Member() {
            @Override
            public void joined(long start) {
                ctx.send("{\"subscribed\":\"" + s.id() + "\",\"after\":" + start + "}");
            }

            @Override
            public void send(LiveEvent event) throws Exception {
                sender.send(event.sequence(), event.socketFrame());
            }

            @Override
            public void broken() {
                sender.closeUnlessDone(1011, "delivery failed");
            }
        };
        Runnable leave;
        try {
            if (after >= 0) {
                ctx.send("{\"subscribed\":\"" + s.id() + "\",\"after\":" + after + "}");
                leave = bus.hubs().resume(s, after, member);
            } else {
                leave = bus.hubs().join(s, member);
            }
        } catch (ApiException e) {
            ctx.closeSession(4503, e.getMessage());
            return;
        }
        Runnable end = () -> ctx.closeSession(4410, "subscription deleted");
        sockets.put(ctx.sessionId(), new Socket(s.id(), leave, end));
        bus.live().add(s.id(), end);
    }

    /** One connected WebSocket: its subscription, its feed, and how to end it. */
    private record Socket(UUID subscriptionId, Runnable leave, Runnable end) {}

    private void closeSocket(WsContext ctx) {
        Socket socket = sockets.remove(ctx.sessionId());
        if (socket != null) {
            socket.leave().run();
            bus.live().remove(socket.subscriptionId(), socket.end());
        }
    }

    private Subscription authorize(UUID id, Subscription.Mode mode, Function<String, String> header,
            Function<String, String> query) throws SQLException {
        Subscription s = bus.subscriptions().byId(id).orElseThrow(() -> ApiException.notFound("subscription",
                id.toString()));
        String auth = header.apply("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7).trim() : query.apply("access_token");
        byte[] given = (token == null ? "" : token).getBytes(StandardCharsets.UTF_8);
        boolean admin = bus.admin().accepts(token);
        if (!admin && !MessageDigest.isEqual(s.secret().getBytes(StandardCharsets.UTF_8), given)) {
            throw new ApiException(401, "UNAUTHORIZED", "present the subscription's secret as Authorization: Bearer "
                    + "or access_token", Map.of("field", "Authorization"));
        }
        if (s.mode() != mode) {
            throw ApiException.invalid("WRONG_MODE", "mode", "subscription " + id + " delivers by " + s.mode().wire()
                    + ", not " + mode.wire());
        }
        return s;
    }

    /** The stream sequence to resume after (0: from the start of the stream); -1 (only new events) when absent. */
    private static long resumeFrom(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return -1;
        }
        try {
            long n = Long.parseLong(lastEventId.trim());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid("INVALID_FIELD", "Last-Event-ID", "Last-Event-ID must be a stream sequence (a "
                + "whole number >= 0), was '" + lastEventId + "'");
    }
}
