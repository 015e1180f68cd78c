/**
 * Data types: PostgreSQL result columns encoded as TDS columns, and TDS RPC parameters decoded for
 * PostgreSQL. Strings, binaries and text-like types are sent as (N)VARCHAR(MAX)/VARBINARY(MAX) in PLP form,
 * so no value is ever truncated by a guessed length.
 */
import { COLLATION } from './tokens.js';
import { Reader, Writer } from './wire.js';

export const Oid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** OIDs whose values PGlite must hand over as the server's own text (exact digits, dates, 64-bit ints). */
export const RAW_TEXT_PARSERS: Record<number, (x: string) => string> = Object.fromEntries(
  [
    Oid.int8,
    Oid.numeric,
    Oid.date,
    Oid.time,
    Oid.timestamp,
    Oid.timestamptz,
    Oid.json,
    Oid.jsonb,
    Oid.interval,
  ].map((o) => [o, (x: string) => x]),
);

type ColumnKind =
  | { kind: 'int'; size: 1 | 2 | 4 | 8 }
  | { kind: 'bit' }
  | { kind: 'float'; size: 4 | 8 }
  | { kind: 'decimal'; scale: number }
  | { kind: 'nvarchar' }
  | { kind: 'varchar' }
  | { kind: 'varbinary' }
  | { kind: 'guid' }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'datetime2' }
  | { kind: 'datetimeoffset' };

export interface Column {
  name: string;
  type: ColumnKind;
}

/** The TDS column for a PostgreSQL result field; numeric scale comes from the first rows' text. */
export function columnFor(name: string, oid: number, sample: unknown[]): Column {
  const k = ((): ColumnKind => {
    switch (oid) {
      case Oid.int2:
        return { kind: 'int', size: 2 };
      case Oid.int4:
      case Oid.oid:
        return { kind: 'int', size: 4 };
      case Oid.int8:
        return { kind: 'int', size: 8 };
      case Oid.bool:
        return { kind: 'bit' };
      case Oid.float4:
        return { kind: 'float', size: 4 };
      case Oid.float8:
        return { kind: 'float', size: 8 };
      case Oid.numeric:
        return {
          kind: 'decimal',
          scale: Math.min(
            38,
            Math.max(
              0,
              ...sample.map((v) =>
                typeof v === 'string' && v.includes('.') ? v.length - v.indexOf('.') - 1 : 0,
              ),
            ),
          ),
        };
      case Oid.varchar:
        return { kind: 'varchar' };
      case Oid.bytea:
        return { kind: 'varbinary' };
      case Oid.uuid:
        return { kind: 'guid' };
      case Oid.date:
        return { kind: 'date' };
      case Oid.time:
        return { kind: 'time' };
      case Oid.timestamp:
        return { kind: 'datetime2' };
      case Oid.timestamptz:
        return { kind: 'datetimeoffset' };
      default:
        return { kind: 'nvarchar' };
    }
  })();
  return { name, type: k };
}

export function writeColMetadata(w: Writer, columns: Column[]): void {
  w.u8(0x81).u16(columns.length);
  for (const c of columns) {
    w.u32(0).u16(0x0001 /* nullable */);
    const t = c.type;
    switch (t.kind) {
      case 'int':
        w.u8(0x26).u8(t.size);
        break;
      case 'bit':
        w.u8(0x68).u8(1);
        break;
      case 'float':
        w.u8(0x6d).u8(t.size);
        break;
      case 'decimal':
        w.u8(0x6a).u8(17).u8(38).u8(t.scale);
        break;
      case 'nvarchar':
        w.u8(0xe7).u16(0xffff).bytes(COLLATION);
        break;
      case 'varchar':
        w.u8(0xa7).u16(0xffff).bytes(COLLATION);
        break;
      case 'varbinary':
        w.u8(0xa5).u16(0xffff);
        break;
      case 'guid':
        w.u8(0x24).u8(16);
        break;
      case 'date':
        w.u8(0x28);
        break;
      case 'time':
        w.u8(0x29).u8(7);
        break;
      case 'datetime2':
        w.u8(0x2a).u8(7);
        break;
      case 'datetimeoffset':
        w.u8(0x2b).u8(7);
        break;
    }
    w.bVarchar(c.name);
  }
}

