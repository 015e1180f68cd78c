import { describe, expect, it } from 'vitest';
import { MAX_CELL_CHARS, resultText } from '../../app/main/mcp/result-text.js';

describe('result text (CSV under one header line)', () => {
  const columns = [
    { name: 'Id', type: 'int', nullable: false },
    { name: 'Day', type: 'date', nullable: true },
    { name: 'At', type: 'datetime2', nullable: true },
    { name: 'Note', type: 'nvarchar(max)', nullable: true },
  ];

  it('prints dates as SQL Server does, quotes what CSV needs and tells NULL from an empty string', () => {
    const text = resultText(
      {
        database: 'Sales',
        columns,
        rows: [
          [1, '2024-05-01T00:00:00.000Z', '2024-05-01T07:56:50.000Z', 'a, "b"'],
          [2, null, '2024-05-01T07:56:50.120Z', ''],
          [3, null, null, null],
        ],
        rowCount: 3,
        truncated: true,
      },
      3,
    );
    expect(text.split('\n')).toEqual([
      '# 3 rows from Sales (truncated at 3: narrow the query or aggregate) · columns: Id int not null, Day date, At datetime2, Note nvarchar(max)',
      'Id,Day,At,Note',
      '1,2024-05-01,2024-05-01 07:56:50,"a, ""b"""',
      '2,,2024-05-01 07:56:50.120,""',
      '3,,,',
    ]);
  });

  it('cuts long text with a visible marker and its full length', () => {
    const long = 'x'.repeat(MAX_CELL_CHARS + 100);
    const text = resultText(
      { database: 'D', columns: [columns[3]!], rows: [[long]], rowCount: 1, truncated: false },
      10,
    );
    expect(text.split('\n')[2]).toBe(`${'x'.repeat(MAX_CELL_CHARS)}…[${MAX_CELL_CHARS + 100} chars]`);
  });
});
