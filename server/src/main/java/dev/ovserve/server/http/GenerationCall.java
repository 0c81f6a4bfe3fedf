package dev.ovserve.server.http;

import dev.ovserve.scheduler.engine.EngineError;
import dev.ovserve.server.api.ApiException;
import dev.ovserve.scheduler.engine.GenerationRequest;
import dev.ovserve.scheduler.engine.OutputSink;
import dev.ovserve.scheduler.engine.Usage;
import dev.ovserve.scheduler.sampling.FinishReason;
import dev.ovserve.scheduler.sampling.SampledToken;
import dev.ovserve.tokenizer.IncrementalDetokenizer;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * One generation request on one connection. Engine callbacks arrive on the engine thread and
 * are moved to the connection's event loop, where all state here lives. Streaming responses
 * send their headers with the first event (so early refusals still get a proper status) and
 * coalesce text while the client reads slowly, so memory stays bounded by the output length.
 */
final class GenerationCall {
    private final ChannelHandlerContext ctx;
    private final EventLoop loop;
    private final ApiContext context;
    private final GenerationPlan plan;
    private final boolean keepAlive;
    private final String endpoint;
    private final Runnable onDone;
    /** Admission's identity of the client, so the engine shares its slots fairly across clients. */
    private final String client;
    private final List<String> requestIds = new ArrayList<>();
    private final List<ChoiceState> choices = new ArrayList<>();
    private final long arrivalNanos = System.nanoTime();
    private int openRequests;
    private int promptTokens;
    private int completionTokens;
    private int cachedTokens;
    private boolean headersSent;
    private boolean ended;
    private boolean firstToken = true;
    /** Set when every engine request has completed; the stream ends once all text is written. */
    private Usage finalUsage;

    private GenerationCall(ChannelHandlerContext ctx, ApiContext context, GenerationPlan plan, String client, boolean keepAlive,
                           String endpoint, Runnable onDone) {
        this.ctx = ctx;
        this.loop = ctx.channel().eventLoop();
        this.context = context;
        this.plan = plan;
        this.keepAlive = keepAlive;
        this.endpoint = endpoint;
        this.onDone = onDone;
        this.client = client;
    }

    /** Submits a plan (made on the worker pool); engine refusals arrive later, through the sinks. */
    static GenerationCall start(ChannelHandlerContext ctx, ApiContext context, GenerationPlan plan, String client,
                                boolean keepAlive, String endpoint, Runnable onDone) {
        GenerationCall call = new GenerationCall(ctx, context, plan, client, keepAlive, endpoint, onDone);
        call.submit();
        return call;
    }

    private void submit() {
        context.inFlight().incrementAndGet();
        int n = plan.n();
        String base = UUID.randomUUID().toString();
        for (int p = 0; p < plan.prompts().size(); p++) {
            int[] prompt = plan.prompts().get(p);
            // The prompt's last tokens give the detokenizer context (e.g. a leading space).
            int[] context = Arrays.copyOfRange(prompt, Math.max(0, prompt.length - 4), prompt.length);
            for (int i = 0; i < n; i++) {
                ChoiceState c = new ChoiceState(p * n + i, new IncrementalDetokenizer(
                        (ids, from, to) -> this.context.tokenizer().decode(ids, from, to, true), context),
                        plan.params().getFirst().stop());
                c.pending.append(plan.prefixes().get(p));
                choices.add(c);
            }
        }
        openRequests = plan.prompts().size();
        for (int p = 0; p < plan.prompts().size(); p++) {
            String id = base + "-" + p;
            requestIds.add(id);
            context.engine().submit(new GenerationRequest(id, plan.prompts().get(p), plan.params().get(p), new Sink(p), client,
                    context.prefixCacheScope().salt(plan.cacheSalt(), client)));
        }
    }

    /** Engine callbacks for prompt {@code p}, forwarded to the event loop. */
    private final class Sink implements OutputSink {
        private final int prompt;

        Sink(int prompt) {
            this.prompt = prompt;
        }

        private ChoiceState choice(int index) {
            return choices.get(prompt * plan.n() + index);
        }

        @Override
        public void onToken(int index, SampledToken token) {
            loop.execute(() -> token(prompt, choice(index), token));
        }

        @Override
        public void onFinish(int index, FinishReason reason) {
            loop.execute(() -> finish(choice(index), reason));
        }

        @Override
        public void onComplete(Usage usage) {
            loop.execute(() -> complete(usage));
        }

        @Override
        public void onError(EngineError error) {
            loop.execute(() -> error(error));
        }
    }

