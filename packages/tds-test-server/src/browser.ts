import dgram from 'node:dgram';

/** SQL Server Browser's port: clients (tedious included) ask it, over UDP, for a named instance's TCP port. */
export const BROWSER_PORT = 1434;

/**
 * A SQL Server Browser ([MC-SQLR]) for named instances of the test server: answers CLNT_BCAST_EX / CLNT_UCAST_EX
 * (0x02 / 0x03: every instance) and CLNT_UCAST_INST (0x04 + name: that one) with SVR_RESP (0x05, a 16-bit
 * length, then `ServerName;…;InstanceName;…;tcp;PORT;;` per instance). Binds UDP 1434 on `address`, which needs
 * root or a low ip_unprivileged_port_start; tests give each browser a loopback address of its own.
 */
export async function startSqlBrowser(
  address: string,
  instances: Record<string, number>,
): Promise<{ stop(): Promise<void> }> {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  const describe = (name: string, port: number) =>
    `ServerName;TDSTEST;InstanceName;${name};IsClustered;No;Version;16.0.1000.6;tcp;${port};;`;
  socket.on('message', (msg, from) => {
    let body: string;
    if (msg[0] === 0x02 || msg[0] === 0x03)
      body = Object.entries(instances)
        .map(([n, p]) => describe(n, p))
        .join('');
    else if (msg[0] === 0x04) {
      const wanted = msg.subarray(1).toString('latin1').replace(/\0.*$/s, '').toUpperCase();
      const hit = Object.entries(instances).find(([n]) => n.toUpperCase() === wanted);
      if (!hit) return; // the real Browser stays silent for an instance it does not have
      body = describe(...hit);
    } else return;
    const payload = Buffer.from(body, 'latin1');
    const header = Buffer.from([0x05, payload.length & 0xff, payload.length >> 8]);
    socket.send(Buffer.concat([header, payload]), from.port, from.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(BROWSER_PORT, address, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  return { stop: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}
