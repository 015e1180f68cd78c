/**
 * TLS inside TDS: during the handshake, TLS records travel inside PRELOGIN messages, one server message per
 * client message (what tedious expects); afterwards TLS records flow directly on the socket. TLS 1.2 only:
 * its handshake has exactly two server flights, matching tedious's one-response-per-message exchange.
 */
import { Duplex } from 'node:stream';
import tls from 'node:tls';

export class TlsBridge {
  readonly secure: tls.TLSSocket;
  private readonly transport: Duplex;
  private pendingOut: Buffer[] = [];
  private handshaking = true;
  private awaiting = false;
  private secureReached = false;
  private flushTimer?: NodeJS.Timeout;

  constructor(
    context: tls.SecureContext,
    /** Sends bytes on the raw socket: wrapped in a PRELOGIN message during the handshake. */
    private readonly sendRaw: (data: Buffer, wrapAsPrelogin: boolean) => void,
  ) {
    this.transport = new Duplex({
      read() {},
      write: (chunk: Buffer, _enc, cb) => {
        if (this.handshaking) {
          this.pendingOut.push(chunk);
          this.scheduleFlush();
        } else {
          this.sendRaw(chunk, false);
        }
        cb();
      },
    });
    this.secure = new tls.TLSSocket(this.transport, {
      isServer: true,
      secureContext: context,
      requestCert: false,
    });
    // The last flight may be written just after 'secure': it is flushed wrapped, then the mode switches.
    this.secure.on('secure', () => {
      this.secureReached = true;
      this.scheduleFlush();
    });
  }

  /** Handshake bytes from a client PRELOGIN message. */
  handshakeIn(data: Buffer): void {
    this.awaiting = true;
    this.transport.push(data);
  }

  /** Raw socket bytes after the handshake (TLS records). */
  recordsIn(data: Buffer): void {
    this.transport.push(data);
  }

  get isHandshaking(): boolean {
    return this.handshaking;
  }

  /** A flight is complete when OpenSSL stops writing; a macrotask later is after its last write. */
  private scheduleFlush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.flush(), 5);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    if (this.pendingOut.length && this.awaiting) {
      const data = Buffer.concat(this.pendingOut);
      this.pendingOut = [];
      this.awaiting = false;
      this.sendRaw(data, true);
    }
    if (this.secureReached && !this.pendingOut.length) this.handshaking = false;
  }

  destroy(): void {
    clearTimeout(this.flushTimer);
    this.secure.destroy();
    this.transport.destroy();
  }
}

export function testServerTlsContext(key: string, cert: string): tls.SecureContext {
  return tls.createSecureContext({ key, cert, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
}