    private void token(int prompt, ChoiceState c, SampledToken token) {
        if (ended) {
            return;
        }
        long now = System.nanoTime();
        if (firstToken) {
            firstToken = false;
            context.metrics().timeToFirstToken.observe((now - arrivalNanos) / 1e9);
        } else if (c.lastTokenNanos != 0) {
            context.metrics().interTokenLatency.observe((now - c.lastTokenNanos) / 1e9);
        }
        c.lastTokenNanos = now;
        if (c.onToken(token)) {
            context.engine().finishCompletion(requestIds.get(prompt), c.index % plan.n());
        }
        if (plan.stream()) {
            flush();
        }
    }

    private void finish(ChoiceState c, FinishReason reason) {
        if (ended) {
            return;
        }
        c.onFinish(reason);
        if (plan.stream()) {
            flush();
        }
    }

    private void complete(Usage usage) {
        if (ended) {
            return;
        }
        promptTokens += usage.promptTokens();
        completionTokens += usage.completionTokens();
        cachedTokens += usage.cachedPromptTokens();
        if (--openRequests > 0) {
            return;
        }
        Usage total = new Usage(promptTokens, completionTokens, cachedTokens);
        context.metrics().promptTokens.inc(promptTokens);
        context.metrics().generationTokens.inc(completionTokens);
        if (plan.stream()) {
            finalUsage = total;
            drain();
        } else {
            List<WireFormat.Result> results = new ArrayList<>();
            for (ChoiceState c : choices) {
                results.add(new WireFormat.Result(c.index, c.takeText(), c.takeTokens(), c.finish));
            }
            Responses.send(ctx, keepAlive, HttpResponseStatus.OK, "application/json", plan.format().fullResponse(results, total), null);
            end(HttpResponseStatus.OK);
        }
    }

    private void error(EngineError error) {
        if (ended) {
            return;
        }
        cancel();
        if (ended) {
            return; // the client is gone; cancel() has already accounted for this call
        }
        ApiException e = switch (error.kind()) {
            case INVALID_REQUEST -> ApiException.invalidRequest(null, error.message());
            case OVERLOADED -> new ApiException(429, "rate_limit_error", null, "overloaded", error.message());
            case SHUTDOWN -> new ApiException(503, ApiException.SERVER_ERROR, null, "shutting_down", error.message());
            case INTERNAL -> new ApiException(500, ApiException.SERVER_ERROR, null, "internal_error", error.message());
        };
        if (headersSent) {
            // Mid-stream: the status is already 200, so the error travels as an event.
            write("data: " + new String(e.toJson(), StandardCharsets.UTF_8) + "\n\n");
            write("data: [DONE]\n\n");
        } else {
            Responses.error(ctx, keepAlive, e, context.limits());
        }
        end(HttpResponseStatus.valueOf(e.status()));
    }

    /**
     * Writes what each choice has pending, unless the client is not keeping up; returns false
     * when it held back (drain() resumes once the socket buffer empties).
     */
    private boolean flush() {
        if (!ctx.channel().isWritable()) {
            return false;
        }
        for (ChoiceState c : choices) {
            if (c.hasPending() || (!c.roleSent && plan.format().opensWithRole())) {
                boolean first = !c.roleSent;
                c.roleSent = true;
                String delta = plan.format().deltaChunk(c.index, c.takeText(), c.takeTokens(), first);
                if (!delta.isEmpty()) { // tool calling may hold text back
                    write("data: " + delta + "\n\n");
                }
            }
            if (c.finish != null && !c.finishSent) {
                c.finishSent = true;
                write("data: " + plan.format().finishChunk(c.index, c.finish) + "\n\n");
            }
        }
        return true;
    }

    /** Writes what is pending and, once generation is over and everything is out, ends the stream. */
    void drain() {
        if (ended || !plan.stream() || !flush() || finalUsage == null) {
            return;
        }
        if (plan.includeUsage()) {
            write("data: " + plan.format().usageChunk(finalUsage) + "\n\n");
        }
        write("data: [DONE]\n\n");
        end(HttpResponseStatus.OK);
    }

    private void write(String event) {
        if (!headersSent) {
            headersSent = true;
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
            HttpUtil.setTransferEncodingChunked(r, true);
            HttpUtil.setKeepAlive(r, keepAlive);
            ctx.write(r);
        }
        ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8)));
    }

    private void end(HttpResponseStatus status) {
        ended = true;
        if (headersSent) {
            var f = ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }
        context.metrics().requests.labelValues(endpoint, Integer.toString(status.code())).inc();
        context.metrics().requestLatency.observe((System.nanoTime() - arrivalNanos) / 1e9);
        context.inFlight().decrementAndGet();
        onDone.run();
    }

    /** The client left (or the call failed): stop generating and free the KV blocks. */
    void cancel() {
        for (String id : requestIds) {
            context.engine().cancel(id);
        }
        if (!ended && !ctx.channel().isActive()) {
            ended = true;
            context.metrics().requests.labelValues(endpoint, "499").inc();
            context.inFlight().decrementAndGet();
        }
    }
}
