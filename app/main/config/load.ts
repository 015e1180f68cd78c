import fs from 'node:fs';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { configSchema, type BridgeConfig, type BridgeConfigInput } from '../../shared/config-schema.js';
import { lineOf, pathText, unknownKeys, type UnknownKey } from './unknown-keys.js';
import { BridgeError } from '../../shared/errors.js';

export class ConfigError extends BridgeError {
  override name = 'ConfigError';
  constructor(message: string) {
    super(message, 'config');
  }
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
  let text: string | undefined;
  if (opts.file) {
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
  const merged = deepMerge(deepMerge(fromFile, opts.overrides ?? {}), envOverrides(env));
  // A misspelt key anywhere is an error, not a setting silently left at its default.
  const unknown = opts.file ? unknownKeys(configSchema, fromFile, text) : [];
  const parsed = configSchema.safeParse(merged);
  const tree = text === undefined ? undefined : parseTree(text);
  const problems = [
    ...unknown.map(describeUnknown),
    ...(parsed.success ? [] : parsed.error.issues)
      // The top level is strict in the schema too; those keys are already said above, with a suggestion.
      .filter(
        (issue) =>
          !(
            issue.code === 'unrecognized_keys' &&
            issue.keys.every((k) =>
              unknown.some((u) => u.key === k && pathText(u.path) === pathText(issue.path)),
            )
          ),
      )
      .map((issue) => {
        const at = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        const node = tree && findNodeAtLocation(tree, at);
        const line = node && text !== undefined ? ` (line ${lineOf(text, node.offset)})` : '';
        return `${pathText(at) || '(top level)'}${line}: ${issue.message}`;
      }),
  ];
  if (!parsed.success || problems.length) {
    const where = opts.file ? ` in ${opts.file}` : '';
    throw new ConfigError(
      `Invalid configuration${where} (nothing was started):\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  }
  const config = parsed.data;
  // Secrets may come from the environment, or from files it names (`*_FILE`, as container platforms mount
  // them), so they never sit in the config file; they go to the keychain at start like any other.
  for (const profile of config.idp.profiles) {
    const secret = secretFromEnv(env, `MSSQL_MCP_IDP_${envName(profile.id)}_CLIENT_SECRET`);
    if (secret) profile.client_secret = secret;
  }
  for (const profile of config.sql.profiles) {
    const auth = profile.auth;
    if (auth.type === 'sql' || auth.type === 'ntlm') {
      const secret = secretFromEnv(env, `MSSQL_MCP_SQL_${envName(profile.id)}_PASSWORD`);
      if (secret) auth.password = secret;
    } else if (auth.type === 'entra-service-principal') {
      const secret = secretFromEnv(env, `MSSQL_MCP_SQL_${envName(profile.id)}_CLIENT_SECRET`);
      if (secret) auth.client_secret = secret;
    }
  }
  return config;
}

const envName = (id: string) => id.toUpperCase().replace(/-/g, '_');

/** `NAME`, or the contents of the file `NAME_FILE` names (one trailing newline dropped). */
export function secretFromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env[name]) return env[name];
  const file = env[`${name}_FILE`];
  if (!file) return undefined;
  try {
    return fs.readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new ConfigError(`Cannot read ${name}_FILE (${file}): ${(err as Error).message}`);
  }
}

function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const server: Record<string, unknown> = {};
  const stateUrl = secretFromEnv(env, 'MSSQL_MCP_STATE_URL');
  if (env.MSSQL_MCP_PORT) server.port = Number(env.MSSQL_MCP_PORT);
  if (env.MSSQL_MCP_HOST) server.host = env.MSSQL_MCP_HOST;
  // Per-instance settings for containers: the public URL and the proxies in front (comma separated).
  if (env.MSSQL_MCP_PUBLIC_URL) server.public_url = env.MSSQL_MCP_PUBLIC_URL;
  if (env.MSSQL_MCP_TRUSTED_PROXIES)
    server.trusted_proxies = env.MSSQL_MCP_TRUSTED_PROXIES.split(',')
      .map((a) => a.trim())
      .filter(Boolean);
  return {
    ...(Object.keys(server).length ? { server } : {}),
    // The URL carries the database password: a secret, so also from a file.
    ...(stateUrl ? { state: { url: stateUrl } } : {}),
  };
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

/** One unknown key: where, and the valid key it most likely meant (or the valid keys there). */
function describeUnknown(u: UnknownKey): string {
  const at = `${pathText([...u.path, u.key])}${u.line ? ` (line ${u.line})` : ''}: unknown key "${u.key}"`;
  return u.suggestion
    ? `${at}; did you mean "${u.suggestion}"?`
    : `${at}; the keys there are ${u.valid.join(', ')}`;
}
