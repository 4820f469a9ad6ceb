import { expect } from 'vitest';

/**
 * The body of an HTTP answer, after checking its status: a wrong status fails with the body in the message,
 * so the problem's detail is in the test report. An empty body (a 204) is undefined.
 */
export async function json<T>(response: Response, status = 200): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}
