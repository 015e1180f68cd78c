/**
 * Windows time zone names, as SQL Server's AT TIME ZONE and sys.time_zone_info use them, with the IANA zone
 * PostgreSQL knows each by: one table for the translator and the catalog view.
 */
export const TIME_ZONES: ReadonlyArray<readonly [windows: string, iana: string]> = [
  ['UTC', 'UTC'],
  ['Greenwich Standard Time', 'Atlantic/Reykjavik'],
  ['GMT Standard Time', 'Europe/London'],
  ['W. Europe Standard Time', 'Europe/Berlin'],
  ['Central Europe Standard Time', 'Europe/Budapest'],
  ['Central European Standard Time', 'Europe/Warsaw'],
  ['Romance Standard Time', 'Europe/Paris'],
  ['E. Europe Standard Time', 'Europe/Chisinau'],
  ['Eastern Standard Time', 'America/New_York'],
  ['Central Standard Time', 'America/Chicago'],
  ['Mountain Standard Time', 'America/Denver'],
  ['Pacific Standard Time', 'America/Los_Angeles'],
  ['Tokyo Standard Time', 'Asia/Tokyo'],
  ['China Standard Time', 'Asia/Shanghai'],
  ['India Standard Time', 'Asia/Kolkata'],
  ['AUS Eastern Standard Time', 'Australia/Sydney'],
];

/** Upper-cased Windows name to IANA name. */
export const WINDOWS_ZONES: Record<string, string> = Object.fromEntries(
  TIME_ZONES.map(([windows, iana]) => [windows.toUpperCase(), iana]),
);
