import { SUPPORTED_SCOPES } from '../../shared/config-schema.js';
import type { OriginContext } from './origin.js';

/** RFC 9728 metadata for /mcp; `authorization_servers[0]` is byte-identical to the issuer. */
export function protectedResourceMetadata(ctx: OriginContext) {
  return {
    resource: ctx.resource,
    authorization_servers: [ctx.issuer],
    scopes_supported: [...SUPPORTED_SCOPES],
    bearer_methods_supported: ['header'],
    resource_name: 'MSSQL MCP Bridge',
  };
}

/**
 * oidc-provider's RFC 8414 document, narrowed to what an MCP client needs to know: the MCP scopes (not
 * `openid`, which is there only because oidc-provider is an OpenID Provider), public clients only.
 */
export function narrowAuthorizationServerMetadata(body: Record<string, unknown>): Record<string, unknown> {
  const {
    claims_supported: _c,
    claim_types_supported: _ct,
    subject_types_supported: _st,
    id_token_signing_alg_values_supported: _id,
    claims_parameter_supported: _cp,
    request_uri_parameter_supported: _ru,
    ...rest
  } = body;
  return {
    ...rest,
    scopes_supported: [...SUPPORTED_SCOPES],
    token_endpoint_auth_methods_supported: ['none'],
    revocation_endpoint_auth_methods_supported: ['none'],
    authorization_response_iss_parameter_supported: true,
    client_id_metadata_document_supported: rest.client_id_metadata_document_supported === true,
  };
}
