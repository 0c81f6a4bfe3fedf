package dev.ovserve.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import dev.ovserve.server.api.ApiException;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One per connection. Routes a request, checks the API key, and answers errors in OpenAI's
 * shape. A generation request holds the connection until its response ends; requests pipelined
 * behind it wait in a short queue. Reading never pauses, so a client that goes away is noticed
 * at once even while its response is stalled on a full socket buffer.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());

    private final ApiContext context;
    /** Requests pipelined behind a generation; more than this closes the connection. */
    private static final int MAX_PIPELINED = 16;

    /** The generation in progress on this connection, cancelled if the client goes away. */
    private GenerationCall current;
    private final java.util.ArrayDeque<FullHttpRequest> pipelined = new java.util.ArrayDeque<>();

    ApiHandler(ApiContext context) {
        this.context = context;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (current != null || !pipelined.isEmpty()) {
            if (pipelined.size() >= MAX_PIPELINED) {
                ctx.close();
                return;
            }
            pipelined.add(req.retain());
            return;
        }
        handle(ctx, req);
    }

    /** Answers queued requests in order until one starts a generation (or none is left). */
    private void handleQueued(ChannelHandlerContext ctx) {
        FullHttpRequest next;
        while (current == null && (next = pipelined.poll()) != null) {
            try {
                if (ctx.channel().isActive()) {
                    handle(ctx, next);
                }
            } finally {
                next.release();
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = Responses.isKeepAlive(req);
        String path = new QueryStringDecoder(req.uri()).path();
        String endpoint = endpointLabel(path);
        try {
            if (!req.decoderResult().isSuccess()) {
                throw ApiException.invalidRequest(null, "malformed HTTP request");
            }
            if (path.startsWith("/v1/") && !authorized(req)) {
                throw new ApiException(401, "authentication_error", null, "invalid_api_key",
                        "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.");
            }
            switch (path) {
                case "/health" -> requireGet(req, () -> health(ctx, keepAlive));
                case "/metrics" -> requireGet(req, () -> Responses.send(ctx, keepAlive, HttpResponseStatus.OK,
                        "text/plain; version=0.0.4", context.metrics().scrape(), null));
                case "/v1/models" -> requireGet(req, () -> Responses.json(ctx, keepAlive, HttpResponseStatus.OK, context.modelList()));
                case "/v1/completions", "/v1/chat/completions" -> {
                    if (!req.method().equals(HttpMethod.POST)) {
                        throw new ApiException(405, ApiException.INVALID_REQUEST, null, "method_not_allowed",
                                "Use POST for " + path);
                    }
                    if (context.draining().get()) {
                        throw new ApiException(503, ApiException.SERVER_ERROR, null, "shutting_down",
                                "The server is shutting down.");
                    }
                    byte[] body = new byte[req.content().readableBytes()];
                    req.content().readBytes(body);
                    current = GenerationCall.start(ctx, context, path.equals("/v1/chat/completions"), body, keepAlive, endpoint,
                            () -> {
                                current = null;
                                handleQueued(ctx);
                            });
                    return;
                }
                default -> {
                    if (context.playground() == null || !context.playground().serve(ctx, req, path, keepAlive)) {
                        throw new ApiException(404, ApiException.INVALID_REQUEST, null, "not_found", "Unknown path " + path);
                    }
                }
            }
            context.metrics().requests.labelValues(endpoint, "200").inc();
        } catch (ApiException e) {
            context.metrics().requests.labelValues(endpoint, Integer.toString(e.status())).inc();
            Responses.error(ctx, keepAlive, e, context.limits());
        }
    }

    private void requireGet(FullHttpRequest req, Runnable action) {
        if (!req.method().equals(HttpMethod.GET)) {
            throw new ApiException(405, ApiException.INVALID_REQUEST, null, "method_not_allowed",
                    "Use GET for " + req.uri());
        }
        action.run();
    }

    private void health(ChannelHandlerContext ctx, boolean keepAlive) {
        if (!context.ready().get() || !context.engine().isRunning()) {
            throw new ApiException(503, ApiException.SERVER_ERROR, null, "not_ready", "The model is loading.");
        }
        Responses.json(ctx, keepAlive, HttpResponseStatus.OK, context.healthJson());
    }

    /** Constant-time comparison, so response timing does not leak how much of a key matched. */
    private boolean authorized(FullHttpRequest req) {
        if (context.apiKey() == null) {
            return true;
        }
        String header = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
        String presented = header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), context.apiKey().getBytes(StandardCharsets.UTF_8));
    }

    private static String endpointLabel(String path) {
        return switch (path) {
            case "/health", "/metrics", "/v1/models", "/v1/completions", "/v1/chat/completions" -> path;
            default -> "other";
        };
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (current != null) {
            current.cancel(); // the client left: free its KV blocks at the next engine step
        }
        FullHttpRequest r;
        while ((r = pipelined.poll()) != null) {
            r.release();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (current != null && ctx.channel().isWritable()) {
            current.drain();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.FINE, "connection error", cause);
        ctx.close();
    }
}
