import { UserAgent } from './user-agent.js';

/** A person's browser at a write's approval link: signs in at the test IdP as `user`, then answers (or not). */
export async function answerWrite(
  link: string,
  user: string,
  decision: 'approve' | 'decline' | undefined,
  ua = new UserAgent(),
): Promise<{ status: number; html: string; ua: UserAgent }> {
  const first = await ua.browse(link, { stopAt: 'never:' });
  if (first.kind !== 'page') throw new Error('the approval link redirected away');
  let page = first;
  const signIn = /href="([^"]*\/sign-in)"/.exec(page.html)?.[1];
  if (signIn) {
    const signedIn = await ua.browse(new URL(signIn, link).href, {
      stopAt: 'never:',
      login: { user, password: `${user}-pass` },
    });
    if (signedIn.kind !== 'page') throw new Error('the sign-in redirected away');
    page = signedIn;
  }
  if (!decision) return { status: page.status, html: page.html, ua };
  const form = /<form method="post" action="([^"]*)">([\s\S]*?)<\/form>/.exec(page.html);
  if (!form) return { status: page.status, html: page.html, ua };
  const csrf = /name="csrf" value="([^"]*)"/.exec(form[2]!)?.[1] ?? '';
  const url = new URL(form[1]!, link);
  const res = await ua.fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url.origin },
    body: new URLSearchParams({ csrf, decision }).toString(),
  });
  return { status: res.status, html: await res.text(), ua };
}
