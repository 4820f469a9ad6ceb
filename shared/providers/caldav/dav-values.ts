/**
 * Reading values out of tsdav's parsed multistatus (xml-js compact form: element names camel-cased without
 * namespace, text converted to numbers/booleans when it looks like one, attributes under `_attributes`).
 */

/** The text of a property, whatever shape the parser gave it (string, number, `{_text}`, `{_cdata}`), or null. */
export function propText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const node = value as { _text?: unknown; _cdata?: unknown };
    if (node._text !== undefined) return propText(node._text);
    if (node._cdata !== undefined) return propText(node._cdata);
  }
  return null;
}

/** The `href` inside a property such as `current-user-principal` or `calendar-home-set` (first one). */
export function propHref(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  const href = (value as { href?: unknown }).href;
  return propText(Array.isArray(href) ? href[0] : href);
}

/** Every `href` inside a property such as `calendar-user-address-set`. */
export function propHrefs(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  const href = (value as { href?: unknown }).href;
  return (Array.isArray(href) ? href : [href]).map(propText).filter((h): h is string => h !== null);
}

/** Child element names of a property (`resourcetype` → ['collection', 'calendar']). */
export function childNames(value: unknown): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.keys(value).filter((key) => !key.startsWith('_'));
}

/** The `name` attributes of `<comp>` children (supported-calendar-component-set). Null when the property is absent. */
export function componentNames(value: unknown): string[] | null {
  if (!value || typeof value !== 'object') return null;
  const comp = (value as { comp?: unknown }).comp;
  const list = Array.isArray(comp) ? comp : comp === undefined ? [] : [comp];
  return list
    .map((entry) => (entry && typeof entry === 'object' ? (entry as { _attributes?: { name?: unknown } })._attributes?.name : undefined))
    .filter((name): name is string => typeof name === 'string')
    .map((name) => name.toUpperCase());
}

/** The path of an href resolved against `base`, as the URL parser normalises it: the form we store and compare. */
export function hrefPath(href: string, base: string): string {
  return new URL(href, base).pathname;
}
