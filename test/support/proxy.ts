import net, { type AddressInfo, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the app, standing for one browser's network: it can cut every
 * connection at once (a network cut), freeze them (a laptop asleep: nothing moves either way, the
 * sockets stay open), refuse new connections (still offline) and follow the app to a new port (a
 * restart). One per tab, so each tab's network fails on its own.
 */
export class TcpProxy {
  private readonly server = net.createServer((client) => this.accept(client));
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  private refusing = false;
  private frozen = false;

  private constructor(private target: number) {}

  /** A proxy listening on a free local port, forwarding to `target`. */
  static async start(target: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(target);
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** New connections go to the app on this port from now on (an app restarted elsewhere). */
  retarget(port: number): void {
    this.target = port;
  }

  /** Destroys every open connection, both ends, as a dropped network does. */
  cut(): void {
    for (const { client, upstream } of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
  }

  /** While refusing, new connections are closed at once (the network is still down). */
  refuse(refusing: boolean): void {
    this.refusing = refusing;
  }

  /** Stops moving bytes either way; the connections stay open until `thaw()` or `cut()`. */
  freeze(): void {
    this.frozen = true;
    for (const { client, upstream } of this.pairs) {
      client.pause();
      upstream.pause();
    }
  }

  thaw(): void {
    this.frozen = false;
    for (const { client, upstream } of this.pairs) {
      client.resume();
      upstream.resume();
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    // A frozen or cut network accepts nothing: the connection dies as the browser's would.
    if (this.refusing || this.frozen) return void client.destroy();
    const upstream = net.connect(this.target, '127.0.0.1');
    const pair = { client, upstream };
    this.pairs.add(pair);
    const drop = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    // pipe() pauses and resumes for back-pressure, so freezing holds bytes in the paused
    // readable streams: written on, nothing read, exactly like a sleeping peer.
    client.on('data', (chunk: Buffer) => this.forward(upstream, client, chunk));
    upstream.on('data', (chunk: Buffer) => this.forward(client, upstream, chunk));
  }

  private forward(to: Socket, from: Socket, chunk: Buffer): void {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => this.frozen || from.resume());
    }
  }
}
