import { spawn, type ChildProcess } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import { selfSignedCert } from '@mssql-mcp-bridge/tds-test-server';
import { exited } from './processes.js';

export interface TlsProxy {
  /** `https://<hostname>:<port>`: what the bridge's server.public_url is set to. */
  url: string;
  port: number;
  /** A fetch that resolves the proxy's name to 127.0.0.1 and trusts its certificate (no DNS, no CA here). */
  fetch: typeof fetch;
  /** The nginx error log (why a request failed at the proxy). */
  errors(): string;
  stop(): Promise<void>;
}

/**
 * Debian's nginx in a temporary directory, terminating TLS for `hostname` (a self-signed certificate made
 * with openssl) on a loopback port and proxying to the bridge instances, as docs/team-mode/nginx.conf does;
 * its upstream connections leave from `bindAddress`, so the bridge can tell the proxy from other local peers.
 */
export async function startTlsProxy(opts: {
  hostname: string;
  port: number;
  upstreams: number[];
  bindAddress: string;
  /** Plain HTTP and one upstream per client connection (the benchmark's load clients keep one each). */
  plain?: boolean;
}): Promise<TlsProxy> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bridge-nginx-'));
  let child: ChildProcess | undefined;
  try {
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    const pair = selfSignedCert(opts.hostname);
    fs.writeFileSync(cert, pair.cert);
    fs.writeFileSync(key, pair.key, { mode: 0o600 });
    const conf = path.join(dir, 'nginx.conf');
    fs.writeFileSync(conf, nginxConf({ ...opts, dir, cert, key }));
    child = spawn('nginx', ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')], { stdio: 'ignore' });
    await untilListening(opts.port, child);
    const ca = fs.readFileSync(cert, 'utf8');
    const dispatcher = new Agent({
      connect: {
        ca,
        // Node asks for every address (autoSelectFamily) or for one, depending on the connection.
        lookup: ((host: string, o: dns.LookupOptions, cb: (...args: unknown[]) => void) => {
          if (host !== opts.hostname) return dns.lookup(host, o, cb as never);
          if (o.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
          else cb(null, '127.0.0.1', 4);
        }) as never,
      },
    });
    const proxied = ((url: string | URL, init?: RequestInit) =>
      undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch;
    const running = child;
    return {
      url: `${opts.plain ? 'http' : 'https'}://${opts.hostname}:${opts.port}`,
      port: opts.port,
      fetch: proxied,
      errors: () => fs.readFileSync(path.join(dir, 'error.log'), 'utf8'),
      async stop() {
        await dispatcher.close();
        running.kill('SIGTERM');
        await exited(running);
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function nginxConf(o: {
  hostname: string;
  port: number;
  upstreams: number[];
  bindAddress: string;
  plain?: boolean;
  dir: string;
  cert: string;
  key: string;
}): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${path.join(o.dir, t)};`)
    .join('\n');
  return `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
daemon off;
pid ${path.join(o.dir, 'nginx.pid')};
error_log ${path.join(o.dir, 'error.log')} warn;
events { worker_connections 256; }
http {
  access_log off;
${temp}
  upstream bridge {
${o.plain ? '    hash $remote_addr$remote_port consistent;\n' : ''}${o.upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${o.port}${o.plain ? '' : ' ssl'};
    server_name ${o.hostname};
    ssl_certificate ${o.cert};
    ssl_certificate_key ${o.key};
    location / {
      proxy_pass http://bridge;
      proxy_bind ${o.bindAddress};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_buffering off;
      proxy_read_timeout 1h;
      proxy_next_upstream error timeout http_502 http_503;
    }
  }
}
`;
}

async function untilListening(port: number, child: ChildProcess): Promise<void> {
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port} within 10 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
