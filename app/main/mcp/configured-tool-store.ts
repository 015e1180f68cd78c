import { EventEmitter } from 'node:events';
import { z } from 'zod';
import {
  configuredToolSchema,
  type ConfiguredTool,
  type ConfiguredToolInput,
} from '../../shared/config-schema.js';
import type { SettingsRepository } from '../state/repositories.js';
import { ConfiguredToolError } from './configured-tools.js';

const KEY = 'configured_tools';
const stored = z.array(configuredToolSchema);

/**
 * The configured tools: the config file's (saved at every start, as its profiles and policy are) and those
 * added in the app, one list by name. Kept in memory for the hot path (a 2026-07-28 request builds its server
 * from it) and in the state DB; a change emits 'change' and applies to new sessions and every 2026-07-28 request.
 */
export class ConfiguredToolStore extends EventEmitter<{ change: [ConfiguredTool[]] }> {
  private constructor(
    private readonly settings: SettingsRepository,
    private current: ConfiguredTool[],
    /** Names defined in the config file: edited there, not in the app. */
    readonly fromConfig: ReadonlySet<string>,
  ) {
    super();
  }

  static async open(
    settings: SettingsRepository,
    fromConfig: ConfiguredTool[],
  ): Promise<ConfiguredToolStore> {
    const saved = (await settings.get(KEY, stored)) ?? [];
    const names = new Set(fromConfig.map((t) => t.name));
    const merged = [...saved.filter((t) => !names.has(t.name)), ...fromConfig];
    if (fromConfig.length) await settings.set(KEY, merged);
    return new ConfiguredToolStore(settings, merged, names);
  }

  list(): ConfiguredTool[] {
    return this.current;
  }

  isWriteTool(name: string): boolean {
    return this.current.some((t) => t.name === name && t.mode === 'write');
  }

  /**
   * Adds or replaces one tool after `check` (the load-time checks, against the connections as they are now)
   * finds nothing wrong; its sentences otherwise. A tool of the config file is changed there.
   */
  async save(input: ConfiguredToolInput, check: (tool: ConfiguredTool) => string[]): Promise<ConfiguredTool> {
    const tool = configuredToolSchema.parse(input);
    if (this.fromConfig.has(tool.name))
      throw new ConfiguredToolError(
        `The tool "${tool.name}" is defined in the config file; change it there (the file is read at every start).`,
      );
    const problems = check(tool);
    if (problems.length) throw new ConfiguredToolError(problems.join(' '));
    await this.write([...this.current.filter((t) => t.name !== tool.name), tool]);
    return tool;
  }

  async remove(name: string): Promise<boolean> {
    if (this.fromConfig.has(name))
      throw new ConfiguredToolError(`The tool "${name}" is defined in the config file; remove it there.`);
    const next = this.current.filter((t) => t.name !== name);
    if (next.length === this.current.length) return false;
    await this.write(next);
    return true;
  }

  private async write(next: ConfiguredTool[]): Promise<void> {
    await this.settings.set(KEY, next);
    this.current = next;
    this.emit('change', next);
  }
}
