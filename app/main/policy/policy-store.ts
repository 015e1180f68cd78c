import { EventEmitter } from 'node:events';
import { policySchema, SCOPES, type PolicyConfig, type PolicyInput } from '../../shared/config-schema.js';
import type { Identity } from '../../shared/types.js';
import type { SettingsRepository } from '../state/repositories.js';
import { decideAccess, type Access } from './access-policy.js';

const KEY = 'policy';

/**
 * The access policy, kept in the state DB and read on every decision, so a change applies to the next request
 * of every token already issued. Emits 'change' so open MCP sessions can update their tool lists.
 */
export class PolicyStore extends EventEmitter<{ change: [PolicyConfig] }> {
  private constructor(
    private readonly settings: SettingsRepository,
    private current: PolicyConfig,
  ) {
    super();
  }

  static async open(settings: SettingsRepository): Promise<PolicyStore> {
    return new PolicyStore(settings, (await settings.get(KEY, policySchema)) ?? { rules: [] });
  }

  get(): PolicyConfig {
    return this.current;
  }

  /** Validates and stores the policy; a zod error (with the path of the field at fault) otherwise. */
  async save(input: PolicyInput): Promise<PolicyConfig> {
    const policy = policySchema.parse(input);
    await this.settings.set(KEY, policy);
    this.current = policy;
    this.emit('change', policy);
    return policy;
  }

  decide(identity: Identity): Access {
    return decideAccess(identity, this.current);
  }

  /**
   * The OAuth scopes this person's access gives now: `mcp:tools` for everyone the policy lets in, and
   * `mssql:write` only where their rule gives the write tool. The authorization server caps every token it
   * issues (code exchange, refresh, the desktop sign-in, ID-JAG) with this, so a token never carries a right the
   * policy does not give, and a refresh after a policy change carries the new one.
   */
  scopesFor(identity: Identity): string[] {
    const access = this.decide(identity);
    return access.can('write') ? [SCOPES.tools, SCOPES.write] : [SCOPES.tools];
  }
}
