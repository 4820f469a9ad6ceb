/**
 * A token endpoint answer with its `id_token` taken out, for oauth4webapi.
 *
 * oauth4webapi validates every ID token it sees in a token response (issuer, audience, times), even with
 * `requireIdToken: false`. We never use the ID token: the account identity comes from Google's userinfo and
 * Graph's `/me`, called with the access token we just received over TLS from the configured endpoint. So an
 * ID token whose issuer differs from what we expect (an emulator answering with its own base URL, Entra's
 * tenant-specific issuer behind the `common` authority) must not fail a grant that is otherwise fine.
 * Error answers and bodies that are not JSON objects pass through untouched, for oauth4webapi to judge.
 */
export async function withoutIdToken(response: Response): Promise<Response> {
  if (response.status !== 200) return response;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const headers = new Headers(response.headers);
  // The body is re-serialized: its old length and encoding no longer apply.
  headers.delete('content-length');
  headers.delete('content-encoding');
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !('id_token' in body)) {
    return new Response(text, { status: response.status, statusText: response.statusText, headers });
  }
  const { id_token: _dropped, ...rest } = body as Record<string, unknown>;
  return new Response(JSON.stringify(rest), { status: response.status, statusText: response.statusText, headers });
}
