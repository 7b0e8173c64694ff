package dev.spine.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.spine.gateway.Gateway;
import dev.spine.gateway.http.ApiException;
import dev.spine.gateway.http.JsonReplies;
import io.javalin.config.RoutesConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/**
 * The whole HTTP surface in one OpenAPI 3 document: the admin API's part ({@code openapi-admin.yaml} beside this
 * class's resources) merged with the gateway's ({@link Gateway#openApiDocument()}), served at
 * {@code GET /v1/openapi.json} and rendered at {@code GET /v1/docs} by a small page of our own (no CDN, the
 * dashboard's content security policy). Both are open reads: the document holds no data. The merge is done once.
 */
final class OpenApiRoutes {
    static final String ADMIN_DOCUMENT = "/dev/spine/server/openapi-admin.yaml";
    static final String DOCS = "/dev/spine/server/docs/";
    /** The page's files: a request can never name another class-path resource. */
    private static final Map<String, String> FILES = Map.of("docs.js", "text/javascript; charset=utf-8",
            "docs.css", "text/css; charset=utf-8");
    private static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; "
            + "style-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final byte[] document;

    OpenApiRoutes() {
        this.document = merged();
    }

    void register(RoutesConfig routes) {
        routes.get("/v1/openapi.json", ctx -> ctx.status(200).contentType("application/json").result(document));
        routes.get("/v1/docs", ctx -> file(ctx, "docs.html", "text/html; charset=utf-8"));
        routes.get("/v1/docs/{file}", ctx -> {
            String type = FILES.get(ctx.pathParam("file"));
            if (type == null) {
                throw ApiException.notFound("docs file", ctx.pathParam("file"));
            }
            file(ctx, ctx.pathParam("file"), type);
        });
    }

    private static void file(io.javalin.http.Context ctx, String name, String type) throws IOException {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(DOCS + name)) {
            ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY).header("X-Content-Type-Options", "nosniff")
                    .status(200).contentType(type).result(in.readAllBytes());
        }
    }

    /** The gateway's document with the admin API's paths and components added; a path in both is a bug. */
    static byte[] merged() {
        ObjectMapper json = JsonReplies.MAPPER;
        try (InputStream admin = OpenApiRoutes.class.getResourceAsStream(ADMIN_DOCUMENT)) {
            ObjectNode whole = (ObjectNode) json.readTree(Gateway.openApiDocument());
            JsonNode extra = new YAMLMapper().readTree(admin);
            whole.putObject("info").put("title", "spine server").put("version", "1").put("description",
                    "The spine server's HTTP surface: health, metrics, the admin API (queues, jobs, dead jobs, schedules, "
                            + "workers, rejected events, replay, outbox dead letters), the dashboard and the event "
                            + "gateway (publish, query, subscribe). Reads need SPINE_READ_TOKEN or the admin token "
                            + "except the health probes, /metrics, this document and the dashboard's files; changes "
                            + "need SPINE_ADMIN_TOKEN. Every error is {status:error, errorCode, message, details}.");
            addAll((ObjectNode) whole.path("paths"), extra.path("paths"), "path");
            ObjectNode components = (ObjectNode) whole.path("components");
            for (Iterator<Map.Entry<String, JsonNode>> it = extra.path("components").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> section = it.next();
                JsonNode existing = components.get(section.getKey());
                ObjectNode into = existing == null ? components.putObject(section.getKey()) : (ObjectNode) existing;
                addAll(into, section.getValue(), section.getKey());
            }
            return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(whole);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI documents cannot be read", e);
        }
    }

    private static void addAll(ObjectNode into, JsonNode from, String what) {
        from.fields().forEachRemaining(e -> {
            if (into.has(e.getKey())) {
                throw new IllegalStateException("OpenAPI " + what + " " + e.getKey() + " is in both the admin and the "
                        + "gateway document");
            }
            into.set(e.getKey(), e.getValue());
        });
    }
}