export function writeRow(w: Writer, columns: Column[], row: unknown[]): void {
  w.u8(0xd1);
  columns.forEach((c, i) => writeValue(w, c.type, row[i]));
}

function writeValue(w: Writer, t: ColumnKind, v: unknown): void {
  const isNull = v === null || v === undefined;
  switch (t.kind) {
    case 'int': {
      if (isNull) return void w.u8(0);
      const b = Buffer.alloc(t.size);
      if (t.size === 1) b.writeUInt8(Number(v));
      else if (t.size === 2) b.writeInt16LE(Number(v));
      else if (t.size === 4) b.writeInt32LE(Number(v));
      else b.writeBigInt64LE(BigInt(v as string));
      return void w.u8(t.size).bytes(b);
    }
    case 'bit':
      return void (isNull ? w.u8(0) : w.u8(1).u8(v ? 1 : 0));
    case 'float': {
      if (isNull) return void w.u8(0);
      const b = Buffer.alloc(t.size);
      if (t.size === 4) b.writeFloatLE(Number(v));
      else b.writeDoubleLE(Number(v));
      return void w.u8(t.size).bytes(b);
    }
    case 'decimal': {
      if (isNull) return void w.u8(0);
      const { negative, unscaled } = toUnscaled(scalar(v), t.scale);
      const mag = Buffer.alloc(16);
      mag.writeBigUInt64LE(unscaled & 0xffffffffffffffffn, 0);
      mag.writeBigUInt64LE(unscaled >> 64n, 8);
      return void w
        .u8(17)
        .u8(negative ? 0 : 1)
        .bytes(mag);
    }
    case 'nvarchar':
      return plp(w, isNull ? null : Buffer.from(scalar(v), 'utf16le'));
    case 'varchar':
      return plp(w, isNull ? null : Buffer.from(scalar(v), 'latin1'));
    case 'varbinary':
      return plp(w, isNull ? null : Buffer.from(v as Uint8Array));
    case 'guid':
      return void (isNull ? w.u8(0) : w.u8(16).bytes(guidBytes(scalar(v))));
    case 'date':
      return void (isNull ? w.u8(0) : w.u8(3).bytes(uint(daysSince0001(scalar(v)), 3)));
    case 'time':
      return void (isNull ? w.u8(0) : w.u8(5).bytes(uint(timeTicks(scalar(v)), 5)));
    case 'datetime2': {
      if (isNull) return void w.u8(0);
      const [d, t2] = scalar(v).split(' ');
      return void w
        .u8(8)
        .bytes(uint(timeTicks(t2 ?? '00:00:00'), 5))
        .bytes(uint(daysSince0001(d!), 3));
    }
    case 'datetimeoffset': {
      if (isNull) return void w.u8(0);
      const { utc, offsetMinutes } = parseTimestamptz(scalar(v));
      const iso = utc.toISOString();
      const micros = scalar(v).match(/\.(\d+)/)?.[1] ?? '';
      const time = `${iso.slice(11, 19)}.${micros}`;
      w.u8(10)
        .bytes(uint(timeTicks(time), 5))
        .bytes(uint(daysSince0001(iso.slice(0, 10)), 3));
      return void w.i16(offsetMinutes);
    }
  }
}

function plp(w: Writer, data: Buffer | null): void {
  if (data === null) return void w.u64(0xffffffffffffffffn);
  w.u64(BigInt(data.length));
  if (data.length) w.u32(data.length).bytes(data);
  w.u32(0);
}

