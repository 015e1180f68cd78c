import { PRM_PATHS, type OriginContext } from '../oauth/origin.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The origins the bridge answers on: the loopback names with its port, the public URL, and configured public
 * hosts. A request whose Host is none of these is refused (DNS-rebinding protection).
 */
export class Origins {
  private readonly byHost = new Map<string, OriginContext>();
  private readonly canonical: OriginContext;

  constructor(port: number, publicHosts: readonly string[], publicUrl?: string) {
    for (const name of LOOPBACK_NAMES) this.add(`${name}:${port}`, `http://${name}:${port}`);
    for (const host of publicHosts) this.add(host.toLowerCase(), `https://${host.toLowerCase()}`);
    this.canonical = publicUrl
      ? this.add(new URL(publicUrl).host, publicUrl)
      : this.byHost.values().next().value!;
  }

  private add(host: string, origin: string): OriginContext {
    const ctx = {
      origin,
      issuer: `${origin}/`,
      resource: `${origin}/mcp`,
      resourceMetadata: `${origin}${PRM_PATHS[0]}`,
    };
    this.byHost.set(host, ctx);
    return ctx;
  }

  /** The context for a Host header, or undefined when that host is not ours. */
  forHost(host: string | undefined): OriginContext | undefined {
    return host ? this.byHost.get(host.toLowerCase()) : undefined;
  }

  all(): OriginContext[] {
    return [...this.byHost.values()];
  }

  /** The canonical origin (the public URL, else the first loopback name): the IdP callback, printed URLs. */
  primary(): OriginContext {
    return this.canonical;
  }

  isOwnOrigin(origin: string): boolean {
    return this.all().some((c) => c.origin === origin);
  }
}
