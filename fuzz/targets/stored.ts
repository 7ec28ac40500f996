import { importRawSealingKey, sealWithKey } from '../../packages/sdk/src/storage/sealed.js'
import type { Storage } from '../../packages/sdk/src/storage/types.js'
import type { Target } from '../harness/types.js'
import { bytesOf, must, SDK, toHex } from './shared.js'

const KEY_NAME = 'pairline/wallet/fuzz'
const RAW_KEY = new Uint8Array(32).map((_, i) => i + 1)
const UNDECRYPTABLE = 'The stored session could not be decrypted.'

/** Sealed blobs with fixed IVs (the SDK draws them at random; fixed here so the corpus is stable). */
async function sealedSeeds(): Promise<Uint8Array[]> {
  const key = await crypto.subtle.importKey('raw', RAW_KEY, 'AES-GCM', false, ['encrypt'])
  const out: Uint8Array[] = []
  for (const [i, n] of [1, 40, 300, 5000].entries()) {
    const iv = new Uint8Array(12).fill(i + 1)
    const ad = new TextEncoder().encode(KEY_NAME)
    const ct = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: ad },
        key,
        new Uint8Array(n).fill(0x41),
      ),
    )
    const blob = new Uint8Array(1 + 12 + ct.length)
    blob[0] = 1
    blob.set(iv, 1)
    blob.set(ct, 13)
    out.push(blob)
  }
  return out
}

/**
 * A stored blob read back through sealedStorage (§14.4): anything but an authentic blob is
 * STORAGE_FAILED with one message (too short, unknown version, tampered, moved: `details` differ,
 * the error does not), and nothing undecryptable is ever returned.
 */
export const sealedBlobTarget: Target = {
  name: 'sealed-blob',
  files: [`${SDK}/storage/sealed.ts`],
  kind: 'bytes',
  maxLength: 8000,
  rejects: ['STORAGE_FAILED'],
  seeds: sealedSeeds,
  async setup() {
    const authentic = new Set((await sealedSeeds()).map(toHex))
    let blob: Uint8Array | undefined
    const inner: Storage = {
      get: async () => blob,
      set: async () => {},
      delete: async () => {},
      keys: async () => [],
    }
    const sealed = sealWithKey(inner, await importRawSealingKey(RAW_KEY))
    return {
      async check(input) {
        blob = bytesOf(input)
        try {
          const value = await sealed.get(KEY_NAME)
          must(value !== undefined && authentic.has(toHex(blob)), 'an altered blob was unsealed')
          return 'accepted'
        } catch (err) {
          must((err as { shortMessage?: string }).shortMessage === UNDECRYPTABLE, 'two unsealing errors')
          throw err
        }
      },
    }
  },
}
