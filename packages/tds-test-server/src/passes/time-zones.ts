/** Pass 12. Windows time zone names after AT TIME ZONE, as PostgreSQL's IANA names: strings only, last. */
import { type Token } from '../syntax.js';
import { up, str } from './tokens.js';
import { WINDOWS_ZONES } from '../time-zones.js';

/** `x AT TIME ZONE 'Pacific Standard Time'`: PostgreSQL knows the zone by its IANA name. */
export function timeZones(tokens: Token[]): Token[] {
  return tokens.map((t, i) => {
    const zone =
      t.kind === 'string' || t.kind === 'nstring' ? WINDOWS_ZONES[t.value.toUpperCase()] : undefined;
    return zone && up(tokens[i - 1]) === 'ZONE' && up(tokens[i - 2]) === 'TIME' && up(tokens[i - 3]) === 'AT'
      ? str(zone)
      : t;
  });
}
