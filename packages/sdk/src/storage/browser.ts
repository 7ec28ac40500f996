import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { fromBase64Url, toBase64Url } from '../protocol/bytes.js'
import { globalIndexedDb, KV_STORE, openDatabase, transact } from './idb.js'
import {
  assertKey,
  assertPrefix,
  assertValue,
  copyBytes,
  invalidArgument,
  storageFailed,
} from './internal.js'
import type { Storage } from './types.js'

/** The part of the Web Storage API that {@link browserStorage} uses. */
export interface LocalStorageLike {
  readonly length: number
  key(index: number): string | null
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

export type BrowserStorageOptions = {
  /** IndexedDB database name, or the localStorage key prefix (`<namespace>:<key>`). Default `'pairline'`. */
  namespace?: string | undefined
  /**
   * Use this Web Storage object instead of IndexedDB. For tests and non-browser environments (a
   * minimal in-memory object is enough); browsers normally leave it unset.
   */
  localStorage?: LocalStorageLike | undefined
  /** Use this IndexedDB factory instead of `globalThis.indexedDB` (tests, e.g. fake-indexeddb). */
  indexedDB?: IDBFactory | undefined
}

export const DEFAULT_NAMESPACE = 'pairline'

export function checkNamespace(namespace: unknown): string {
  if (namespace === undefined) return DEFAULT_NAMESPACE
  if (typeof namespace !== 'string' || namespace.length === 0) {
    throw invalidArgument('The storage namespace must be a non-empty string.')
  }
  return namespace
}

/**
 * Browser persistence: IndexedDB when available (database `namespace`, object store `kv`, values kept
 * as Uint8Array), otherwise localStorage with base64url values under `<namespace>:<key>`.
 * Values are stored as given: wrap with {@link sealedStorage} for secrets (defaultStorage does).
 */
export function browserStorage(options: BrowserStorageOptions = {}): Storage {
  const namespace = checkNamespace(options.namespace)
  if (options.indexedDB) return indexedDbStorage(options.indexedDB, namespace)
  if (options.localStorage) return webStorage(options.localStorage, namespace)
  const factory = globalIndexedDb()
  if (factory) return indexedDbStorage(factory, namespace)
  const local = globalLocalStorage()
  if (local) return webStorage(local, namespace)
  throw new PairlineError(
    ErrorCode.StorageFailed,
    'No browser storage is available (neither IndexedDB nor localStorage).',
    { details: 'Pass a Storage explicitly, e.g. memoryStorage() or fileStorage() in Node.' },
  )
}

function globalLocalStorage(): LocalStorageLike | undefined {
  try {
    // Reading window.localStorage throws a SecurityError when storage is blocked.
    return (globalThis as { localStorage?: LocalStorageLike | null }).localStorage ?? undefined
  } catch {
    return undefined
  }
}

/** One open connection to the database, reopened after a close or a version change. */
function connectionOf(factory: IDBFactory, name: string): () => Promise<IDBDatabase> {
  let connection: Promise<IDBDatabase> | undefined
  return () => {
    if (!connection) {
      const opening = openDatabase(factory, name).then((db) => {
        const forget = () => {
          if (connection === opening) connection = undefined
        }
        db.addEventListener('close', forget)
        db.addEventListener('versionchange', forget)
        return db
      })
      connection = opening
      opening.catch(() => {
        if (connection === opening) connection = undefined
      })
    }
    return connection
  }
}

function indexedDbStorage(factory: IDBFactory, name: string): Storage {
  const database = connectionOf(factory, name)
  /** Runs one request in a transaction; its failures become STORAGE_FAILED. */
  const run = async <T>(
    operation: string,
    mode: IDBTransactionMode,
    request: (s: IDBObjectStore) => IDBRequest<T>,
  ) => {
    try {
      return await transact(await database(), KV_STORE, mode, request)
    } catch (err) {
      throw storageFailed('Browser storage (IndexedDB) failed.', err, `${operation} in database "${name}"`)
    }
  }
  return {
    async get(key) {
      assertKey(key)
      const value: unknown = await run('get', 'readonly', (s) => s.get(key))
      if (value === undefined) return undefined
      if (value instanceof Uint8Array) return copyBytes(value)
      if (value instanceof ArrayBuffer) return copyBytes(new Uint8Array(value))
      throw new PairlineError(ErrorCode.StorageFailed, 'Browser storage holds a value that is not bytes.', {
        details: `key "${key}" in database "${name}"`,
      })
    },
    async set(key, value) {
      assertKey(key)
      assertValue(value)
      await run('set', 'readwrite', (s) => s.put(copyBytes(value), key))
    },
    async delete(key) {
      assertKey(key)
      await run('delete', 'readwrite', (s) => s.delete(key))
    },
    async keys(prefix) {
      assertPrefix(prefix)
      const all = await run('keys', 'readonly', (s) => s.getAllKeys())
      return all.filter((k): k is string => typeof k === 'string' && k.startsWith(prefix)).sort()
    },
  }
}

function webStorage(local: LocalStorageLike, namespace: string): Storage {
  const base = `${namespace}:`
  const failed = (operation: string, cause: unknown) =>
    storageFailed('Browser storage (localStorage) failed.', cause, `${operation} under "${base}"`)

  return {
    async get(key) {
      assertKey(key)
      let text: string | null
      try {
        text = local.getItem(base + key)
      } catch (err) {
        throw failed('get', err)
      }
      if (text === null) return undefined
      const bytes = fromBase64Url(text)
      if (bytes === null) {
        throw new PairlineError(ErrorCode.StorageFailed, 'Browser storage holds a corrupt value.', {
          details: `localStorage key "${base}${key}" is not base64url`,
        })
      }
      return bytes
    },
    async set(key, value) {
      assertKey(key)
      assertValue(value)
      try {
        local.setItem(base + key, toBase64Url(value))
      } catch (err) {
        throw failed('set', err) // e.g. QuotaExceededError
      }
    },
    async delete(key) {
      assertKey(key)
      try {
        local.removeItem(base + key)
      } catch (err) {
        throw failed('delete', err)
      }
    },
    async keys(prefix) {
      assertPrefix(prefix)
      const found: string[] = []
      try {
        for (let i = 0; i < local.length; i++) {
          const k = local.key(i)
          if (k?.startsWith(base + prefix)) found.push(k.slice(base.length))
        }
      } catch (err) {
        throw failed('keys', err)
      }
      return found.sort()
    },
  }
}
