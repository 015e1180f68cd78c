import dns from 'node:dns';
import net from 'node:net';
import { Agent, fetch as undiciFetch } from 'undici';
import type { Configuration } from 'oidc-provider';

/**
 * A fetch for client metadata documents that trusts one extra CA and, unlike oidc-provider's own, reaches
 * loopback: the test-only exception to its SSRF guard, for documents served by a local TLS test server.
 */
export function cimdFetchTrusting(ca: string): NonNullable<Configuration['fetch']> {
  const dispatcher = new Agent({ connect: { ca } });
  return ((url: string | URL, options: Record<string, unknown>) => {
    const { dispatcher: _ssrfGuarded, ...rest } = options;
    return undiciFetch(url, { ...rest, dispatcher });
  }) as unknown as NonNullable<Configuration['fetch']>;
}

/**
 * Addresses a client metadata document must not be fetched from unless its host is listed in
 * `oauth.cimd_allowed_hosts`: loopback, private, link-local, shared, reserved and documentation ranges. Checked
 * before any connection (RFC 9700 §4.15 SSRF): the name is resolved here and the connection made to the address
 * checked, so neither an open port's timing nor a TLS hello reaches an internal host.
 */
const SPECIAL_USE = (() => {
  const list = new net.BlockList();
  for (const [prefix, bits] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.88.99.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ] as const)
    list.addSubnet(prefix, bits, 'ipv4');
  for (const [prefix, bits] of [
    ['::', 128],
    ['::1', 128],
    ['::ffff:0:0', 96],
    ['64:ff9b::', 96],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
  ] as const)
    list.addSubnet(prefix, bits, 'ipv6');
  return list;
})();

export function isSpecialUseAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return isSpecialUseAddress(mapped);
  const family = net.isIP(address);
  if (!family) return true;
  return SPECIAL_USE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

class SpecialUseAddressError extends Error {
  readonly code = 'ENOTALLOWED';
}

/** The production fetch for client metadata documents: special-use addresses refused before connecting. */
export function cimdFetchGuarded(allowedHosts: readonly string[]): NonNullable<Configuration['fetch']> {
  const lookup: net.LookupFunction = (hostname, options, callback) => {
    dns.lookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, '', 0);
      const bad = addresses.find((a) => isSpecialUseAddress(a.address));
      if (bad)
        return callback(
          new SpecialUseAddressError(`${hostname} resolves to ${bad.address}, a special-use address`),
          '',
          0,
        );
      if (options.all)
        return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
  const guarded = new Agent({ connect: { lookup } });
  const open = new Agent();
  return ((url: string | URL, options: Record<string, unknown>) => {
    const { dispatcher: _theirs, ...rest } = options;
    const target = new URL(url);
    const allowed = allowedHosts.includes(target.host);
    const literal = target.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!allowed && net.isIP(literal) && isSpecialUseAddress(literal))
      return Promise.reject(new SpecialUseAddressError(`${literal} is a special-use address`));
    return undiciFetch(url, { ...rest, dispatcher: allowed ? open : guarded });
  }) as unknown as NonNullable<Configuration['fetch']>;
}
