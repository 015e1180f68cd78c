import { describe, expect, it } from 'vitest';
import { connectionProfileSchema } from '../../app/shared/config-schema.js';
import { mssqlConfig } from '../../app/main/sql/pools.js';
import { explainSqlError } from '../../app/main/sql/errors.js';

const profile = (auth: unknown) => ({
  ...connectionProfileSchema.parse({ id: 'p', host: 'db.corp', auth }),
  has_secret: true,
});

describe('connection profiles to mssql settings', () => {
  it('has safe defaults: read-only, encrypted, blocked system databases, 1000 rows, 30 s', () => {
    const p = profile({ type: 'sql', user: 'u' });
    expect(p).toMatchObject({
      port: 1433,
      read_only: true,
      encrypt: true,
      trust_server_certificate: false,
      allow_writes: false,
      row_limit: 1000,
      query_timeout_seconds: 30,
      impersonation: 'execute_as_user',
    });
    expect(p.blocked_databases).toEqual(['master', 'msdb', 'tempdb', 'model']);
  });

  it('maps each authentication type, with the secret from the keychain', () => {
    expect(mssqlConfig(profile({ type: 'sql', user: 'svc' }), 'pw')).toMatchObject({
      server: 'db.corp',
      user: 'svc',
      password: 'pw',
      requestTimeout: 30_000,
    });
    expect(mssqlConfig(profile({ type: 'ntlm', domain: 'CORP', user: 'svc' }), 'pw').authentication).toEqual({
      type: 'ntlm',
      options: { domain: 'CORP', userName: 'svc', password: 'pw' },
    });
    expect(
      mssqlConfig(profile({ type: 'entra-service-principal', tenant_id: 't', client_id: 'c' }), 's')
        .authentication,
    ).toEqual({
      type: 'azure-active-directory-service-principal-secret',
      options: { tenantId: 't', clientId: 'c', clientSecret: 's' },
    });
    expect(mssqlConfig(profile({ type: 'entra-default' }), null).authentication).toEqual({
      type: 'azure-active-directory-default',
      options: {},
    });
  });

  it('explains driver errors found deep inside their causes', () => {
    const refused = Object.assign(
      new Error('Failed to connect to db.corp:1433 - Could not connect (sequence)'),
      {
        code: 'ESOCKET',
        originalError: {
          message: 'x',
          cause: { errors: [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 10.0.0.1:1433' }] },
        },
      },
    );
    expect(explainSqlError(refused, { host: 'db.corp', port: 1433 })).toMatchObject({
      code: 'refused',
      message: 'Nothing accepted the connection on db.corp:1433.',
    });
    expect(
      explainSqlError(
        Object.assign(
          new Error('Cannot execute as the database principal because the principal "eve" does not exist'),
          { number: 15517 },
        ),
        { dbUser: 'eve', database: 'Sales' },
      ).fix,
    ).toContain('GRANT IMPERSONATE ON USER::[eve]');
  });
});
