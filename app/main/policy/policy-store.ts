import { EventEmitter } from 'node:events';
import { policySchema, type PolicyConfig, type PolicyInput } from '../../shared/config-schema.js';
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
}
