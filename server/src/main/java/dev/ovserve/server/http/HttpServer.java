package dev.ovserve.server.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The Netty HTTP/1.1 server: a bounded number of connections with timeouts ({@link ConnectionGuard}),
 * keep-alive, bounded bodies, one {@link ApiHandler} per connection.
 */
public final class HttpServer implements AutoCloseable {
    /** Outbound bytes a connection may queue before it counts as unwritable (a slow reader). */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 256 * 1024);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel serverChannel;
    private final ChannelGroup connections;
    private final ApiContext context;

    private HttpServer(EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel, ChannelGroup connections,
                       ApiContext context) {
        this.boss = boss;
        this.workers = workers;
        this.serverChannel = serverChannel;
        this.connections = connections;
        this.context = context;
    }

    public static HttpServer start(String host, int port, ApiContext context) throws InterruptedException {
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        Connections limited = new Connections(context.limits().maxConnections());
        try {
            ServerBootstrap b = new ServerBootstrap()
                    .group(boss, workers)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            ConnectionGuard guard = new ConnectionGuard(limited, context.limits());
                            ch.pipeline()
                                    .addLast(guard)
                                    .addLast(new HttpServerCodec(8192, 16384, 16384))
                                    .addLast(guard.tap())
                                    .addLast(new HttpServerKeepAliveHandler())
                                    .addLast(new BoundedBodyAggregator(context.limits().maxBodyBytes()))
                                    .addLast(new ApiHandler(context, guard));
                        }
                    });
            Channel server = b.bind(host, port).sync().channel();
            return new HttpServer(boss, workers, server, connections, context);
        } catch (RuntimeException | InterruptedException e) {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Graceful stop: refuse new connections, let requests in flight finish (bounded), then close. */
    public void shutdown(long graceMillis) {
        context.draining().set(true); // /health answers 503 "draining" from now on
        serverChannel.close().awaitUninterruptibly();
        long deadline = System.currentTimeMillis() + graceMillis;
        while (context.inFlight().get() > 0 && System.currentTimeMillis() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
    }

    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly();
        connections.close().awaitUninterruptibly();
        boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
