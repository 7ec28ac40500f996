/**
 * A small deterministic PRNG (sfc32) for the mutation engine. Test-only: it decides which bytes to
 * change, never a key. fast-check hands each case a 32-bit seed, so a failing case replays from
 * fast-check's seed and path alone.
 */
export type Rng = {
  /** uniform integer in [0, n) for 1 <= n <= 2^32 */
  below(n: number): number
  /** true with probability 1/n */
  oneIn(n: number): boolean
  bytes(n: number): Uint8Array
  pick<T>(items: readonly T[]): T
}

export function rng(seed: number): Rng {
  let a = 0x9e3779b9
  let b = 0x243f6a88
  let c = 0xb7e15162
  let d = seed >>> 0
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 12; i++) next()
  const below = (n: number) => Math.floor((next() / 2 ** 32) * n)
  return {
    below,
    oneIn: (n) => below(n) === 0,
    bytes(n) {
      const out = new Uint8Array(n)
      for (let i = 0; i < n; i++) out[i] = next() & 0xff
      return out
    },
    pick: (items) => items[below(items.length)]!,
  }
}

/** FNV-1a of a name: each target gets its own stream from one run seed. */
export function nameHash(name: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
