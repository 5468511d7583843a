// Archive member names: never absolute, never `..`, always under the one top directory.
// brkt's guard; upstream relies on the scratch directory holding only what it wrote.

export const TOP_DIRECTORY = 'bottlerocket-logs';

/** Returns `name` when it is a safe relative member name, else throws. */
export function safeMemberName(name: string): string {
  const segments = name.split('/');
  const unsafe = name === '' || name.startsWith('/') || /[\0-\x1f\x7f\\]/.test(name) ||
    segments.some((segment, index) => segment === '..' || segment === '.' || (segment === '' && index !== segments.length - 1));
  if (unsafe) throw new Error(`Unsafe archive member name '${name}'`);
  return name;
}

/** True when a member name from any archive is safe to extract below the current directory. */
export function isSafeMemberName(name: string): boolean {
  try {
    safeMemberName(name);
    return true;
  } catch {
    return false;
  }
}
