import { describe, expect, it } from 'vitest';
import { configSchema, type ConfiguredToolInput } from '../../app/shared/config-schema.js';
import { argumentSchema, checkConfiguredTools } from '../../app/main/mcp/configured-tools.js';
import type { ConnectionProfile } from '../../app/main/sql/profiles.js';

const profile = (allow_writes: boolean, extra: Record<string, unknown> = {}): ConnectionProfile =>
  ({
    ...configSchema.parse({
      sql: {
        profiles: [
          {
            id: allow_writes ? 'rw' : 'ro',
            host: 'db',
            database: 'Sales',
            auth: { type: 'sql', user: 'u' },
            allow_writes,
            ...extra,
          },
        ],
      },
    }).sql.profiles[0]!,
    has_secret: true,
  }) as ConnectionProfile;

const tools = (...t: ConfiguredToolInput[]) => configSchema.parse({ tools: t }).tools;
const read = (over: Partial<ConfiguredToolInput> = {}): ConfiguredToolInput => ({
  name: 'orders_of',
  title: 'Orders',
  description: 'Orders of a customer.',
  connection: 'ro',
  statement: 'SELECT OrderID FROM Orders WHERE CustomerID = @customer_id',
  parameters: [{ name: 'customer_id', type: 'int' }],
  ...over,
});

describe('configured tools, checked once at load', () => {
  const profiles = [profile(false), profile(true)];

  it('a sound tool passes', () => {
    expect(checkConfiguredTools(tools(read()), profiles)).toEqual([]);
  });

  it('names the tool and its line in the config file for each problem', () => {
    const config = JSON.stringify({ tools: [read({ connection: 'nowhere' })] }, null, 2);
    const [problem] = checkConfiguredTools(tools(read({ connection: 'nowhere' })), profiles, config);
    expect(problem).toBe(
      'Configured tool "orders_of" (line 4 of the config file): there is no connection profile "nowhere" (known: ro, rw).',
    );
  });

  it('refuses a statement the guard refuses in its mode, a write on a read-only connection, and a blocked database', () => {
    const [escape] = checkConfiguredTools(
      tools(read({ statement: 'DELETE FROM Orders', parameters: [] })),
      profiles,
    );
    expect(escape).toMatch(/^Configured tool "orders_of": its statement is not allowed: /);
    const [ro] = checkConfiguredTools(
      tools(read({ mode: 'write', statement: 'DELETE FROM Orders WHERE OrderID = @customer_id' })),
      profiles,
    );
    expect(ro).toContain('connection "ro" does not allow writes');
    const [blocked] = checkConfiguredTools(
      tools(
        read({
          connection: 'rw',
          statement: 'SELECT name FROM master.sys.databases WHERE database_id = @customer_id',
        }),
      ),
      profiles,
    );
    expect(blocked).toMatch(/its statement is not allowed: .*master/);
  });

  it('the statement and the declared parameters must be the same set', () => {
    const problems = checkConfiguredTools(
      tools(
        read({
          statement: 'SELECT 1 WHERE @a = @b',
          parameters: [
            { name: 'a', type: 'int' },
            { name: 'c', type: 'int' },
          ],
        }),
      ),
      profiles,
    );
    expect(problems).toEqual([
      'Configured tool "orders_of": the statement uses @b, not declared in parameters.',
      'Configured tool "orders_of": parameters c are declared but the statement never uses them.',
    ]);
  });

  it('a tool has a statement or a procedure, not both and not neither; a procedure is schema.name', () => {
    const both = configSchema.safeParse({ tools: [read({ procedure: 'dbo.usp_X' })] });
    expect(both.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'tools.0.statement: a configured tool has either a statement or a procedure',
    ]);
    const neither = configSchema.safeParse({ tools: [read({ statement: undefined })] });
    expect(neither.success).toBe(false);
    const injected = configSchema.safeParse({
      tools: [read({ statement: undefined, procedure: 'dbo.x; DROP TABLE Orders' })],
    });
    expect(injected.error?.issues[0]?.message).toBe('schema.name, e.g. dbo.usp_CustomerOrderSummary');
    expect(
      checkConfiguredTools(
        tools(read({ statement: undefined, procedure: 'dbo.usp_X', parameters: [] })),
        profiles,
      ),
    ).toEqual([]);
  });

  it('the config schema refuses unknown types, bad names and a name used twice, with the path', () => {
    const r = configSchema.safeParse({
      tools: [read({ parameters: [{ name: 'x', type: 'varchar' }] }), read(), read({ name: 'Bad-Name' })],
    });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^tools\.0\.parameters\.0\.type: a T-SQL type/),
        expect.stringMatching(/^tools\.2\.name: lower-case letters/),
        'tools.1.name: tool name "orders_of" is used twice',
      ]),
    );
  });
});

describe("a parameter's schema", () => {
  const check = (p: Parameters<typeof argumentSchema>[0], v: unknown) => argumentSchema(p).safeParse(v);
  it('keeps integers in their type and the configured range', () => {
    expect(check({ name: 'n', type: 'tinyint', description: '' }, 256).error?.issues[0]?.message).toBe(
      'n must be a whole number from 0 to 255',
    );
    expect(check({ name: 'n', type: 'int', description: '', min: 1, max: 10 }, 10).success).toBe(true);
  });
  it('limits text to the declared length', () => {
    expect(check({ name: 's', type: 'nvarchar(3)', description: '' }, 'abcd').error?.issues[0]?.message).toBe(
      's must be text of at most 3 characters',
    );
  });
});
