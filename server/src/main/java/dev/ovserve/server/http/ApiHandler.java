package dev.ovserve.server.http;

import dev.ovserve.server.api.ApiException;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One per connection. Routes a request, checks the API key, and answers errors in OpenAI's
 * shape. A generation request holds the connection until its response ends: its body is parsed,
 * rendered and tokenized on the worker pool (the event loop only moves bytes), admitted against
 * the connection's fair share of pending work, then handed to a {@link GenerationCall}. Requests
 * pipelined behind it wait in a short queue; one too many is answered in turn with a 429 and the
 * connection closes. Reading never pauses, so a client that goes away is noticed at once.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger LOG = Logger.getLogger(ApiHandler.class.getName());
    /** Queued in place of a request past the pipelining bound: answered with a 429, then the connection closes. */
    private static final Object REFUSED = new Object();

    private final ApiContext context;
    private final ConnectionGuard guard;
    /** A generation being planned on a worker or generated; later requests wait behind it. */
    private boolean busy;
    /** The generation in progress on this connection, cancelled if the client goes away. */
    private GenerationCall current;
    private Admission.Ticket ticket;
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>();
    private long pipelinedBytes;
    private boolean refusing;

    ApiHandler(ApiContext context, ConnectionGuard guard) {
        this.context = context;
        this.guard = guard;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        if (refusing) {
            return; // past the pipelining bound: the connection closes after the 429
        }
        guard.answering(true);
        if (busy || !pipelined.isEmpty()) {
            int bytes = req.content().readableBytes();
            if (pipelined.size() >= context.limits().maxPipelined() || pipelinedBytes + bytes > context.limits().maxBodyBytes()) {
                refusing = true;
                pipelined.add(REFUSED);
                return;
            }
            pipelinedBytes += bytes;
            pipelined.add(req.retain());
            return;
        }
        handle(ctx, req);
    }

    /** Answers queued requests in order until one starts a generation (or none is left). */
    private void handleQueued(ChannelHandlerContext ctx) {
        Object next;
        while (!busy && (next = pipelined.poll()) != null) {
            if (next == REFUSED) {
                Responses.error(ctx, false, new ApiException(429, "rate_limit_error", null, "too_many_pipelined_requests",
                        "More than " + context.limits().maxPipelined() + " requests were pipelined on this connection; "
                                + "this one and the rest were not read. Retry them on a new connection."), context.limits());
                return;
            }
            FullHttpRequest r = (FullHttpRequest) next;
            pipelinedBytes -= r.content().readableBytes();
            try {
                if (ctx.channel().isActive()) {
                    handle(ctx, r);
                }
            } finally {
                r.release();
            }
        }
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
        // The decoder discards everything after a bad message: close rather than drop later requests silently.
        boolean keepAlive = req.decoderResult().isSuccess() && Responses.isKeepAlive(req);
        String path = new QueryStringDecoder(req.uri()).path();
        String endpoint = endpointLabel(path);
        try {
            if (!req.decoderResult().isSuccess()) {
                throw malformed(req.decoderResult().cause());
            }
            checkHost(req);
            // As vLLM: with --api-key everything but health checks needs the key (/metrics too).
            if ((path.startsWith("/v1/") || path.equals("/metrics")) && !authorized(req)) {
                throw new ApiException(401, "authentication_error", null, "invalid_api_key",
                        "Incorrect API key provided. Send it as 'Authorization: Bearer <key>'.");
            }
            switch (path) {
                case "/health" -> requireGet(req, () -> health(ctx, keepAlive));
                case "/health/live" -> requireGet(req, () -> live(ctx, keepAlive));
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
                    plan(ctx, path.equals("/v1/chat/completions"), body, keepAlive, endpoint);
                    return;
                }
                default -> {
                    if (context.playground() == null || !context.playground().serve(ctx, req, path, keepAlive)) {
                        throw new ApiException(404, ApiException.INVALID_REQUEST, null, "not_found",
                                "Unknown path " + ApiException.excerpt(path));
                    }
                }
            }
            context.metrics().requests.labelValues(endpoint, "200").inc();
        } catch (ApiException e) {
            context.metrics().requests.labelValues(endpoint, Integer.toString(e.status())).inc();
            Responses.error(ctx, keepAlive, e, context.limits());
        }
        guard.answering(false);
    }

    /** Parsing, templating and tokenizing go to the worker pool; the result comes back to this event loop. */
    private void plan(ChannelHandlerContext ctx, boolean chat, byte[] body, boolean keepAlive, String endpoint) {
        busy = true;
        String client = ctx.channel().id().asLongText(); // one connection is one client, here and in the engine
        try {
            context.workers().execute(() -> {
                Runnable next;
                try {
                    GenerationPlan plan = Planner.plan(context, chat, body);
                    long cost = context.admission().checkTokens(plan.prompts(), plan.params());
                    next = () -> start(ctx, plan, cost, client, keepAlive, endpoint);
                } catch (ApiException e) {
                    next = () -> refuse(ctx, e, keepAlive, endpoint);
                } catch (Throwable e) {
                    if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError)) {
                        throw e; // out of memory: the process exits (see Main)
                    }
                    LOG.log(Level.WARNING, "planning a request failed", e);
                    next = () -> refuse(ctx, ApiException.serverError("The server could not process this request."), keepAlive,
                            endpoint);
                }
                ctx.executor().execute(next);
            });
        } catch (RejectedExecutionException full) {
            refuse(ctx, new ApiException(429, "rate_limit_error", null, "overloaded", "The server is busy: "
                    + context.limits().maxQueuedParses() + " requests are already waiting to be parsed."), keepAlive, endpoint);
        }
    }

    private void start(ChannelHandlerContext ctx, GenerationPlan plan, long cost, String client, boolean keepAlive, String endpoint) {
        if (!ctx.channel().isActive()) {
            done(ctx);
            return; // the client left while its request was being parsed
        }
        try {
            ticket = context.admission().acquire(client, cost);
        } catch (ApiException e) {
            refuse(ctx, e, keepAlive, endpoint);
            return;
        }
        try {
            current = GenerationCall.start(ctx, context, plan, client, keepAlive, endpoint, () -> done(ctx));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "submitting a request failed", e);
            refuse(ctx, ApiException.serverError("The server could not start this request."), keepAlive, endpoint);
        }
    }

    private void refuse(ChannelHandlerContext ctx, ApiException e, boolean keepAlive, String endpoint) {
        context.metrics().requests.labelValues(endpoint, Integer.toString(e.status())).inc();
        if (ctx.channel().isActive()) {
            Responses.error(ctx, keepAlive, e, context.limits());
        }
        done(ctx);
    }

    /** The generation (or its refusal) is over: give back its share and answer what waited behind it. */
    private void done(ChannelHandlerContext ctx) {
        current = null;
        busy = false;
        if (ticket != null) {
            ticket.release();
            ticket = null;
        }
        guard.answering(false);
        handleQueued(ctx);
    }

    private void requireGet(FullHttpRequest req, Runnable action) {
        if (!req.method().equals(HttpMethod.GET)) {
            throw new ApiException(405, ApiException.INVALID_REQUEST, null, "method_not_allowed",
                    "Use GET for " + ApiException.excerpt(new QueryStringDecoder(req.uri()).path()));
        }
        action.run();
    }

    /** Readiness: 200 only when ready; 503 while loading, draining or failed; the body says which. */
    private void health(ChannelHandlerContext ctx, boolean keepAlive) {
        ApiContext.Health state = context.health();
        Responses.send(ctx, keepAlive, state == ApiContext.Health.READY ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                "application/json", context.healthJson(state), state == ApiContext.Health.READY ? null : context.limits().retryAfterSeconds());
    }

    /** Liveness: 200 unless the engine has failed (then only a restart helps). */
    private void live(ChannelHandlerContext ctx, boolean keepAlive) {
        ApiContext.Health state = context.health();
        String body = "{\"status\":\"" + state.label() + "\"}";
        Responses.send(ctx, keepAlive, state == ApiContext.Health.FAILED ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
                "application/json", body, null);
    }

    /** RFC 9112: an HTTP/1.1 request carries exactly one Host header. */
    private static void checkHost(FullHttpRequest req) {
        int hosts = req.headers().getAll(HttpHeaderNames.HOST).size();
        if (hosts > 1 || (hosts == 0 && req.protocolVersion().equals(HttpVersion.HTTP_1_1))) {
            throw ApiException.invalidRequest(null, hosts == 0 ? "An HTTP/1.1 request must carry a Host header."
                    : "The request carries " + hosts + " Host headers; HTTP/1.1 allows exactly one.");
        }
    }

    private static ApiException malformed(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) {
            return new ApiException(414, ApiException.INVALID_REQUEST, null, "uri_too_long", "The request line is too long.");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return new ApiException(431, ApiException.INVALID_REQUEST, null, "headers_too_large", "The request headers are too large.");
        }
        return ApiException.invalidRequest(null, "malformed HTTP request");
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
            case "/health", "/health/live", "/metrics", "/v1/models", "/v1/completions", "/v1/chat/completions" -> path;
            default -> "other";
        };
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (current != null) {
            current.cancel(); // the client left: free its KV blocks at the next engine step
        }
        if (ticket != null) {
            ticket.release();
            ticket = null;
        }
        Object r;
        while ((r = pipelined.poll()) != null) {
            if (r instanceof FullHttpRequest f) {
                f.release();
            }
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
