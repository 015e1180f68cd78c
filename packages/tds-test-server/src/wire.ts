/** TDS framing: packet headers, message assembly and the small encodings every token uses. */

export const PacketType = {
  SQL_BATCH: 0x01,
  RPC: 0x03,
  TABULAR_RESULT: 0x04,
  ATTENTION: 0x06,
  TRANSACTION_MANAGER: 0x0e,
  LOGIN7: 0x10,
  PRELOGIN: 0x12,
} as const;

const HEADER = 8;
const STATUS_EOM = 0x01;

export interface Message {
  type: number;
  /** Bit 0x08/0x10 of the first packet: reset connection. */
  status: number;
  payload: Buffer;
}

/**
 * Reassembles packets into messages. Throws on a malformed header, which the caller answers by closing
 * the connection (a test server must survive garbage, not interpret it).
 */
export class PacketReader {
  private buffer: Buffer = Buffer.alloc(0);
  private parts: Buffer[] = [];
  private partType = -1;
  private firstStatus = 0;

  static readonly MAX_PACKET = 32_768;
  static readonly MAX_MESSAGE = 64 * 1024 * 1024;
  private messageSize = 0;

  push(chunk: Buffer): Message[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: Message[] = [];
    while (this.buffer.length >= HEADER) {
      const type = this.buffer[0]!;
      const status = this.buffer[1]!;
      const length = this.buffer.readUInt16BE(2);
      if (length < HEADER || length > PacketReader.MAX_PACKET) throw new Error(`bad packet length ${length}`);
      if (!(Object.values(PacketType) as number[]).includes(type))
        throw new Error(`unknown packet type 0x${type.toString(16)}`);
      if (this.buffer.length < length) break;
      if (this.parts.length && type !== this.partType && type !== PacketType.ATTENTION)
        throw new Error('packet type changed inside a message');
      const body = this.buffer.subarray(HEADER, length);
      this.buffer = this.buffer.subarray(length);
      if (type === PacketType.ATTENTION) {
        out.push({ type, status, payload: Buffer.alloc(0) });
        continue;
      }
      if (!this.parts.length) {
        this.partType = type;
        this.firstStatus = status;
      }
      this.parts.push(body);
      this.messageSize += body.length;
      if (this.messageSize > PacketReader.MAX_MESSAGE) throw new Error('message too large');
      if (status & STATUS_EOM) {
        out.push({ type: this.partType, status: this.firstStatus, payload: Buffer.concat(this.parts) });
        this.parts = [];
        this.messageSize = 0;
      }
    }
    return out;
  }
}

/** Splits a message into packets of the negotiated size. */
export function packetize(type: number, payload: Buffer, packetSize: number): Buffer {
  const room = packetSize - HEADER;
  const packets: Buffer[] = [];
  let id = 1;
  for (let offset = 0; offset < payload.length || offset === 0; offset += room) {
    const part = payload.subarray(offset, offset + room);
    const last = offset + room >= payload.length;
    const header = Buffer.alloc(HEADER);
    header[0] = type;
    header[1] = last ? STATUS_EOM : 0;
    header.writeUInt16BE(HEADER + part.length, 2);
    header.writeUInt16BE(0, 4);
    header[6] = id++ % 256;
    header[7] = 0;
    packets.push(header, part);
    if (last) break;
  }
  return Buffer.concat(packets);
}

/** Growable little-endian writer for token streams. */
export class Writer {
  private chunks: Buffer[] = [];
  length = 0;

  bytes(b: Buffer): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
  u8(v: number): this {
    return this.bytes(Buffer.from([v & 0xff]));
  }
  u16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(v);
    return this.bytes(b);
  }
  i16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16LE(v);
    return this.bytes(b);
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v >>> 0);
    return this.bytes(b);
  }
  i32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return this.bytes(b);
  }
  u64(v: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    return this.bytes(b);
  }
  /** B_VARCHAR: 1-byte character count, UCS-2. */
  bVarchar(s: string): this {
    const text = ucs2(s);
    return this.u8(text.length / 2).bytes(text);
  }
  /** US_VARCHAR: 2-byte character count, UCS-2. */
  usVarchar(s: string): this {
    const text = ucs2(s);
    return this.u16(text.length / 2).bytes(text);
  }
  toBuffer(): Buffer {
    const b = Buffer.concat(this.chunks, this.length);
    this.chunks = [b];
    return b;
  }
  /** Keeps only `rest` (what was not sent yet). */
  reset(rest: Buffer): void {
    this.chunks = rest.length ? [Buffer.from(rest)] : [];
    this.length = rest.length;
  }
}

export const ucs2 = (s: string): Buffer => Buffer.from(s, 'utf16le');

/** Bounds-checked little-endian reader; any overrun throws (malformed input closes the connection). */
export class Reader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length)
      throw new Error(`truncated message (need ${n} bytes at ${this.pos} of ${this.buf.length})`);
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  bVarchar(): string {
    return this.bytes(this.u8() * 2).toString('utf16le');
  }
  usVarchar(): string {
    return this.bytes(this.u16() * 2).toString('utf16le');
  }
}
