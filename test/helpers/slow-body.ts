// Response bodies of slow servers for the deadline tests: a trickle that never pauses long enough
// for an idle timeout.

/** `head` at once, then one byte every 20 ms, forever: never a gap long enough for an idle timeout. */
export function dribbled(head: Uint8Array = new Uint8Array()): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setInterval> | undefined;
  return new ReadableStream({
    start(controller) {
      if (head.length) controller.enqueue(head);
      timer = setInterval(() => {
        try {
          controller.enqueue(new Uint8Array([0x20]));
        } catch {
          clearInterval(timer);
        }
      }, 20);
    },
    cancel: () => clearInterval(timer),
  });
}
