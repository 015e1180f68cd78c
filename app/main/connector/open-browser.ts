import { spawn } from 'node:child_process';

/**
 * Opens a URL in the person's browser: `$BROWSER` when set (the convention xdg-utils and many CLIs follow, and
 * how tests take the URL instead), otherwise the platform's opener. Never waits for or fails on the browser: the
 * URL is also printed, so a person can open it by hand.
 */
export function openBrowser(url: string): void {
  const [command, args] =
    process.env.BROWSER !== undefined
      ? [process.env.BROWSER, [url]]
      : process.platform === 'darwin'
        ? ['open', [url]]
        : process.platform === 'win32'
          ? ['cmd', ['/c', 'start', '""', url.replaceAll('&', '^&')]]
          : ['xdg-open', [url]];
  if (!command) return;
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
