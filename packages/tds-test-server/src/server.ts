/**
 * TDS test server: a SQL Server stand-in for the demo and tests, speaking TDS 7.4 to the real mssql/tedious
 * driver and executing on PostgreSQL (PGlite). It ships with the demo as its sample database; it is not SQL
 * Server and must never be mistaken for one.
 *
 * What it does: PRELOGIN (no encryption, or TLS 1.2 inside TDS for `encrypt: true`), LOGIN7 with SQL
 * authentication (18456 on a bad password), SQL batches, RPC `sp_executesql` with typed parameters,
 * transaction-manager requests, ATTENTION (cancel, read between row batches so stopping is prompt), multiple
 * result sets, row counts, ERROR/INFO tokens, EXECUTE AS USER / REVERT over PostgreSQL roles with real
 * GRANTs, `USE`, three-part names, INFORMATION_SCHEMA and sys views (tables, columns, types, indexes, foreign
 * keys, partitions, dm_db_partition_stats, sql_modules), DECLARE / SET / SELECT @variable = ..., @@ROWCOUNT,
 * the catalog procedures sp_help, sp_helptext, sp_columns, sp_tables, sp_pkeys, sp_fkeys, sp_helpindex,
 * sp_spaceused and sp_describe_first_result_set, and a database's own stored procedures: PostgreSQL functions
 * of its schema (EXEC with arguments by name or position, EXECUTE permission as in SQL Server, sys.parameters,
 * OBJECT_ID), such as the sample's dbo.usp_CustomerOrderSummary.
 *
 * Where real SQL Server differs (do not mistake this for it):
 * - Execution is PostgreSQL's: T-SQL is rewritten token by token (translate.ts), with structural rewrites for
 *   APPLY, PIVOT/UNPIVOT, FOR JSON/XML, recursive CTEs, IIF/CHOOSE, TRY_CAST, TOP PERCENT / WITH TIES
 *   (transforms.ts), and T-SQL built-ins written in PostgreSQL (builtins.ts). IF/WHILE/BEGIN...END, other
 *   procedures, EXEC(...), table variables, cursors, SELECT INTO, MERGE and OUTPUT are refused by name. A
 *   procedure is a function returning one result set, with no output parameters or return value; procedures are
 *   not in sys.objects (OBJECT_ID finds them).
 * - FOR JSON AUTO is PATH (no nesting by joined table; dotted aliases are not nested either) and comes as one
 *   row, not in 2,033-character chunks; FOR XML supports PATH, RAW, AUTO (flat) and ROOT; optimizer hints
 *   (OPTION, join and table hints) and COLLATE are ignored; LIKE is case-insensitive, but `=` on text is
 *   case-sensitive (PostgreSQL's collation); ordered-set aggregates with OVER (PERCENTILE_CONT ... OVER) and
 *   SOUNDEX/DIFFERENCE are not available; FORMAT knows the common .NET date patterns and N/C/P/F/# numbers.
 * - sp_help returns four of its result sets (object, columns, indexes, constraints).
 * - Result types come from PostgreSQL: tinyint reads back as smallint, nchar/nvarchar(n) as nvarchar(max),
 *   varchar(n) as varchar(max), datetime as datetime2, decimal as decimal(38, s) with s from the first rows;
 *   datetimeoffset keeps the instant but not the offset (it reads back in UTC).
 * - Requests from all connections run one at a time on PGlite's single connection; an open transaction holds
 *   it until commit/rollback, so concurrent writers block like table locks, never deadlock-detect.
 * - Errors map PostgreSQL codes to the nearest SQL Server number (229, 208, 207, 156/102, 2627, 547, 515...),
 *   with PostgreSQL deciding where a syntax error is;
 *   a failed statement ends its batch (like XACT_ABORT for the batch, not the transaction).
 * - Names resolve case-insensitively against the catalog; identifiers are otherwise PostgreSQL's.
 * - Text cannot hold NUL (U+0000): a statement or parameter with one is refused with error 102.
 * - MS_Description extended properties are PostgreSQL comments (COMMENT ON); no other extended property.
 * - No Windows/Entra authentication, no MARS, no TDS 8 strict encryption, one login per connection.
 * - SQL Server 2017-2022 functions: `AT TIME ZONE` knows the common Windows zone names and answers datetime2,
 *   not datetimeoffset; `PARSE`/`TRY_PARSE` ignore the culture (dates read month first); `HASHBYTES` hashes
 *   UTF-8 (SQL Server hashes an nvarchar's UTF-16); `CHECKSUM` values are not SQL Server's; `PERCENTILE_DISC`
 *   over a window answers float; `JSON_MODIFY` takes a plain path (no append/strict) and re-serializes the
 *   document; `SWITCHOFFSET` keeps the instant only.
 */
import net from 'node:net';
import type tls from 'node:tls';
import { Engine, ident, mapPgError, searchPath, type DatabaseSpec, type LoginSpec } from './engine.js';
import { Encrypt, parseLogin7, preloginEncryption, preloginResponse } from './login.js';
import { TlsBridge, testServerTlsContext } from './tls-bridge.js';
import {
  COLLATION,
  Done,
  done,
  envChangeBytes,
  envChangeString,
  loginAck,
  message,
  returnStatus,
  type ServerMessage,
} from './tokens.js';
import {
  classify,
  pgSchema,
  rewrite,
  splitStatements,
  tokenize,
  TranslateError,
  typeText,
  type NameContext,
  type Statement,
  type Token,
} from './translate.js';
import { bindArgs, catalogQueries, isCatalogProcedure, procedureName } from './procedures.js';
import {
  columnFor,
  RAW_TEXT_PARSERS,
  readParam,
  UnsupportedTypeError,
  writeColMetadata,
  writeRow,
  type Param,
} from './types.js';
import { PacketReader, PacketType, packetize, Reader, Writer } from './wire.js';
import { showplanXml, type PgPlan } from './showplan.js';
import { Oid, type Column } from './types.js';
import { startSqlBrowser } from './browser.js';

