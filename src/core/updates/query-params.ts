// The metric query parameters updog appends to every repository request (updates.md 1.3):
// insertion order, then a stable sort by key, form-urlencoded (`,` becomes `%2C`).

export class QueryParams {
  private readonly params: Array<[string, string]> = [];

  add(key: string, value: string): this {
    this.params.push([key, value]);
    return this;
  }

  /** `key=value&...` sorted by key, or '' when there are none. */
  toString(): string {
    const sorted = [...this.params].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return new URLSearchParams(sorted).toString();
  }

  /** `url` with the parameters as its query (replacing any query it had). */
  apply(url: URL): string {
    const query = this.toString();
    const copy = new URL(url);
    copy.search = query;
    return copy.href;
  }
}

/** A base URL ends in `/` before names are resolved against it (updates.md 1.2). */
export function joinUrl(base: string, name: string): URL {
  const withSlash = base.endsWith('/') ? base : `${base}/`;
  return new URL(name, withSlash);
}
