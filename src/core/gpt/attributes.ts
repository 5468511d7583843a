// The GPT entry attribute bits Bottlerocket uses (signpost.md 3), byte-compatible with ChromeOS
// cgpt: priority 48-51, tries 52-55, successful 56; bit 57 "boot ever succeeded" on PRIVATE only.
// Mirrors signpost's gptprio.rs. Attributes are a u64, held as a bigint.

const PRIORITY_SHIFT = 48n;
const TRIES_SHIFT = 52n;
const SUCCESSFUL_BIT = 1n << 56n;
const EVER_BOOTED_BIT = 1n << 57n;
const NIBBLE = 0xfn;

export const priority = (a: bigint) => Number((a >> PRIORITY_SHIFT) & NIBBLE);
export const tries = (a: bigint) => Number((a >> TRIES_SHIFT) & NIBBLE);
export const successful = (a: bigint) => (a & SUCCESSFUL_BIT) !== 0n;
export const everBooted = (a: bigint) => (a & EVER_BOOTED_BIT) !== 0n;

/** signpost's definition; GRUB additionally needs priority > 0 (signpost.md 3, Quirk). */
export const willBoot = (a: bigint) => (priority(a) > 0 && tries(a) > 0) || successful(a);

function nibble(value: number, what: string): bigint {
  if (!Number.isInteger(value) || value < 0 || value > 15) throw new RangeError(`GPT ${what} must be 0..15, not ${value}`);
  return BigInt(value);
}

export const setPriority = (a: bigint, value: number) => (a & ~(NIBBLE << PRIORITY_SHIFT)) | (nibble(value, 'priority') << PRIORITY_SHIFT);
export const setTries = (a: bigint, value: number) => (a & ~(NIBBLE << TRIES_SHIFT)) | (nibble(value, 'tries') << TRIES_SHIFT);
export const setSuccessful = (a: bigint, value: boolean) => (value ? a | SUCCESSFUL_BIT : a & ~SUCCESSFUL_BIT);
export const setEverBooted = (a: bigint, value: boolean) => (value ? a | EVER_BOOTED_BIT : a & ~EVER_BOOTED_BIT);

export interface BootFlags {
  priority: number;
  triesLeft: number;
  successful: boolean;
}

export const flagsOf = (a: bigint): BootFlags => ({ priority: priority(a), triesLeft: tries(a), successful: successful(a) });

/** `(p, t, s)` onto `a`, leaving every other bit as it was. */
export const withFlags = (a: bigint, flags: BootFlags) => setSuccessful(setTries(setPriority(a, flags.priority), flags.triesLeft), flags.successful);

export const hex64 = (a: bigint) => `0x${a.toString(16).padStart(16, '0')}`;
