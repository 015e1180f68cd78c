import type { RequestHandler } from 'express';
import type Provider from 'oidc-provider';
import type { OriginContext } from '../oauth/origin.js';

/**
 * What the bridge serves on one origin: the authorization server (its issuer is the origin a client used) and
 * the MCP endpoint (its resource), made together on the origin's first request and kept. One object per origin,
 * so the provider, its Node handler and the endpoint's handler cannot disagree on which origin they are for.
 */
export interface OriginServer {
  provider: Provider;
  /** oidc-provider's own handler (requests to the authorization server go to it straight from Node). */
  authorizationServer: ReturnType<Provider['callback']>;
  mcp: RequestHandler;
}

export function originServers(make: {
  provider(ctx: OriginContext): Provider;
  mcp(ctx: OriginContext): RequestHandler;
}): (ctx: OriginContext) => OriginServer {
  const byOrigin = new Map<string, OriginServer>();
  return (ctx) => {
    let s = byOrigin.get(ctx.origin);
    if (!s) {
      const provider = make.provider(ctx);
      byOrigin.set(
        ctx.origin,
        (s = { provider, authorizationServer: provider.callback(), mcp: make.mcp(ctx) }),
      );
    }
    return s;
  };
}
