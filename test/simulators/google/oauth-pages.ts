import type { SimResponse } from './http-types.ts';

/**
 * The few HTML pages of the consent screen. Errors Google cannot safely redirect (unknown client, unregistered
 * redirect URI) are shown as a page, like Google's "Error 400: redirect_uri_mismatch".
 */
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

export function errorPage(status: number, error: string, description: string): SimResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><title>Error ${status}: ${escapeHtml(error)}</title><h1>Error ${status}: ${escapeHtml(error)}</h1><p>${escapeHtml(description)}</p>`,
  };
}

/** Sandbox mode with no auto-consent user: a person picks an account (the link repeats the request with `login_hint`). */
export function consentPage(requestUrl: URL, emails: string[]): SimResponse {
  if (emails.length === 0) return errorPage(400, 'access_denied', 'The simulator has no users to sign in with.');
  const links = emails
    .map((email) => {
      const url = new URL(requestUrl);
      url.searchParams.set('login_hint', email);
      return `<li><a href="${escapeHtml(url.pathname + url.search)}">${escapeHtml(email)}</a></li>`;
    })
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><title>Choose an account</title><h1>Choose an account (Google simulator)</h1><ul>${links}</ul>`,
  };
}
