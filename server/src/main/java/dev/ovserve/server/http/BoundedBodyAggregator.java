package dev.ovserve.server.http;

import dev.ovserve.server.api.ApiException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * Aggregates request bodies up to a limit. A larger one gets a 413 in OpenAI's error shape and
 * the connection closes: at once under {@code Expect: 100-continue} (the body was never sent),
 * otherwise after a short pause in which the rest of the body is read and dropped, so that a
 * client still sending sees the 413 rather than a reset connection.
 */
final class BoundedBodyAggregator extends HttpObjectAggregator {
    /** How long an oversized body may go on arriving (and being dropped) after the 413. */
    private static final long LINGER_MILLIS = 2000;

    private final int maxBytes;

    BoundedBodyAggregator(int maxBytes) {
        super(maxBytes, true);
        this.maxBytes = maxBytes;
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        if (HttpUtil.is100ContinueExpected(start) && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
            start.headers().remove(HttpHeaderNames.EXPECT);
            return tooLarge();
        }
        return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        // Written below the keep-alive handler, which would close at once on "Connection: close" and reset the upload.
        ChannelHandlerContext below = ctx.pipeline().context(HttpServerKeepAliveHandler.class);
        (below != null ? below : ctx).writeAndFlush(tooLarge()).addListener((ChannelFutureListener) f ->
                f.channel().eventLoop().schedule(() -> f.channel().close(), LINGER_MILLIS, TimeUnit.MILLISECONDS));
    }

    private FullHttpResponse tooLarge() {
        byte[] body = new ApiException(413, ApiException.INVALID_REQUEST, null, "request_too_large",
                "The request body is larger than the server's limit of " + maxBytes + " bytes (--max-body-bytes).").toJson();
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return r;
    }
}
