// Settings whose values are secrets: redacted in the commit history (and anywhere else that
// shows settings to someone other than their owner).

/** Segment patterns; `*` matches one segment (a host-container name). */
const SECRET_PATTERNS: string[][] = [
  ['settings', 'aws', 'credentials'],
  ['settings', 'aws', 'config'],
  ['settings', 'kubernetes', 'bootstrap-token'],
  ['settings', 'container-registry', 'credentials'],
  ['settings', 'host-containers', '*', 'user-data'],
  ['settings', 'bootstrap-containers', '*', 'user-data'],
];

export const REDACTED = '<redacted>';

export function isSecretKey(segments: readonly string[]): boolean {
  return SECRET_PATTERNS.some(pattern => pattern.length <= segments.length && pattern.every((p, i) => p === '*' || p === segments[i]));
}
