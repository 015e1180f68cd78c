/** The app's version, as in package.json (test/unit/config.test.ts keeps the two equal). */
export const APP_VERSION = '0.1.0';
