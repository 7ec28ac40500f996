import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { concatBytes, utf8, wipe } from '../protocol/bytes.js'
import { getRandomSource } from '../protocol/random.js'
import { checkNamespace } from './browser.js'
import { getOrAdd, globalIndexedDb, KEY_STORE, openDatabase, transact } from './idb.js'
import {
  assertKey,
  assertStorage,
  assertValue,
  copyBytes,
  invalidArgument,
  storageFailed,
} from './internal.js'
import type { SealingKeySource, Storage } from './types.js'

/** First byte of every sealed blob: `0x01 ‖ iv(12) ‖ ciphertext ‖ tag(16)`. */
export const SEALED_VERSION = 0x01
export const SEALED_IV_LENGTH = 12
export const SEALED_TAG_LENGTH = 16
export const SEALING_KEY_LENGTH = 32
/** Where the browser sealing key lives in the `keys` object store of the namespace's database. */
export const SEALING_KEY_ID = 'sealing-key'

const AES_GCM = 'AES-GCM'
const USAGES: KeyUsage[] = ['encrypt', 'decrypt']

/**
 * Encrypts values before they reach `inner`: AES-256-GCM via WebCrypto, a random 12-byte IV per
 * write, and the key name as associated data, so a blob moved to another key fails to decrypt.
 * Keys and `keys()` results are not encrypted (keep secrets out of key names).
 *
 * Blobs that do not decrypt (unknown version, truncated, tampered, moved, wrong key) raise
 * STORAGE_FAILED; they are never returned or silently dropped.
 *
 * `{ kind: 'key-file' }` needs Node's file system: use the `nodeSealedStorage` exported by
 * `@pairline/sdk/storage/file` for it (it accepts every key source).
 */
export async function sealedStorage(inner: Storage, keySource: SealingKeySource): Promise<Storage> {
  assertStorage(inner, 'The inner storage')
  if ((keySource as { kind?: unknown } | null | undefined)?.kind === 'key-file') {
    throw invalidArgument(
      'A key file needs Node: use nodeSealedStorage from "@pairline/sdk/storage/file" instead.',
    )
  }
  return sealWithKey(inner, await resolveSealingKey(keySource))
}

/** Resolves the `raw` and `webcrypto-nonextractable` key sources to a non-extractable CryptoKey. */
export async function resolveSealingKey(keySource: SealingKeySource): Promise<CryptoKey> {
  const kind = (keySource as { kind?: unknown } | null | undefined)?.kind
  if (kind === 'raw') return importRawSealingKey((keySource as { key: unknown }).key)
  if (kind === 'webcrypto-nonextractable') {
    const namespace = checkNamespace((keySource as { namespace?: unknown }).namespace)
    const factory = globalIndexedDb()
    if (!factory) {
      throw new PairlineError(
        ErrorCode.StorageFailed,
        'A non-extractable sealing key needs IndexedDB, which is not available here.',
        { details: 'Outside browsers, use { kind: "raw" } or { kind: "key-file" }.' },
      )
    }
    return loadOrCreateBrowserKey(factory, namespace)
  }
  throw invalidArgument(
    'Unknown sealing key source.',
    `kind must be "webcrypto-nonextractable", "raw" or "key-file", got ${JSON.stringify(String(kind))}`,
  )
}

/** Imports 32 bytes as a non-extractable AES-256-GCM key. The caller's array is not modified. */
export async function importRawSealingKey(key: unknown): Promise<CryptoKey> {
  if (!(key instanceof Uint8Array) || key.length !== SEALING_KEY_LENGTH) {
    throw invalidArgument(
      `A raw sealing key must be a Uint8Array of ${SEALING_KEY_LENGTH} bytes.`,
      `got ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key}`,
    )
  }
  const copy = copyBytes(key)
  try {
    return await subtle().importKey('raw', copy, AES_GCM, false, USAGES)
  } catch (err) {
    throw storageFailed('Could not import the sealing key.', err)
  } finally {
    wipe(copy)
  }
}

/**
 * The browser sealing key: generated once as a non-extractable CryptoKey and kept (structured-cloned)
 * in IndexedDB. Two tabs racing on first use agree on one key: the final read-or-insert happens in a
 * single readwrite transaction.
 */
