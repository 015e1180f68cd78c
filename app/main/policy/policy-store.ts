import { EventEmitter } from 'node:events';
import { policySchema, type PolicyConfig, type PolicyInput } from '../../shared/config-schema.js';
import type { Identity } from '../../shared/types.js';
import type { StateDb } from '../state/database.js';
import { Settings } from '../state/settings.js';
import { decideAccess, type Access } from './access-policy.js';

const KEY = 'policy';

/**
 * The access policy, kept in the state DB and read on every decision, so a change applies to the next request
 * of every token already issued. Emits 'change' so open MCP sessions can update their tool lists.
 */
export class PolicyStore extends EventEmitter<{ change: [PolicyConfig] }> {
  private readonly settings: Settings;
  private current: PolicyConfig;

  constructor(db: StateDb) {
    super();
    this.settings = new Settings(db);
    this.current = this.settings.get(KEY, policySchema) ?? { rules: [] };
  }

  get(): PolicyConfig {
    return this.current;
  }

  /** Validates and stores the policy; a zod error (with the path of the field at fault) otherwise. */
  save(input: PolicyInput): PolicyConfig {
    const policy = policySchema.parse(input);
    this.settings.set(KEY, policy);
    this.current = policy;
    this.emit('change', policy);
    return policy;
  }

  decide(identity: Identity): Access {
    return decideAccess(identity, this.current);
  }
}
