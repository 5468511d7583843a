// Generated hostile strings for property tests: line breaks, quotes, escapes, comment and
// template characters, controls, bidirectional overrides and non-ASCII text, from a seeded
// generator so that a failure names an input that reproduces.

/** Pieces a value is built from; each one has broken some file format or terminal. */
export const HOSTILE_PIECES = [
  '\n', '\r', '\r\n', '\t', '\u000b', '\u000c', '\u0000', '\u001b', '\u001b[31m', '\u0007', '\u007f', '\u0085', '\u009b',
  '\u2028', '\u2029', '\u202e', '\u200b', '\ufeff', '\u00a0',
  '"', "'", '"""', "'''", '\\', '\\n', '\\u0041', '\\ud800', '#', ';', '!', '%', '$', '${X}', '$(id)', '`',
  '{{', '}}', '{{{x}}}', '{{settings.motd}}', '=', ',', ':', ': ', '- ', '[', ']', '{', '}', '&', '*', '|', '>', '<', '?', '@',
  ' ', '  ', '/', '.', '-', '_', '+', 'é', '日本', '😀', 'a', 'Z', '0', '9', 'true', 'null', '~', '---', '...', '[evil]',
];

/** Fixed values that each targeted one of the shipped formats. */
export const KNOWN_ATTACKS = [
  'a"\nenabled = true\n[evil]\nb = "',
  'x\\',
  'x\nserver evil.example iburst',
  'pool.ntp.org\ninitstepslew 1 x',
  'example.com/a b',
  'x" \nkey: value',
  'x\n  injected: true',
  'x\nNODE_IP=10.0.0.1',
  'x\\\nY=1',
  "x' # y",
  '{{settings.motd}}',
  '\u001b]0;title\u0007',
];

/** A deterministic 32-bit generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PREFIXES = ['', '', 'https://example.com/', 'http://h/', 'example.com/', 'ntp://127.0.0.1/', 'a', 'time.example.org'];

/** `count` hostile strings; about half start like a URL or host so that they pass URL checks. */
export function hostileStrings(seed: number, count: number): string[] {
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const out = [...KNOWN_ATTACKS];
  while (out.length < count) {
    let text = pick(PREFIXES);
    const pieces = 1 + Math.floor(random() * 8);
    for (let i = 0; i < pieces; i++) text += pick(HOSTILE_PIECES);
    if (random() < 0.3) text += pick(['', 'x', '/', '\\', '\n', ' ', '"']);
    out.push(text);
  }
  return out;
}
