/**
 * Map keys for 32-byte topics and 16-byte message ids: one char per byte (latin1), cheap and
 * exact. Read straight out of a frame at an offset, with String.fromCharCode of the bytes spelt out:
 * no view, and no call into C++ (Buffer's latin1 toString costs about 100 ns a key, this 25–45 ns;
 * the relay makes two to four keys per delivered message, issue 16). Callers check lengths first.
 */

/** The key of the 32 bytes of `b` from `at`. */
export function topicKeyAt(b: Uint8Array, at: number): string {
  // biome-ignore format: one byte per argument, eight to a line
  return String.fromCharCode(
    b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!,
    b[at + 8]!, b[at + 9]!, b[at + 10]!, b[at + 11]!, b[at + 12]!, b[at + 13]!, b[at + 14]!, b[at + 15]!,
    b[at + 16]!, b[at + 17]!, b[at + 18]!, b[at + 19]!, b[at + 20]!, b[at + 21]!, b[at + 22]!, b[at + 23]!,
    b[at + 24]!, b[at + 25]!, b[at + 26]!, b[at + 27]!, b[at + 28]!, b[at + 29]!, b[at + 30]!, b[at + 31]!,
  )
}

/** The key of the 16 bytes of `b` from `at`. */
export function idKeyAt(b: Uint8Array, at: number): string {
  // biome-ignore format: one byte per argument, eight to a line
  return String.fromCharCode(
    b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!, b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!,
    b[at + 8]!, b[at + 9]!, b[at + 10]!, b[at + 11]!, b[at + 12]!, b[at + 13]!, b[at + 14]!, b[at + 15]!,
  )
}

/** The key of a whole topic (32 bytes), id (16) or anything else, the same as the readers above. */
export function bytesKey(b: Uint8Array): string {
  if (b.length === 32) return topicKeyAt(b, 0)
  if (b.length === 16) return idKeyAt(b, 0)
  return (b instanceof Buffer ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('latin1')
}

/** True when `key` is the key of the `key.length` bytes of `b` from `at` (no key made to compare). */
export function isKeyAt(key: string, b: Uint8Array, at: number): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== b[at + i]) return false
  return true
}
