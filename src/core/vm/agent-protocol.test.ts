import { describe, expect, test } from 'bun:test';
import { encodeFrame, encodeJsonFrame, FRAME, frameJson, FrameReader } from './agent-protocol';

describe('agent framing', () => {
  test('frames survive any split of the byte stream', () => {
    const stream = new Uint8Array([
      ...encodeJsonFrame(FRAME.exec, 7, { argv: ['echo', 'hi'], bootId: 'b' }),
      ...encodeFrame(FRAME.stdout, 7, new TextEncoder().encode('hi\n')),
      ...encodeFrame(FRAME.ping, 9),
    ]);
    for (let split = 0; split <= stream.length; split++) {
      const reader = new FrameReader();
      const frames = [...reader.push(stream.subarray(0, split)), ...reader.push(stream.subarray(split))];
      expect(frames.map(f => [f.type, f.session])).toEqual([[FRAME.exec, 7], [FRAME.stdout, 7], [FRAME.ping, 9]]);
      expect(frameJson(frames[0]!)).toEqual({ argv: ['echo', 'hi'], bootId: 'b' });
      expect(reader.skipped).toBe(0);
    }
  });

  test('a torn frame from an earlier client is skipped up to the next frame', () => {
    const reader = new FrameReader();
    const garbage = new TextEncoder().encode('noise BRK');
    // Noise ending in a partial magic, then a frame.
    const frames = reader.push(new Uint8Array([...garbage, ...encodeFrame(FRAME.hello, 3, new TextEncoder().encode('{"bootId":"x"}'))]));
    expect(frames.map(f => f.type)).toEqual([FRAME.hello]);
    expect(reader.skipped).toBe(garbage.length);
  });

  test('a header with an unknown type or an impossible length is not a frame', () => {
    const bad = encodeFrame(FRAME.exit, 2, new Uint8Array(4));
    bad[4] = 99;
    const reader = new FrameReader();
    const frames = reader.push(new Uint8Array([...bad, ...encodeJsonFrame(FRAME.exit, 2, { code: 3 })]));
    expect(frames).toHaveLength(1);
    expect(frameJson(frames[0]!)).toEqual({ code: 3 });
  });
});
