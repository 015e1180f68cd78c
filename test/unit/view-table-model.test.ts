import { describe, expect, it } from 'vitest';
import {
  cellText,
  chartSpec,
  delimited,
  filterRows,
  nextSort,
  sortRows,
  type Column,
} from '../../app/views/src/table-model.js';

const col = (name: string, type: string): Column => ({ name, type, nullable: true });
const columns = [col('OrderID', 'int'), col('Customer', 'nvarchar(50)'), col('Total', 'decimal(10,2)')];
const rows: unknown[][] = [
  [3, 'Contoso', '120.50'],
  [1, null, '9.99'],
  [2, 'Fabrikam, Inc.', '1000.00'],
];

describe("the result grid's table model", () => {
  it('sorts numbers as numbers (1000 after 120), NULL first ascending and last descending', () => {
    expect(sortRows(rows, { column: 2, descending: false }, columns).map((r) => r[0])).toEqual([1, 3, 2]);
    expect(sortRows(rows, { column: 1, descending: false }, columns).map((r) => r[1])).toEqual([
      null,
      'Contoso',
      'Fabrikam, Inc.',
    ]);
    expect(sortRows(rows, { column: 1, descending: true }, columns).map((r) => r[1])[2]).toBeNull();
    expect(sortRows(rows, undefined, columns)).toBe(rows);
  });

  it('cycles a header through ascending, descending and unsorted', () => {
    const a = nextSort(undefined, 1);
    const d = nextSort(a, 1);
    expect([a, d, nextSort(d, 1), nextSort(d, 2)]).toEqual([
      { column: 1, descending: false },
      { column: 1, descending: true },
      undefined,
      { column: 2, descending: false },
    ]);
  });

  it('filters on any cell, case-insensitive; NULL matches nothing, not the word NULL', () => {
    expect(filterRows(rows, 'fabrikam')).toEqual([rows[2]]);
    expect(filterRows(rows, 'null')).toEqual([]);
    expect(filterRows(rows, '  ')).toBe(rows);
  });

  it('copies as RFC 4180 CSV (quotes where needed) or TSV, NULL as an empty field', () => {
    expect(delimited(columns, rows.slice(1), ',')).toBe(
      'OrderID,Customer,Total\r\n1,,9.99\r\n2,"Fabrikam, Inc.",1000.00',
    );
    expect(delimited(columns, [[1, 'a\tb\nc', null]], '\t')).toBe('OrderID\tCustomer\tTotal\r\n1\ta b c\t');
  });

  it('charts measures over a category, never a key column; nothing without a measure', () => {
    expect(chartSpec(columns)).toEqual({ category: 1, values: [2] });
    expect(chartSpec([col('Year', 'int'), col('Sales', 'money'), col('Units', 'bigint')])).toEqual({
      category: 0,
      values: [1, 2],
    });
    expect(chartSpec([col('Name', 'nvarchar(10)'), col('CustomerID', 'int')])).toEqual({
      category: 0,
      values: [1],
    });
    expect(chartSpec([col('Name', 'nvarchar(10)'), col('Note', 'nvarchar(max)')])).toBeUndefined();
  });

  it('shows NULL as NULL and objects as JSON', () => {
    expect([cellText(null), cellText(0), cellText({ a: 1 })]).toEqual(['NULL', '0', '{"a":1}']);
  });
});