export type { DatabaseSpec, LoginSpec };

export interface TdsServerOptions {
  databases?: DatabaseSpec[];
  logins: LoginSpec[];
  /** Certificate for TLS-in-TDS; without it, clients asking for encryption are told it is not supported. */
  tls?: { key: string; cert: string };
  port?: number;
  /** The loopback address to listen on (default 127.0.0.1). */
  address?: string;
  /** Also answer as this named instance through a SQL Server Browser on `address`, UDP 1434. */
  instance?: string;
  log?: (msg: string) => void;
}

export interface TdsServer {
  host: string;
  port: number;
  engine: Engine;
  /** Open client connections. */
  connectionCount(): number;
  /** Requests executing right now (0 once a cancelled query has really stopped). */
  activeRequests(): number;
  stop(): Promise<void>;
}

const FETCH_BATCH = 500;

export async function startTdsServer(opts: TdsServerOptions): Promise<TdsServer> {
  const engine = await Engine.create(opts.databases ?? [], opts.logins);
  const tlsContext = opts.tls ? testServerTlsContext(opts.tls.key, opts.tls.cert) : undefined;
  const log = opts.log ?? (() => undefined);
  const connections = new Set<Connection>();
  let spid = 50;
  const server = net.createServer((socket) => {
    const c = new Connection(socket, engine, opts.logins, tlsContext, ++spid, log);
    connections.add(c);
    socket.once('close', () => connections.delete(c));
  });
  const address = opts.address ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, address, resolve));
  const port = (server.address() as net.AddressInfo).port;
  const browser = opts.instance
    ? await startSqlBrowser(address, { [opts.instance]: port }).catch(async (err: unknown) => {
        await new Promise((r) => server.close(r));
        await engine.close();
        throw err;
      })
    : undefined;
  return {
    host: address,
    port,
    engine,
    connectionCount: () => connections.size,
    activeRequests: () => [...connections].filter((c) => c.isRunning).length,
    async stop() {
      if (!server.listening) return;
      await browser?.stop();
      for (const c of connections) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await engine.close();
    },
  };
}

interface Session {
  login: LoginSpec;
  database: string;
  /** Role stack for EXECUTE AS; null is the superuser (no SET ROLE). */
  roles: Array<string | null>;
  nocount: boolean;
  /** SET SHOWPLAN_XML ON: statements return their estimated plan instead of running. */
  showplan: boolean;
  inTx: boolean;
  /** @@ROWCOUNT: rows of the last statement. */
  rowCount: number;
  release?: () => void;
}

class Connection {
  private reader = new PacketReader();
  private state: 'prelogin' | 'handshake' | 'login' | 'ready' | 'closed' = 'prelogin';
  private bridge?: TlsBridge;
  private packetSize = 4096;
  private session?: Session;
  private running = false;
  get isRunning(): boolean {
    return this.running;
  }
  private cancelRequested = false;
  private queue: Promise<void> = Promise.resolve();
  private txCounter = 0n;

