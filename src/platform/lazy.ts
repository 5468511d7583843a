// Loads an adapter's module on its first use. Creating a Platform is on every command's start-up
// path; most commands touch only a few of its parts, so none is imported until it is called.

type Method = (...args: unknown[]) => unknown;

/**
 * A stand-in for the object `load` resolves to, whose methods all return promises (or, for the
 * names in `iterables`, async iterables). `eager` supplies plain properties up front.
 */
export function lazyMethods<T extends object>(load: () => Promise<T>, iterables: readonly string[] = [], eager: Partial<T> = {}): T {
  let loaded: Promise<T> | undefined;
  const target = () => (loaded ??= load());
  return new Proxy(eager as T, {
    get(object, name) {
      if (name in object) return (object as Record<PropertyKey, unknown>)[name];
      if (typeof name !== 'string' || name === 'then') return undefined;
      if (iterables.includes(name)) {
        return (...args: unknown[]) =>
          (async function* () {
            const real = (await target()) as Record<string, Method>;
            yield* real[name]!.apply(real, args) as AsyncIterable<unknown>;
          })();
      }
      return async (...args: unknown[]) => {
        const real = (await target()) as Record<string, Method>;
        return real[name]!.apply(real, args);
      };
    },
  });
}
