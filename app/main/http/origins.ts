import { PRM_PATHS, type OriginContext } from '../oauth/origin.js';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * The origins the bridge answers on: the loopback names with its port, plus configured public hosts.
 * A request whose Host is none of these is refused (DNS-rebinding protection).
 */
export class Origins {
  private readonly byHost = new Map<string, OriginContext>();

  constructor(port: number, publicHosts: readonly string[]) {
    for (const name of LOOPBACK_NAMES) this.add(`${name}:${port}`, `http://${name}:${port}`);
    for (const host of publicHosts) this.add(host.toLowerCase(), `https://${host.toLowerCase()}`);
  }

  private add(host: string, origin: string): void {
    this.byHost.set(host, {
      origin,
      issuer: `${origin}/`,
      resource: `${origin}/mcp`,
      resourceMetadata: `${origin}${PRM_PATHS[0]}`,
    });
  }

  /** The context for a Host header, or undefined when that host is not ours. */
  forHost(host: string | undefined): OriginContext | undefined {
    return host ? this.byHost.get(host.toLowerCase()) : undefined;
  }

  all(): OriginContext[] {
    return [...this.byHost.values()];
  }

  /** The canonical origin (first loopback name): used for the IdP callback and printed URLs. */
  primary(): OriginContext {
    return this.byHost.values().next().value!;
  }

  isOwnOrigin(origin: string): boolean {
    return this.all().some((c) => c.origin === origin);
  }
}
