import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** docs/vectors/pairline-v1.json: the corpus starts from the published encodings. */
export const vectors = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../docs/vectors/pairline-v1.json', import.meta.url)), 'utf8'),
)

export function hex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16)
  return out
}

export function toHex(b: Uint8Array): string {
  let s = ''
  for (const x of b) s += x.toString(16).padStart(2, '0')
  return s
}

/** A broken invariant (not a documented rejection): fails the run with this message. */
export class FuzzViolation extends Error {
  override name = 'FuzzViolation'
}

export function must(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FuzzViolation(message)
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export const SDK = 'packages/sdk/src'
export const bytesOf = (x: Uint8Array | string): Uint8Array =>
  typeof x === 'string' ? new TextEncoder().encode(x) : x
export const textOf = (x: Uint8Array | string): string =>
  typeof x === 'string' ? x : new TextDecoder('utf-8', { fatal: false }).decode(x)