export async function loadOrCreateBrowserKey(factory: IDBFactory, namespace: string): Promise<CryptoKey> {
  let db: IDBDatabase | undefined
  try {
    db = await openDatabase(factory, namespace)
    const stored = await transact<unknown>(db, KEY_STORE, 'readonly', (s) => s.get(SEALING_KEY_ID))
    if (stored !== undefined) return checkStoredKey(stored)
    const fresh = await subtle().generateKey({ name: AES_GCM, length: 256 }, false, USAGES)
    const chosen = await getOrAdd(db, KEY_STORE, SEALING_KEY_ID, fresh)
    return checkStoredKey(chosen)
  } catch (err) {
    throw storageFailed(
      'Could not load the browser sealing key from IndexedDB.',
      err,
      `database "${namespace}"`,
    )
  } finally {
    db?.close()
  }
}

function checkStoredKey(value: unknown): CryptoKey {
  const key = value as Partial<CryptoKey> | null
  if (
    typeof key !== 'object' ||
    key === null ||
    key.type !== 'secret' ||
    key.algorithm?.name !== AES_GCM ||
    !key.usages?.includes('encrypt') ||
    !key.usages.includes('decrypt')
  ) {
    throw new PairlineError(ErrorCode.StorageFailed, 'The stored browser sealing key is not an AES-GCM key.')
  }
  return value as CryptoKey
}

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto?.subtle
  if (!s) {
    throw new PairlineError(ErrorCode.StorageFailed, 'WebCrypto (crypto.subtle) is not available.', {
      details: 'Browsers only expose it in secure contexts (https:// or localhost).',
    })
  }
  return s
}

function undecryptable(details: string, cause?: unknown): PairlineError {
  return new PairlineError(ErrorCode.StorageFailed, 'The stored session could not be decrypted.', {
    details,
    cause,
  })
}

/** Opens a sealed blob stored under `name`: `version ‖ iv ‖ AES-256-GCM(value, ad = name)`. */
async function unseal(key: CryptoKey, name: string, blob: unknown): Promise<Uint8Array> {
  if (!(blob instanceof Uint8Array) || blob.length < 1 + SEALED_IV_LENGTH + SEALED_TAG_LENGTH) {
    throw undecryptable('the sealed blob is too short')
  }
  if (blob[0] !== SEALED_VERSION) throw undecryptable('unknown sealed blob version')
  const iv = copyBytes(blob.subarray(1, 1 + SEALED_IV_LENGTH))
  const ciphertext = copyBytes(blob.subarray(1 + SEALED_IV_LENGTH))
  try {
    const params = {
      name: AES_GCM,
      iv,
      additionalData: copyBytes(utf8(name)),
      tagLength: SEALED_TAG_LENGTH * 8,
    }
    return new Uint8Array(await subtle().decrypt(params, key, ciphertext))
  } catch (err) {
    throw undecryptable(
      'authentication failed (wrong key, altered data, or a blob stored under another key)',
      err,
    )
  }
}

/** Seals `value` for storage under `name`, with a fresh random IV; the plaintext copy is wiped. */
async function seal(key: CryptoKey, name: string, value: Uint8Array, iv: Uint8Array): Promise<Uint8Array> {
  const plaintext = copyBytes(value)
  try {
    const params = {
      name: AES_GCM,
      iv: copyBytes(iv),
      additionalData: copyBytes(utf8(name)),
      tagLength: SEALED_TAG_LENGTH * 8,
    }
    const ciphertext = await subtle().encrypt(params, key, plaintext)
    return concatBytes(new Uint8Array([SEALED_VERSION]), iv, new Uint8Array(ciphertext))
  } catch (err) {
    throw storageFailed('Could not encrypt the value for storage.', err)
  } finally {
    wipe(plaintext)
  }
}

/** A Storage that seals every value with `key` (a non-extractable AES-256-GCM CryptoKey). */
export function sealWithKey(inner: Storage, key: CryptoKey): Storage {
  const random = getRandomSource()
  /** Runs an operation of the inner storage; its failures become STORAGE_FAILED. */
  const inside = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run()
    } catch (err) {
      throw storageFailed('The underlying storage failed.', err, operation)
    }
  }
  return {
    async get(name) {
      assertKey(name)
      const blob = await inside('get', () => inner.get(name))
      return blob === undefined ? undefined : unseal(key, name, blob)
    },
    async set(name, value) {
      assertKey(name)
      assertValue(value)
      const sealed = await seal(key, name, value, random(SEALED_IV_LENGTH))
      await inside('set', () => inner.set(name, sealed))
    },
    async delete(name) {
      assertKey(name)
      await inside('delete', () => inner.delete(name))
    },
    keys: (prefix) => inside('keys', () => inner.keys(prefix)),
  }
}
