/**
 * The `url` kind: RFC 3986 section 6 normalisation on top of the WHATWG URL parser (which already
 * lowercases scheme and host, drops default ports, removes dot segments and encodes IDNs):
 * percent-encodings in upper case and unreserved characters decoded (6.2.2.1, 6.2.2.2). The order
 * of query parameters is kept unless the field is declared unordered: `?a=1&b=2` and `?b=2&a=1`
 * are different requests to a server that reads parameters positionally.
 */

const PERCENT = /%([0-9A-Fa-f]{2})/g;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Upper-case hex in every percent-encoding; unreserved characters decoded. */
function normalisePercent(part: string): string {
  return part.replace(PERCENT, (_, hex: string) => {
    const ch = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(ch) ? ch : `%${hex.toUpperCase()}`;
  });
}

function sortedQuery(search: string): string {
  if (search.length <= 1) return search;
  // Sorted as raw pieces so that nothing is re-encoded; ties keep their order (a stable sort).
  return `?${search
    .slice(1)
    .split('&')
    .filter((p) => p !== '')
    .sort()
    .join('&')}`;
}

/** The canonical form of a URL, or undefined when `raw` is not an absolute URL (then it compares exactly). */
export function canonicalUrl(raw: string, unordered = false): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return undefined;
  }
  // An opaque URL (mailto:, urn:) has no authority or hierarchical path to normalise.
  const hierarchical = url.host !== '' || url.protocol === 'file:';
  const path = hierarchical ? normalisePercent(url.pathname) : url.pathname;
  const search = normalisePercent(url.search);
  const auth = url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const authority = hierarchical ? `//${auth}${url.host}` : '';
  return `${url.protocol}${authority}${path}${unordered ? sortedQuery(search) : search}${normalisePercent(url.hash)}`;
}
