import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { RandomBytes } from './noise/dh.js'

export type { RandomBytes }

/** WebCrypto caps one getRandomValues call at 65,536 bytes. */
const MAX_RANDOM = 65_536

/**
 * The CSPRNG every secret comes from: `crypto.getRandomValues`. No fallback, ever: without it we
 * fail closed (PROTOCOL-NOTES §8).
 */
export function getRandomSource(
  cryptoLike: unknown = (globalThis as { crypto?: unknown }).crypto,
): RandomBytes {
  const getRandomValues = (cryptoLike as { getRandomValues?: unknown } | undefined)?.getRandomValues
  if (typeof getRandomValues !== 'function') {
    throw new PairlineError(
      ErrorCode.RandomUnavailable,
      'No secure random source: crypto.getRandomValues is missing.',
      {
        details:
          'Pairline never falls back to Math.random. On React Native, install a vetted polyfill first.',
      },
    )
  }
  return (length: number) => {
    if (!Number.isSafeInteger(length) || length < 0 || length > MAX_RANDOM) {
      throw new PairlineError(ErrorCode.InvalidArgument, `Cannot draw ${length} random bytes.`)
    }
    const out = new Uint8Array(length)
    getRandomValues.call(cryptoLike, out)
    return out
  }
}
