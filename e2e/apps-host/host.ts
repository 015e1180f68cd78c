/**
 * A minimal MCP Apps host for the browser tests, as a host embeds apps: the view's HTML in a sandboxed iframe
 * (scripts only, an opaque origin) under the CSP its resource asks for, talking to the host over postMessage
 * through ext-apps' AppBridge. The host's MCP client lives in the test (Node), reached through functions the
 * test exposes on the page: every tool call and resource read a view makes goes to the bridge through it.
 */
import { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';

interface Csp {
  connectDomains?: string[];
  resourceDomains?: string[];
}
interface HostWindow {
  hostCallTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
  hostReadResource(uri: string): Promise<Record<string, unknown>>;
  modelContext: unknown[];
  openedLinks: string[];
  renderView(o: {
    id: string;
    html: string;
    csp: Csp;
    input: Record<string, unknown>;
    result: unknown;
  }): Promise<void>;
}
const w = window as unknown as HostWindow;
w.modelContext = [];
w.openedLinks = [];

/** The CSP a host derives from `_meta.ui.csp`: nothing but inline code, and only the origins it names. */
function policy(csp: Csp): string {
  const connect = csp.connectDomains?.length ? csp.connectDomains.join(' ') : "'none'";
  const resources = csp.resourceDomains?.length ? ` ${csp.resourceDomains.join(' ')}` : '';
  return `default-src 'none'; script-src 'unsafe-inline'${resources}; style-src 'unsafe-inline'${resources}; img-src data:${resources}; font-src data:${resources}; connect-src ${connect}`;
}

w.renderView = async ({ id, html, csp, input, result }) => {
  const frame = document.createElement('iframe');
  frame.id = id;
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.style.cssText = 'width: 960px; height: 520px; border: 1px solid #ccc; display: block; margin: 8px 0';
  document.body.append(frame);
  const bridge = new AppBridge(
    null,
    { name: 'apps-test-host', version: '1' },
    { openLinks: {}, serverTools: {}, serverResources: {}, updateModelContext: { text: {} }, logging: {} },
    { hostContext: { theme: 'light', displayMode: 'inline', platform: 'web' } },
  );
  bridge.oncalltool = async (params) =>
    (await w.hostCallTool(params.name, params.arguments ?? {})) as Awaited<
      ReturnType<NonNullable<AppBridge['oncalltool']>>
    >;
  bridge.onreadresource = async (params) =>
    (await w.hostReadResource(params.uri)) as Awaited<ReturnType<NonNullable<AppBridge['onreadresource']>>>;
  bridge.onupdatemodelcontext = async (params) => {
    w.modelContext.push(params);
    return {};
  };
  bridge.onopenlink = async (params) => {
    w.openedLinks.push(params.url);
    return {};
  };
  const initialized = new Promise<void>((resolve) => (bridge.oninitialized = () => resolve()));
  // Listen first, then load the view: its ui/initialize must not arrive before the host listens.
  await bridge.connect(new PostMessageTransport(frame.contentWindow!, frame.contentWindow!));
  frame.srcdoc = html.replace(
    /<head>/i,
    `<head><meta http-equiv="Content-Security-Policy" content="${policy(csp)}">`,
  );
  await initialized;
  await bridge.sendToolInput({ arguments: input });
  await bridge.sendToolResult(result as Parameters<AppBridge['sendToolResult']>[0]);
};