  constructor(
    private readonly socket: net.Socket,
    private readonly engine: Engine,
    private readonly logins: LoginSpec[],
    private readonly tlsContext: tls.SecureContext | undefined,
    private readonly spid: number,
    private readonly log: (msg: string) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => {
      if (this.bridge && !this.bridge.isHandshaking) this.bridge.recordsIn(data);
      else this.receive(data);
    });
    socket.on('error', () => this.destroy());
    socket.on('close', () => this.onClose());
  }

  private receive(data: Buffer): void {
    let messages;
    try {
      messages = this.reader.push(data);
    } catch (err) {
      this.log(`closing connection ${this.spid}: ${(err as Error).message}`);
      this.destroy();
      return;
    }
    for (const m of messages) {
      // ATTENTION must overtake the queue: it cancels what is running.
      if (m.type === PacketType.ATTENTION) {
        this.attention();
        continue;
      }
      this.queue = this.queue
        .then(() => this.handle(m.type, m.status, m.payload))
        .catch((err: Error) => {
          this.log(`connection ${this.spid} failed: ${err.stack ?? err.message}`);
          this.destroy();
        });
    }
  }

  private get out(): NodeJS.WritableStream {
    return this.bridge && !this.bridge.isHandshaking ? this.bridge.secure : this.socket;
  }

  private send(type: number, payload: Buffer): boolean {
    if (this.state === 'closed') return false;
    return this.out.write(packetize(type, payload, this.packetSize));
  }

  private async handle(type: number, status: number, payload: Buffer): Promise<void> {
    if (this.state === 'closed') return;
    switch (this.state) {
      case 'prelogin':
        if (type !== PacketType.PRELOGIN) throw new Error('expected PRELOGIN');
        return this.prelogin(payload);
      case 'handshake':
        if (type !== PacketType.PRELOGIN) throw new Error('expected TLS handshake in PRELOGIN');
        this.bridge!.handshakeIn(payload);
        return;
      case 'login':
        if (type !== PacketType.LOGIN7) throw new Error('expected LOGIN7');
        return this.login(payload);
      case 'ready':
        if (status & 0x08 || status & 0x10) await this.resetSession();
        if (type === PacketType.SQL_BATCH) return this.sqlBatch(payload);
        if (type === PacketType.RPC) return this.rpc(payload);
        if (type === PacketType.TRANSACTION_MANAGER) return this.transactionManager(payload);
        throw new Error(`unexpected packet type 0x${type.toString(16)}`);
    }
  }

  private prelogin(payload: Buffer): void {
    const wanted = preloginEncryption(payload);
    const encrypt = this.tlsContext && (wanted === Encrypt.ON || wanted === Encrypt.REQ);
    this.send(PacketType.TABULAR_RESULT, preloginResponse(encrypt ? Encrypt.ON : Encrypt.NOT_SUP));
    if (!encrypt) {
      this.state = 'login';
      return;
    }
    this.state = 'handshake';
    this.bridge = new TlsBridge(this.tlsContext, (data, wrap) => {
      if (wrap) this.socket.write(packetize(PacketType.PRELOGIN, data, this.packetSize));
      else this.socket.write(data);
    });
    const cleartext = new PacketReader();
    this.bridge.secure.on('data', (data: Buffer) => {
      this.reader = cleartext;
      this.receive(data);
    });
    this.bridge.secure.on('secure', () => {
      if (this.state === 'handshake') this.state = 'login';
    });
    this.bridge.secure.on('error', (err: Error) => {
      this.log(`TLS error on connection ${this.spid}: ${err.message}`);
      this.destroy();
    });
  }

  private async login(payload: Buffer): Promise<void> {
    const req = parseLogin7(payload);
    const w = new Writer();
    const login = this.logins.find((l) => l.name.toLowerCase() === req.userName.toLowerCase());
    if (req.sspi || !login || login.password !== req.password) {
      message(w, 'error', {
        number: req.sspi ? 18452 : 18456,
        state: 1,
        class: 14,
        message: req.sspi
          ? 'Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.'
          : `Login failed for user '${req.userName}'.`,
      });
      done(w, Done.ERROR);
      this.send(PacketType.TABULAR_RESULT, w.toBuffer());
      this.socket.end();
      this.state = 'closed';
      return;
    }
    const database = this.engine.database(req.database || login.defaultDatabase || 'master');
    if (!database) {
      message(w, 'error', {
        number: 4060,
        state: 1,
        class: 11,
        message: `Cannot open database "${req.database}" requested by the login. The login failed.`,
      });
      done(w, Done.ERROR);
      this.send(PacketType.TABULAR_RESULT, w.toBuffer());
      this.socket.end();
      this.state = 'closed';
      return;
    }
    this.packetSize = Math.min(32_767, Math.max(512, req.packetSize || 4096));
    this.session = {
      login,
      database,
      roles: [login.superuser ? null : login.name],
      nocount: false,
      showplan: false,
      inTx: false,
      rowCount: 0,
    };
    envChangeString(w, 1, database, 'master');
    message(w, 'info', {
      number: 5701,
      state: 2,
      class: 0,
      message: `Changed database context to '${database}'.`,
    });
    envChangeBytes(w, 7, COLLATION, Buffer.alloc(0));
    envChangeString(w, 2, 'us_english', '');
    message(w, 'info', {
      number: 5703,
      state: 1,
      class: 0,
      message: 'Changed language setting to us_english.',
    });
    loginAck(w);
    envChangeString(w, 4, String(this.packetSize), String(this.packetSize));
    done(w, Done.FINAL);
    this.send(PacketType.TABULAR_RESULT, w.toBuffer());
    this.state = 'ready';
  }

  // ------------------------------------------------------------ requests

  private sqlBatch(payload: Buffer): Promise<void> {
    const r = new Reader(payload);
    skipAllHeaders(r);
    const sql = r.bytes(r.remaining).toString('utf16le');
    return this.run(sql, new Map(), false);
  }

  private rpc(payload: Buffer): Promise<void> {
    const r = new Reader(payload);
    skipAllHeaders(r);
    const nameLen = r.u16();
    const proc =
      nameLen === 0xffff
        ? r.u16() === 10
          ? 'sp_executesql'
          : 'unknown'
        : r.bytes(nameLen * 2).toString('utf16le');
    r.u16(); // option flags
    if (proc.toLowerCase() !== 'sp_executesql') {
      return this.respondError(
        { number: 2812, state: 62, class: 16, message: `Could not find stored procedure '${proc}'.` },
        true,
      );
    }
    const params: Param[] = [];
    try {
      while (r.remaining > 0) params.push(readParam(r));
    } catch (err) {
      if (err instanceof UnsupportedTypeError)
        return this.respondError({ number: 8016, state: 1, class: 16, message: err.message }, true);
      throw err;
    }
    const [stmt, , ...rest] = params;
    if (!stmt || typeof stmt.value !== 'string')
      return this.respondError(
        {
          number: 214,
          state: 2,
          class: 16,
          message: "Procedure expects parameter '@statement' of type 'ntext/nchar/nvarchar'.",
        },
        true,
      );
    return this.run(stmt.value, new Map(rest.map((p) => [p.name.toLowerCase(), p])), true);
  }

  private async transactionManager(payload: Buffer): Promise<void> {
    const r = new Reader(payload);
    skipAllHeaders(r);
    const request = r.u16();
    const kind = request === 5 ? 'begin' : request === 7 ? 'commit' : request === 8 ? 'rollback' : undefined;
    if (!kind)
      return this.respondError(
        {
          number: 50000,
          state: 1,
          class: 16,
          message: `Transaction manager request ${request} is not supported by the TDS test server.`,
        },
        false,
      );
    await this.withEngine(async (w) => {
      await this.transaction(w, kind);
      done(w, Done.FINAL);
    });
  }

  private async respondError(m: ServerMessage, rpc: boolean): Promise<void> {
    const w = new Writer();
    message(w, 'error', m);
    if (rpc) done(w, Done.ERROR, 0n, 0xfe);
    else done(w, Done.ERROR);
    this.send(PacketType.TABULAR_RESULT, w.toBuffer());
  }

  /** Runs a request holding the engine (unless this connection's open transaction already holds it). */
  private async withEngine(body: (w: Writer) => Promise<void>): Promise<void> {
    const session = this.session!;
    this.running = true;
    this.cancelRequested = false;
    if (!session.release) session.release = await this.engine.acquire();
    const w = new Writer();
    const response = new StreamingResponse(this, w);
    this.current = response;
    try {
      await this.applySession();
      await body(w);
    } finally {
      this.running = false;
      this.current = undefined;
      if (!session.inTx && session.release) {
        session.release();
        session.release = undefined;
      }
    }
    if (this.cancelRequested) {
      // The cancelled request's response ends as its own message; the attention acknowledgement follows as
      // the next message (tedious reads them in that order).
      done(w, Done.FINAL);
      await response.end();
      const ack = new Writer();
      done(ack, Done.ATTN);
      this.send(PacketType.TABULAR_RESULT, ack.toBuffer());
      return;
    }
    await response.end();
  }

  private current?: StreamingResponse;

  private run(sql: string, params: Map<string, Param>, rpc: boolean): Promise<void> {
    // PostgreSQL text cannot hold U+0000 (PGlite fails at the wire level and loses its session): refuse it
    // before the engine sees it, as a syntax error naming the position (a documented server difference).
    const nul = [sql, ...[...params.values()].map((p) => p.value)].findIndex(
      (v) => typeof v === 'string' && v.includes('\u0000'),
    );
    if (nul !== -1) {
      const where =
        nul === 0 ? `at position ${sql.indexOf('\u0000') + 1} of the statement` : 'in a parameter value';
      return this.respondError(
        {
          number: 102,
          state: 1,
          class: 15,
          message: `Incorrect syntax near the NUL character (U+0000) ${where}: this server cannot store NUL in text.`,
        },
        rpc,
      );
    }
    return this.withEngine(async (w) => {
      let statements: Statement[];
      try {
        statements = splitStatements(tokenize(sql)).map(classify);
      } catch (err) {
        this.writeError(w, err, 'SELECT', rpc);
        return;
      }
      const inProc = rpc ? 0xff : 0xfd;
      for (const st of statements) {
        if (this.cancelRequested || this.state === 'closed') return;
        const ok = await this.statement(w, st, params, inProc);
        if (!ok) {
          if (rpc) done(w, Done.ERROR, 0n, 0xfe);
          return;
        }
        await this.current!.flushPartial();
      }
      if (this.cancelRequested) return;
      if (rpc) {
        returnStatus(w, 0);
        done(w, Done.FINAL, 0n, 0xfe);
      } else {
        done(w, Done.FINAL);
      }
    });
  }

  private async statement(
    w: Writer,
    st: Statement,
    params: Map<string, Param>,
    token: 0xfd | 0xff,
  ): Promise<boolean> {
    const s = this.session!;
    const pg = this.engine.pg;
    const ok = () => (done(w, Done.MORE, 0n, token), true);
    try {
      switch (st.kind) {
        case 'nocount':
          s.nocount = st.on;
          return ok();
        case 'set-option':
          return ok();
        case 'showplan':
          s.showplan = st.on;
          return ok();
        case 'use': {
          const db = this.engine.database(st.database);
          if (!db)
            throw new TranslateError(
              `Database '${st.database}' does not exist. Make sure that the name is entered correctly.`,
              911,
            );
          const old = s.database;
          s.database = db;
          await this.applySession();
          envChangeString(w, 1, db, old);
          message(w, 'info', {
            number: 5701,
            state: 1,
            class: 0,
            message: `Changed database context to '${db}'.`,
          });
          return ok();
        }
        case 'execute-as': {
          const current = s.roles[s.roles.length - 1];
          // Short-circuit: pg_has_role raises for a role that does not exist.
          const allowed =
            (await this.engine.roleExists(st.user)) &&
            (current === null ||
              (
                await pg.query<{ ok: boolean }>('SELECT pg_has_role($1, $2, $3) AS ok', [
                  current,
                  st.user,
                  'MEMBER',
                ])
              ).rows[0]?.ok === true);
          if (!allowed) {
            throw new TranslateError(
              `Cannot execute as the database principal because the principal "${st.user}" does not exist, this type of principal cannot be impersonated, or you do not have permission.`,
              15517,
            );
          }
          s.roles.push(st.user);
          await this.applySession();
          return ok();
        }
        case 'revert':
          if (s.roles.length > 1) s.roles.pop();
          await this.applySession();
          return ok();
        case 'begin':
        case 'commit':
        case 'rollback':
          await this.transaction(w, st.kind);
          return ok();
        case 'waitfor':
          await this.cancellableDelay(st.ms);
          return this.cancelRequested ? true : ok();
        case 'print':
          message(w, 'info', { number: 0, state: 1, class: 0, message: st.text });
          return ok();
        case 'declare':
          for (const v of st.vars) {
            const pgType = typeText(v.type);
            const value = v.init ? await this.evaluate(v.init, pgType, params) : null;
            params.set(v.name, { name: v.name, pgType, value });
          }
          return ok();
        case 'set-var': {
          const cur = params.get(st.name);
          if (!cur) throw new TranslateError(`Must declare the scalar variable "${st.name}".`, 137);
          const expr: Token[] = st.op
            ? [
                { kind: 'var', text: st.name, value: st.name },
                { kind: 'op', text: st.op, value: st.op },
                { kind: 'punct', text: '(', value: '(' },
                ...st.expr,
                { kind: 'punct', text: ')', value: ')' },
              ]
            : st.expr;
          cur.value = await this.evaluate(expr, cur.pgType, params);
          return ok();
        }
        case 'exec-proc':
          return await this.procedure(w, st, params, token);
        case 'sql':
          return await this.sql(w, st, params, token);
      }
    } catch (err) {
      this.writeError(w, err, st.kind === 'sql' ? st.verb : 'SELECT', token === 0xff);
      return false;
    }
  }

  private async sql(
    w: Writer,
    st: Extract<Statement, { kind: 'sql' }>,
    params: Map<string, Param>,
    token: 0xfd | 0xff,
  ): Promise<boolean> {
    const s = this.session!;
    const pg = this.engine.pg;
    const values: unknown[] = [];
    const ctx = this.nameContext(params, values);
    const assigned = assignments(st.tokens);
    if (assigned) {
      // SELECT @a = x, @b = y FROM ...: the last row's values land in the variables; no result set.
      const res = await pg.query<unknown[]>(rewrite(assigned.tokens, ctx), values, {
        rowMode: 'array',
        parsers: RAW_TEXT_PARSERS,
      });
      const row = res.rows[res.rows.length - 1];
      assigned.names.forEach((name, k) => {
        const v = params.get(name);
        if (!v) throw new TranslateError(`Must declare the scalar variable "${name}".`, 137);
        if (row) v.value = row[k] as Param['value'];
      });
      s.rowCount = res.rows.length;
      done(w, Done.MORE, 0n, token);
      return true;
    }
    const text = rewrite(st.tokens, ctx);
    // TDS_TRACE=1 shows each statement as PostgreSQL receives it (for working on the translator).
    if (process.env.TDS_TRACE) console.error(`[tds] ${text}`);
    if (s.showplan) {
      const res = await pg.query<{ 'QUERY PLAN': Array<{ Plan: PgPlan }> }>(
        `EXPLAIN (FORMAT JSON) ${text}`,
        values,
      );
      const plan = res.rows[0]!['QUERY PLAN'][0]!.Plan;
      const columns = [columnFor('Microsoft SQL Server 2005 XML Showplan', Oid.text, [])];
      writeColMetadata(w, columns);
      writeRow(w, columns, [showplanXml(st.tokens.map((t) => t.text).join(' '), st.verb, plan, s.database)]);
      done(w, Done.MORE | Done.COUNT, 1n, token, 0xc1);
      return true;
    }
    const savepoint = s.inTx;
    if (savepoint) await pg.exec('SAVEPOINT tds_stmt');
    try {
      if (st.isQuery) s.rowCount = await this.streamQuery(w, text, values, token);
      else {
        const res = await pg.query<unknown[]>(text, values, { rowMode: 'array', parsers: RAW_TEXT_PARSERS });
        if (res.fields.length) writeRows(w, resultColumns(w, res.fields, res.rows), res.rows);
        if (st.ddl) await this.engine.refreshNames();
        const count = BigInt(res.affectedRows ?? 0);
        s.rowCount = Number(count);
        done(w, Done.MORE | (s.nocount || st.ddl ? 0 : Done.COUNT), count, token, verbCode(st.verb));
      }
      if (savepoint) await pg.exec('RELEASE SAVEPOINT tds_stmt');
      return true;
    } catch (err) {
      if (savepoint) await pg.exec('ROLLBACK TO SAVEPOINT tds_stmt').catch(() => undefined);
      throw err;
    }
  }

  /** A SELECT through a cursor: rows leave in batches, and ATTENTION or a closed socket stops it. */
  private async streamQuery(w: Writer, text: string, values: unknown[], token: 0xfd | 0xff): Promise<number> {
    const pg = this.engine.pg;
    const own = !this.session!.inTx;
    if (own) await pg.exec('BEGIN');
    let count = 0n;
    try {
      await pg.query(`DECLARE tds_cursor NO SCROLL CURSOR FOR ${text}`, values);
      let columns: Column[] | undefined;
      for (;;) {
        const batch = await pg.query<unknown[]>(`FETCH ${FETCH_BATCH} FROM tds_cursor`, [], {
          rowMode: 'array',
          parsers: RAW_TEXT_PARSERS,
        });
        columns ??= resultColumns(w, batch.fields, batch.rows);
        writeRows(w, columns, batch.rows);
        count += BigInt(batch.rows.length);
        await this.current!.flushPartial();
        if (batch.rows.length < FETCH_BATCH || this.cancelRequested || this.state === 'closed') break;
        // PGlite answers without giving the event loop a turn: yield, so an ATTENTION that arrived meanwhile
        // is read and stops the next batch (stopping then costs the same for 5,000 or 1,000,000 rows left).
        await new Promise((resolve) => setImmediate(resolve));
      }
      await pg.exec('CLOSE tds_cursor');
      if (own) await pg.exec('COMMIT');
    } catch (err) {
      if (own) await pg.exec('ROLLBACK').catch(() => undefined);
      throw err;
    }
    if (!this.cancelRequested)
      done(w, Done.MORE | (this.session!.nocount ? 0 : Done.COUNT), count, token, 0xc1);
    return Number(count);
  }

  /** How T-SQL names resolve for this request: the catalog, @@variables, RPC parameters and DECLAREd ones. */
  private nameContext(params: Map<string, Param>, values: unknown[]): NameContext {
    const s = this.session!;
    const placeholders = new Map<string, string>();
    return {
      database: s.database,
      isDatabase: (n) => this.engine.database(n),
      schemaOf: (db, n) => this.engine.schemaOf(db, n),
      relation: (schema, n) => this.engine.relation(schema, n),
      canonical: (n) => this.engine.canonical(n),
      sysvar: (n) => this.sysvar(n),
      param: (name) => {
        let ph = placeholders.get(name);
        if (!ph) {
          const p = params.get(name);
          if (!p) return undefined;
          values.push(p.value);
          ph = `($${values.length}::${p.pgType})`;
          placeholders.set(name, ph);
        }
        return ph;
      },
    };
  }

  /** A variable's value: the expression evaluated by PostgreSQL and cast to the variable's type. */
  private async evaluate(expr: Token[], pgType: string, params: Map<string, Param>): Promise<Param['value']> {
    const values: unknown[] = [];
    const text = rewrite(expr, this.nameContext(params, values));
    const res = await this.engine.pg.query<unknown[]>(`SELECT CAST((${text}) AS ${pgType})`, values, {
      rowMode: 'array',
      parsers: RAW_TEXT_PARSERS,
    });
    return (res.rows[0]?.[0] ?? null) as Param['value'];
  }

  /** The read-only catalog procedures, each result set streamed like a query's. */
  private async procedure(
    w: Writer,
    st: Extract<Statement, { kind: 'exec-proc' }>,
    params: Map<string, Param>,
    token: 0xfd | 0xff,
  ): Promise<boolean> {
    if (!isCatalogProcedure(st.name)) return this.userProcedure(w, st, params, token);
    const proc = procedureName(st.name);
    // A literal (or NULL) as written; a variable or expression evaluated to text.
    const valueOf = async (v: Token[]): Promise<string | null> => {
      const only = v.length === 1 ? v[0]! : undefined;
      if (only?.value.toUpperCase() === 'NULL') return null;
      if (only && ['string', 'nstring', 'ident', 'number', 'word'].includes(only.kind)) return only.value;
      return String(await this.evaluate(v, 'text', params));
    };
    const args = bindArgs(
      proc,
      await Promise.all(st.args.map(async (a) => ({ name: a.name, value: await valueOf(a.value) }))),
    );
    const queries =
      proc === 'sp_describe_first_result_set'
        ? [await this.describeFirstResultSet(args.get('@tsql') ?? '', params)]
        : catalogQueries(proc, args, this.session!.database);
    for (const q of queries) this.session!.rowCount = await this.streamQuery(w, q, [], token);
    return true;
  }

  /**
   * A stored procedure of the database: a PostgreSQL function of its schema (the sample's
   * dbo.usp_CustomerOrderSummary), called with its arguments by name, its rows streamed like a query's. Running it
   * needs EXECUTE on it, as in SQL Server; output parameters are not supported.
   */
  private async userProcedure(
    w: Writer,
    st: Extract<Statement, { kind: 'exec-proc' }>,
    params: Map<string, Param>,
    token: 0xfd | 0xff,
  ): Promise<boolean> {
    const parts = st.name.split('.');
    const name = parts.pop()!;
    const schema = pgSchema(this.session!.database, parts.pop() || 'dbo');
    const found = await this.engine.pg.query<{
      nsp: string;
      proc: string;
      names: string[] | null;
      n: number;
    }>(
      `SELECT n.nspname AS nsp, p.proname AS proc, p.proargnames AS names, p.pronargs AS n
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE lower(n.nspname) = lower($1) AND lower(p.proname) = lower($2) AND p.prokind = 'f'`,
      [schema, name],
    );
    const fn = found.rows[0];
    if (!fn) throw new TranslateError(`Could not find stored procedure '${st.name}'.`, 2812);
    const declared = (fn.names ?? []).slice(0, fn.n);
    const values: unknown[] = [];
    const ctx = this.nameContext(params, values);
    const given = new Set<string>();
    const args = st.args.map((a, i) => {
      const param = a.name ? declared.find((d) => `@${d.toLowerCase()}` === a.name) : declared[i];
      if (!param)
        throw new TranslateError(
          a.name
            ? `${a.name} is not a parameter for procedure ${fn.proc}.`
            : `Procedure or function ${fn.proc} has too many arguments specified.`,
          a.name ? 8145 : 8144,
        );
      given.add(param);
      return `${ident(param)} => (${rewrite(a.value, ctx)})`;
    });
    const missing = declared.find((d) => !given.has(d));
    if (missing)
      throw new TranslateError(
        `Procedure or function '${fn.proc}' expects parameter '@${missing}', which was not supplied.`,
        201,
      );
    this.session!.rowCount = await this.streamQuery(
      w,
      `SELECT * FROM ${ident(fn.nsp)}.${ident(fn.proc)}(${args.join(', ')})`,
      values,
      token,
    );
    return true;
  }

  private async describeFirstResultSet(tsql: string, params: Map<string, Param>): Promise<string> {
    const first = splitStatements(tokenize(tsql))
      .map(classify)
      .find((x) => x.kind === 'sql' && x.isQuery);
    if (!first || first.kind !== 'sql') return `SELECT NULL::int AS column_ordinal WHERE false`;
    const values: unknown[] = [];
    const text = rewrite(first.tokens, this.nameContext(params, values));
    const res = await this.engine.pg.query(`SELECT * FROM (${text}) AS tds_d LIMIT 0`, values);
    const rows = res.fields.map((f, i) => {
      const c = columnFor(f.name, f.dataTypeID, []);
      const t = c.type;
      const name =
        t.kind === 'int'
          ? ({ 1: 'tinyint', 2: 'smallint', 4: 'int', 8: 'bigint' } as const)[t.size]
          : t.kind === 'float'
            ? t.size === 4
              ? 'real'
              : 'float'
            : t.kind === 'decimal'
              ? `decimal(38,${t.scale})`
              : t.kind === 'guid'
                ? 'uniqueidentifier'
                : t.kind === 'nvarchar' || t.kind === 'varchar' || t.kind === 'varbinary'
                  ? `${t.kind}(max)`
                  : t.kind;
      return `(0, ${i + 1}, ${literalText(f.name)}, true, ${literalText(name)})`;
    });
    return rows.length
      ? `SELECT v.is_hidden::boolean AS is_hidden, v.column_ordinal, v.name, v.is_nullable, v.system_type_name FROM (VALUES ${rows.join(', ')}) AS v(is_hidden, column_ordinal, name, is_nullable, system_type_name)`
      : `SELECT NULL::int AS column_ordinal WHERE false`;
  }

  private async transaction(w: Writer, kind: 'begin' | 'commit' | 'rollback'): Promise<void> {
    const s = this.session!;
    const pg = this.engine.pg;
    const descriptor = () => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(this.txCounter);
      return b;
    };
    if (kind === 'begin') {
      if (s.inTx)
        throw new TranslateError('Nested transactions are not supported by the TDS test server.', 50000);
      await pg.exec('BEGIN');
      s.inTx = true;
      this.txCounter++;
      envChangeBytes(w, 8, descriptor(), Buffer.alloc(0));
      return;
    }
    if (!s.inTx) {
      throw new TranslateError(
        `The ${kind.toUpperCase()} TRANSACTION request has no corresponding BEGIN TRANSACTION.`,
        kind === 'commit' ? 3902 : 3903,
      );
    }
    await pg.exec(kind === 'commit' ? 'COMMIT' : 'ROLLBACK');
    s.inTx = false;
    envChangeBytes(w, kind === 'commit' ? 9 : 10, Buffer.alloc(0), descriptor());
  }

  private async applySession(): Promise<void> {
    const s = this.session!;
    const role = s.roles[s.roles.length - 1];
    await this.engine.pg.exec(
      `${role === null ? 'RESET ROLE' : `SET ROLE ${ident(role!)}`}; SET search_path TO ${searchPath(s.database)}`,
    );
  }

  /** Pool reuse (the reset-connection flag): back to the state right after login. */
  private async resetSession(): Promise<void> {
    const s = this.session!;
    if (s.inTx) {
      await this.engine.pg.exec('ROLLBACK').catch(() => undefined);
      s.inTx = false;
      s.release?.();
      s.release = undefined;
    }
    s.roles = [s.login.superuser ? null : s.login.name];
    s.nocount = false;
    s.showplan = false;
    s.database = this.engine.database(s.login.defaultDatabase ?? 'master') ?? 'master';
  }

  private sysvar(name: string): string | number | undefined {
    const s = this.session!;
    switch (name) {
      case '@@VERSION':
        return `Microsoft SQL Server 2019 (TDS test server on PostgreSQL ${this.engine.pgVersion}) - not a real SQL Server`;
      case '@@SPID':
        return this.spid;
      case '@@SERVERNAME':
        return 'TDSTEST';
      case '@@TRANCOUNT':
        return s.inTx ? 1 : 0;
      case '@@LANGUAGE':
        return 'us_english';
      case '@@ROWCOUNT':
        return s.rowCount;
      case 'LOGIN':
        return s.login.name;
      default:
        return undefined;
    }
  }

  private writeError(w: Writer, err: unknown, verb: string, inProc: boolean): void {
    const e = err as { code?: string; message?: string; number?: number };
    const m: ServerMessage =
      err instanceof TranslateError
        ? {
            number: err.number,
            state: 1,
            class: err.number === 15517 || err.number === 911 || err.number === 2812 ? 16 : 15,
            message: err.message,
          }
        : e.code
          ? mapPgError(e, { verb, database: this.session?.database ?? 'master' })
          : { number: 50000, state: 1, class: 16, message: e.message ?? String(err) };
    message(w, 'error', m);
    done(w, Done.ERROR | Done.MORE, 0n, inProc ? 0xff : 0xfd);
  }

  private cancellableDelay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const until = Date.now() + ms;
      const tick = () => {
        if (this.cancelRequested || this.state === 'closed' || Date.now() >= until) return resolve();
        setTimeout(tick, Math.min(20, until - Date.now()));
      };
      tick();
    });
  }

  private attention(): void {
    if (this.running) {
      this.cancelRequested = true;
      return;
    }
    const w = new Writer();
    done(w, Done.ATTN);
    this.send(PacketType.TABULAR_RESULT, w.toBuffer());
  }

  // ------------------------------------------------------------ output with backpressure

  writeChunk(buf: Buffer): boolean {
    if (this.state === 'closed') return true;
    return this.out.write(buf);
  }

  waitDrain(): Promise<void> {
    if (this.state === 'closed') return Promise.resolve();
    return new Promise((resolve) => {
      const out = this.out as NodeJS.WritableStream & {
        once(e: string, f: () => void): void;
        off(e: string, f: () => void): void;
      };
      const done = () => {
        out.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      out.once('drain', done);
      this.socket.once('close', done);
    });
  }

  get negotiatedPacketSize(): number {
    return this.packetSize;
  }

  // ------------------------------------------------------------ teardown

  private onClose(): void {
    const wasOpen = this.state !== 'closed';
    this.state = 'closed';
    this.cancelRequested = true;
    const s = this.session;
    // A transaction left open by a vanished client is rolled back and the engine released.
    if (wasOpen && s?.inTx && !this.running) {
      void this.engine.pg
        .exec('ROLLBACK')
        .catch(() => undefined)
        .finally(() => {
          s.inTx = false;
          s.release?.();
          s.release = undefined;
        });
    } else if (s?.inTx) {
      s.inTx = false;
      void this.queue
        .then(() => this.engine.pg.exec('ROLLBACK').catch(() => undefined))
        .finally(() => {
          s.release?.();
          s.release = undefined;
        });
    }
    this.bridge?.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/**
 * The response message of one request, sent as it grows: full packets go out (without EOM) as soon as they
 * fill, waiting for the socket to drain, so a million-row result never sits in memory.
 */
class StreamingResponse {
  private sent = 0;
  private started = false;

  constructor(
    private readonly conn: Connection,
    private readonly w: Writer,
  ) {}

  async flushPartial(): Promise<void> {
    const room = this.conn.negotiatedPacketSize - 8;
    if (this.w.length - this.sent < room * 4) return;
    const buf = this.w.toBuffer();
    const whole = Math.floor((buf.length - this.sent) / room) * room;
    const part = buf.subarray(this.sent, this.sent + whole);
    const rest = buf.subarray(this.sent + whole);
    let ok = true;
    for (let o = 0; o < part.length; o += room)
      ok = this.conn.writeChunk(packet(part.subarray(o, o + room), false)) && ok;
    this.started = true;
    this.w.reset(rest);
    this.sent = 0;
    if (!ok) await this.conn.waitDrain();
  }

  async end(): Promise<void> {
    const buf = this.w.toBuffer().subarray(this.sent);
    const room = this.conn.negotiatedPacketSize - 8;
    if (!buf.length && this.started) {
      this.conn.writeChunk(packet(Buffer.alloc(0), true));
      return;
    }
    for (let o = 0; o < buf.length || o === 0; o += room) {
      const chunk = buf.subarray(o, o + room);
      this.conn.writeChunk(packet(chunk, o + room >= buf.length));
      if (o + room >= buf.length) break;
    }
  }
}

/** COLMETADATA for PostgreSQL result fields (numeric scale taken from these first rows). */
function resultColumns(
  w: Writer,
  fields: Array<{ name: string; dataTypeID: number }>,
  rows: unknown[][],
): Column[] {
  const columns = fields.map((f, i) =>
    columnFor(
      f.name,
      f.dataTypeID,
      rows.map((r) => r[i]),
    ),
  );
  writeColMetadata(w, columns);
  return columns;
}

function writeRows(w: Writer, columns: Column[], rows: unknown[][]): void {
  for (const row of rows) writeRow(w, columns, row);
}

function packet(body: Buffer, eom: boolean): Buffer {
  const header = Buffer.alloc(8);
  header[0] = PacketType.TABULAR_RESULT;
  header[1] = eom ? 1 : 0;
  header.writeUInt16BE(body.length + 8, 2);
  header[6] = 1;
  return Buffer.concat([header, body]);
}

const literalText = (v: string) => `'${v.replace(/'/g, "''")}'`;

/** `SELECT @a = x, @b = y ...`: the variables assigned and the query without the assignments. */
function assignments(tokens: Token[]): { names: string[]; tokens: Token[] } | undefined {
  const names: string[] = [];
  const out: Token[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    const prev = out[out.length - 1];
    const after =
      prev && (prev.text === ',' || /^(SELECT|DISTINCT)$/i.test(prev.text) || /^\d+$/.test(prev.text));
    if (depth === 0 && t.kind === 'var' && tokens[i + 1]?.text === '=' && after) {
      names.push(t.value.toLowerCase());
      i++;
      continue;
    }
    out.push(t);
  }
  return names.length ? { names, tokens: out } : undefined;
}

function skipAllHeaders(r: Reader): void {
  const total = r.buf.readUInt32LE(r.pos);
  if (total < 4 || total > r.buf.length) throw new Error('bad ALL_HEADERS');
  r.pos += total;
}

function verbCode(verb: string): number {
  return verb === 'INSERT'
    ? 0xc3
    : verb === 'DELETE'
      ? 0xc4
      : verb === 'UPDATE'
        ? 0xc5
        : verb === 'SELECT'
          ? 0xc1
          : 0;
}
