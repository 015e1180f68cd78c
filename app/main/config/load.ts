import fs from 'node:fs';
import { z } from 'zod';
import { configSchema, type BridgeConfig, type BridgeConfigInput } from '../../shared/config-schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads the JSON config file (if any), applies environment overrides, then validates.
 * Errors name the file and the offending key so the user can fix them.
 */
export function loadConfig(
  opts: { file?: string; overrides?: BridgeConfigInput; env?: NodeJS.ProcessEnv } = {},
): BridgeConfig {
  const env = opts.env ?? process.env;
  let fromFile: Record<string, unknown> = {};
  if (opts.file) {
    let text: string;
    try {
      text = fs.readFileSync(opts.file, 'utf8');
    } catch (err) {
      throw new ConfigError(`Cannot read config file ${opts.file}: ${(err as Error).message}`);
    }
    try {
      fromFile = JSON.parse(text) as Record<string, unknown>;
    } catch (err) {
      throw new ConfigError(`Config file ${opts.file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  const merged = deepMerge(
    deepMerge(fromFile, (opts.overrides ?? {}) as Record<string, unknown>),
    envOverrides(env),
  );
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const where = opts.file ? ` in ${opts.file}` : '';
    throw new ConfigError(`Invalid configuration${where}:\n${z.prettifyError(parsed.error)}`);
  }
  const config = parsed.data;
  // IdP client secrets may come from the environment so they never sit in a file.
  for (const profile of config.idp.profiles) {
    const key = `MSSQL_MCP_IDP_${profile.id.toUpperCase().replace(/-/g, '_')}_CLIENT_SECRET`;
    if (env[key]) profile.client_secret = env[key];
  }
  return config;
}

function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const server: Record<string, unknown> = {};
  if (env.MSSQL_MCP_PORT) server.port = Number(env.MSSQL_MCP_PORT);
  if (env.MSSQL_MCP_HOST) server.host = env.MSSQL_MCP_HOST;
  return Object.keys(server).length ? { server } : {};
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
