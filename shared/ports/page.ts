/** One page of a list; `cursor` is opaque to callers and null on the last page. */
export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export interface PageRequest {
  cursor?: string | null;
  limit: number;
}
