const resets: (() => void)[] = [];

/**
 * A value built on first use and kept for the life of the (warm) Lambda: adapters are built once per cold
 * start. `resetDependencies()` forgets them all (the local stack and tests rebuild after changing config).
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  resets.push(() => {
    value = undefined;
    built = false;
  });
  return () => {
    if (!built) {
      value = build();
      built = true;
    }
    return value as T;
  };
}

export function resetDependencies(): void {
  for (const reset of resets) reset();
}
