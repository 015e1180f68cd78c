/** PRELOGIN and LOGIN7 (MS-TDS 2.2.6.4, 2.2.6.5). */
import { Reader, Writer } from './wire.js';
import { SERVER_VERSION } from './tokens.js';

export const Encrypt = { OFF: 0, ON: 1, NOT_SUP: 2, REQ: 3 } as const;

/** The client's ENCRYPTION option (undefined when absent). */
export function preloginEncryption(payload: Buffer): number | undefined {
  const r = new Reader(payload);
  for (;;) {
    const token = r.u8();
    if (token === 0xff) return undefined;
    const offset = r.buf.readUInt16BE(r.pos);
    const length = r.buf.readUInt16BE(r.pos + 2);
    r.pos += 4;
    if (token === 0x01 && length >= 1) {
      if (offset >= payload.length) throw new Error('PRELOGIN option out of range');
      return payload[offset];
    }
  }
}

export function preloginResponse(encryption: number): Buffer {
  const options: Array<[number, Buffer]> = [
    [
      0x00,
      Buffer.from([
        SERVER_VERSION.major,
        SERVER_VERSION.minor,
        SERVER_VERSION.build >> 8,
        SERVER_VERSION.build & 0xff,
        0,
        0,
      ]),
    ],
    [0x01, Buffer.from([encryption])],
    [0x02, Buffer.from([0])],
    [0x03, Buffer.alloc(4)],
    [0x04, Buffer.from([0])],
  ];
  const headerLength = options.length * 5 + 1;
  const header = Buffer.alloc(headerLength);
  let offset = headerLength;
  options.forEach(([token, data], i) => {
    header[i * 5] = token;
    header.writeUInt16BE(offset, i * 5 + 1);
    header.writeUInt16BE(data.length, i * 5 + 3);
    offset += data.length;
  });
  header[headerLength - 1] = 0xff;
  return Buffer.concat([header, ...options.map(([, d]) => d)]);
}

export interface Login7 {
  tdsVersion: number;
  packetSize: number;
  hostName: string;
  userName: string;
  password: string;
  appName: string;
  database: string;
  /** Integrated (SSPI) authentication was asked for: not supported here. */
  sspi: boolean;
}

export function parseLogin7(payload: Buffer): Login7 {
  const r = new Reader(payload);
  const length = r.u32();
  if (length !== payload.length || length < 94) throw new Error('LOGIN7 length mismatch');
  const tdsVersion = r.buf.readUInt32BE(4);
  const packetSize = payload.readUInt32LE(8);
  const optionFlags2 = payload[25]!;
  const field = (at: number, decode: (b: Buffer) => string = (b) => b.toString('utf16le')) => {
    const offset = payload.readUInt16LE(at);
    const chars = payload.readUInt16LE(at + 2);
    if (offset + chars * 2 > payload.length) throw new Error('LOGIN7 field out of range');
    return decode(payload.subarray(offset, offset + chars * 2));
  };
  return {
    tdsVersion,
    packetSize,
    hostName: field(36),
    userName: field(40),
    password: field(44, decodePassword),
    appName: field(48),
    database: field(68),
    sspi: (optionFlags2 & 0x80) !== 0,
  };
}

/** LOGIN7 passwords: each byte XOR 0xA5, then its nibbles swapped (MS-TDS 2.2.6.4). */
function decodePassword(b: Buffer): string {
  const out = Buffer.from(b);
  for (let i = 0; i < out.length; i++) {
    const x = out[i]! ^ 0xa5;
    out[i] = ((x & 0x0f) << 4) | (x >> 4);
  }
  return out.toString('utf16le');
}

export { Writer };
