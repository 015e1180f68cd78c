import type { PolicyInput } from './config-schema.js';

/**
 * "Analysts read Sales except HR tables; DBAs may write", over the sample database: the demo runs it, and the
 * Policy page offers it as a start.
 */
export const EXAMPLE_POLICY = {
  rules: [
    {
      id: 'dbas',
      description: 'DBAs read everything (and write where a connection allows writes)',
      match: { groups: ['dba'] },
      tools: ['read', 'explain', 'write'],
    },
    {
      id: 'analysts',
      description: 'Analysts read Sales except HR tables',
      match: { groups: ['analysts'] },
      databases: ['Sales'],
      tables: { allow: ['*.*'], deny: ['dbo.Employees', 'dbo.Departments', 'dbo.vEmployee*'] },
      tools: ['read', 'explain'],
      row_limit: 500,
    },
  ],
} satisfies PolicyInput;