function uint(value: bigint | number, size: number): Buffer {
  const b = Buffer.alloc(size);
  let v = BigInt(value);
  for (let i = 0; i < size; i++) {
    b[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return b;
}

const DAY_MS = 86_400_000;
const DAYS_0001_TO_1970 = 719_162;

function utcDays(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const dt = new Date(0);
  dt.setUTCFullYear(y, m - 1, d);
  return Math.floor(dt.getTime() / DAY_MS);
}

export function daysSince0001(date: string): number {
  return utcDays(date) + DAYS_0001_TO_1970;
}

/** 'HH:MM:SS[.fffffff]' to 100 ns ticks. */
export function timeTicks(time: string): bigint {
  const [hms, frac = ''] = time.split('.');
  const [h, m, s] = hms!.split(':').map(Number) as [number, number, number];
  return BigInt(h * 3600 + m * 60 + s) * 10_000_000n + BigInt((frac + '0000000').slice(0, 7));
}

function parseTimestamptz(v: string): { utc: Date; offsetMinutes: number } {
  const m = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.\d+)?([+-])(\d{2})(?::?(\d{2}))?/.exec(v);
  if (!m) throw new Error(`unexpected timestamptz ${v}`);
  const offsetMinutes = (m[3] === '-' ? -1 : 1) * (Number(m[4]) * 60 + Number(m[5] ?? 0));
  const local = utcDays(m[1]!) * DAY_MS + Number(timeTicks(m[2]!) / 10_000n);
  return { utc: new Date(local - offsetMinutes * 60_000), offsetMinutes };
}

function toUnscaled(text: string, scale: number): { negative: boolean; unscaled: bigint } {
  const negative = text.startsWith('-');
  const [int, frac = ''] = text.replace(/^[-+]/, '').split('.');
  const digits = frac.padEnd(scale + 1, '0');
  let unscaled = BigInt((int || '0') + digits.slice(0, scale));
  if (Number(digits[scale] ?? '0') >= 5) unscaled += 1n;
  return { negative: negative && unscaled !== 0n, unscaled };
}

function guidBytes(uuid: string): Buffer {
  const hex = Buffer.from(uuid.replace(/-/g, ''), 'hex');
  return Buffer.concat([
    hex.subarray(0, 4).reverse(),
    hex.subarray(4, 6).reverse(),
    hex.subarray(6, 8).reverse(),
    hex.subarray(8),
  ]);
}

function guidString(b: Buffer): string {
  const hex = Buffer.concat([
    Buffer.from(b.subarray(0, 4)).reverse(),
    Buffer.from(b.subarray(4, 6)).reverse(),
    Buffer.from(b.subarray(6, 8)).reverse(),
    b.subarray(8),
  ]).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---------------------------------------------------------------- RPC parameters

export interface Param {
  name: string;
  /** The PostgreSQL type the value is cast to. */
  pgType: string;
  value: string | number | boolean | Uint8Array | null;
}

export class UnsupportedTypeError extends Error {}

/** Reads one RPC parameter (name, status, TYPE_INFO, value). */
export function readParam(r: Reader): Param {
  const name = r.bVarchar();
  r.u8(); // status flags (output parameters are not supported and read as input)
  const type = r.u8();
  switch (type) {
    case 0x26: {
      r.u8();
      const len = r.u8();
      if (!len) return { name, pgType: 'int8', value: null };
      const b = r.bytes(len);
      const value =
        len === 1
          ? b.readUInt8()
          : len === 2
            ? b.readInt16LE()
            : len === 4
              ? b.readInt32LE()
              : b.readBigInt64LE().toString();
      return { name, pgType: len === 8 ? 'int8' : len === 1 || len === 2 ? 'int2' : 'int4', value };
    }
    case 0x68: {
      r.u8();
      const len = r.u8();
      return { name, pgType: 'boolean', value: len ? r.u8() !== 0 : null };
    }
    case 0x6d: {
      r.u8();
      const len = r.u8();
      if (!len) return { name, pgType: 'float8', value: null };
      const b = r.bytes(len);
      return {
        name,
        pgType: len === 4 ? 'float4' : 'float8',
        value: len === 4 ? b.readFloatLE() : b.readDoubleLE(),
      };
    }
    case 0x6a:
    case 0x6c: {
      r.u8();
      const precision = r.u8();
      const scale = r.u8();
      const len = r.u8();
      const pgType = `numeric(${precision},${scale})`;
      if (!len) return { name, pgType, value: null };
      const sign = r.u8();
      const mag = r.bytes(len - 1);
      let v = 0n;
      for (let i = mag.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(mag[i]!);
      const digits = v.toString().padStart(scale + 1, '0');
      const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
      return { name, pgType, value: (sign ? '' : '-') + text };
    }
    case 0x6e: {
      r.u8();
      const len = r.u8();
      if (!len) return { name, pgType: 'numeric(19,4)', value: null };
      const b = r.bytes(len);
      const raw =
        len === 4 ? BigInt(b.readInt32LE()) : (BigInt(b.readInt32LE(0)) << 32n) | BigInt(b.readUInt32LE(4));
      const neg = raw < 0n;
      const abs = (neg ? -raw : raw).toString().padStart(5, '0');
      return {
        name,
        pgType: 'numeric(19,4)',
        value: `${neg ? '-' : ''}${abs.slice(0, -4)}.${abs.slice(-4)}`,
      };
    }
    case 0x24: {
      r.u8();
      const len = r.u8();
      return { name, pgType: 'uuid', value: len ? guidString(r.bytes(16)) : null };
    }
    case 0x28: {
      const len = r.u8();
      return { name, pgType: 'date', value: len ? dateFromDays(readUint(r.bytes(3))) : null };
    }
    case 0x29:
    case 0x2a:
    case 0x2b: {
      const scale = r.u8();
      const len = r.u8();
      const pgType = type === 0x29 ? 'time' : type === 0x2a ? 'timestamp' : 'timestamptz';
      if (!len) return { name, pgType, value: null };
      const timeLen = scale <= 2 ? 3 : scale <= 4 ? 4 : 5;
      const ticks = readUint(r.bytes(timeLen)) * 10 ** (7 - scale);
      const time = timeFromTicks(ticks);
      if (type === 0x29) return { name, pgType, value: time };
      const date = dateFromDays(readUint(r.bytes(3)));
      if (type === 0x2a) return { name, pgType, value: `${date} ${time}` };
      r.bytes(2); // the offset: date and time are already UTC, and PostgreSQL keeps instants, not offsets
      return { name, pgType, value: `${date} ${time}+00` };
    }
    case 0x6f: {
      r.u8();
      const len = r.u8();
      if (!len) return { name, pgType: 'timestamp', value: null };
      const b = r.bytes(len);
      const days = len === 8 ? b.readInt32LE(0) : b.readUInt16LE(0);
      const ms = len === 8 ? Math.round((b.readUInt32LE(4) * 10) / 3) : b.readUInt16LE(2) * 60_000;
      const d = new Date(Date.UTC(1900, 0, 1) + days * DAY_MS + ms);
      return { name, pgType: 'timestamp', value: d.toISOString().replace('T', ' ').replace('Z', '') };
    }
    case 0xe7:
    case 0xef:
    case 0xa7:
    case 0xaf: {
      const maxLen = r.u16();
      r.bytes(5);
      const unicode = type === 0xe7 || type === 0xef;
      const data = maxLen === 0xffff ? readPlp(r) : readShortLen(r);
      return {
        name,
        pgType: 'text',
        value: data === null ? null : data.toString(unicode ? 'utf16le' : 'latin1'),
      };
    }
    case 0xa5:
    case 0xad: {
      const maxLen = r.u16();
      const data = maxLen === 0xffff ? readPlp(r) : readShortLen(r);
      return { name, pgType: 'bytea', value: data === null ? null : new Uint8Array(data) };
    }
    default:
      throw new UnsupportedTypeError(
        `The TDS test server does not support parameters of TDS type 0x${type.toString(16)} (parameter ${name}).`,
      );
  }
}

function readShortLen(r: Reader): Buffer | null {
  const len = r.u16();
  return len === 0xffff ? null : Buffer.from(r.bytes(len));
}

function readPlp(r: Reader): Buffer | null {
  const total = r.u64();
  if (total === 0xffffffffffffffffn) return null;
  const parts: Buffer[] = [];
  for (;;) {
    const len = r.u32();
    if (!len) break;
    parts.push(r.bytes(len));
  }
  return Buffer.concat(parts);
}

function readUint(b: Buffer): number {
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}

function dateFromDays(days: number): string {
  const d = new Date((days - DAYS_0001_TO_1970) * DAY_MS);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

function timeFromTicks(ticks: number): string {
  const totalSeconds = Math.floor(ticks / 10_000_000);
  const frac = String(ticks % 10_000_000)
    .padStart(7, '0')
    .slice(0, 6);
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${frac}`;
}

export { Writer };

/** A parameter value the client sent as a scalar (the TDS type says which), as text. */
function scalar(v: unknown): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}
