package dev.ovserve.server.http;

import dev.ovserve.server.api.ApiException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** Aggregates request bodies up to a limit; a larger one gets a 413 in OpenAI's error shape, then the connection closes. */
final class BoundedBodyAggregator extends HttpObjectAggregator {
    private final int maxBytes;

    BoundedBodyAggregator(int maxBytes) {
        super(maxBytes);
        this.maxBytes = maxBytes;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        byte[] body = new ApiException(413, ApiException.INVALID_REQUEST, null, "request_too_large",
                "The request body is larger than the server's limit of " + maxBytes + " bytes.").toJson();
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        // The rest of the body is still on its way: closing is the only way not to read it.
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }
}
