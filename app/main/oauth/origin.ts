/** One origin the bridge is reached on; metadata, issuer and resource all derive from it. */
export interface OriginContext {
  origin: string;
  /** `${origin}/` — the exact string in metadata, PRM and token `iss`. */
  issuer: string;
  /** `${origin}/mcp` — the protected resource and access-token audience. */
  resource: string;
  /** Where the resource's RFC 9728 metadata is served (the 401/403 `resource_metadata` pointer). */
  resourceMetadata: string;
}

export const PRM_PATHS = [
  '/.well-known/oauth-protected-resource/mcp',
  '/.well-known/oauth-protected-resource',
];
