/** How SQL Server tools write a server: `host\INSTANCE` for a named instance, else `host:port`. */
export function serverLabel(p: { host: string; port?: number; instance?: string }): string {
  return p.instance ? `${p.host}\\${p.instance}` : `${p.host}:${p.port ?? 1433}`;
}
