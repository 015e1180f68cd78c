/** Server-to-client token writers (MS-TDS 2.2.7). */
import { Writer } from './wire.js';

export const SERVER_NAME = 'TDSTEST';
/** SQL_Latin1_General_CP1_CI_AS: LCID 0x0409, sort id 52 (code page 1252). */
export const COLLATION = Buffer.from([0x09, 0x04, 0xd0, 0x00, 0x34]);
/** Reported as SQL Server 2019 (15.0); the test server speaks TDS 7.4. */
export const SERVER_VERSION = { major: 15, minor: 0, build: 2000 };

export const Done = {
  FINAL: 0x0000,
  MORE: 0x0001,
  ERROR: 0x0002,
  INXACT: 0x0004,
  COUNT: 0x0010,
  ATTN: 0x0020,
  SRVERROR: 0x0100,
} as const;

export function loginAck(w: Writer): void {
  const progName = 'Microsoft SQL Server';
  const body = new Writer()
    .u8(0x01)
    .bytes(Buffer.from([0x74, 0x00, 0x00, 0x04]))
    .bVarchar(progName)
    .u8(SERVER_VERSION.major)
    .u8(SERVER_VERSION.minor)
    .u8(SERVER_VERSION.build >> 8)
    .u8(SERVER_VERSION.build & 0xff)
    .toBuffer();
  w.u8(0xad).u16(body.length).bytes(body);
}

/** ENVCHANGE with B_VARCHAR values (database 1, language 2, packet size 4). */
export function envChangeString(w: Writer, type: 1 | 2 | 4, newValue: string, oldValue: string): void {
  const body = new Writer().u8(type).bVarchar(newValue).bVarchar(oldValue).toBuffer();
  w.u8(0xe3).u16(body.length).bytes(body);
}

/** ENVCHANGE with B_VARBYTE values (collation 7, begin 8, commit 9, rollback 10). */
export function envChangeBytes(w: Writer, type: 7 | 8 | 9 | 10, newValue: Buffer, oldValue: Buffer): void {
  const body = new Writer()
    .u8(type)
    .u8(newValue.length)
    .bytes(newValue)
    .u8(oldValue.length)
    .bytes(oldValue)
    .toBuffer();
  w.u8(0xe3).u16(body.length).bytes(body);
}

export interface ServerMessage {
  number: number;
  state: number;
  class: number;
  message: string;
  procName?: string;
  line?: number;
}

/** ERROR (0xAA) or INFO (0xAB). */
export function message(w: Writer, kind: 'error' | 'info', m: ServerMessage): void {
  const body = new Writer()
    .i32(m.number)
    .u8(m.state)
    .u8(m.class)
    .usVarchar(m.message)
    .bVarchar(SERVER_NAME)
    .bVarchar(m.procName ?? '')
    .i32(m.line ?? 1)
    .toBuffer();
  w.u8(kind === 'error' ? 0xaa : 0xab)
    .u16(body.length)
    .bytes(body);
}

/** DONE (0xFD), DONEPROC (0xFE) or DONEINPROC (0xFF). */
export function done(
  w: Writer,
  status: number,
  rowCount = 0n,
  token: 0xfd | 0xfe | 0xff = 0xfd,
  curCmd = 0,
): void {
  w.u8(token).u16(status).u16(curCmd).u64(rowCount);
}

export function returnStatus(w: Writer, value: number): void {
  w.u8(0x79).i32(value);
}
