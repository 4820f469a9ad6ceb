// Hash routes (#/events?calendar=…): any static host serves the one index.html, no rewrite rules needed.
export interface Route {
  page: string;
  query: URLSearchParams;
}

export function currentRoute(): Route {
  const [path = '', search = ''] = location.hash.replace(/^#\/?/, '').split('?');
  return { page: path || 'overview', query: new URLSearchParams(search) };
}

export function navigate(page: string, query: Record<string, string> = {}): void {
  const params = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== ''));
  const search = params.toString();
  location.hash = `#/${page}${search ? `?${search}` : ''}`;
}
