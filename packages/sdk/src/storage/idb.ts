/**
 * Minimal promisified IndexedDB, shared by browserStorage (store `kv`) and the browser sealing key
 * (store `keys`). One database per namespace, version 1, both stores with out-of-line string keys.
 */

export const DB_VERSION = 1
export const KV_STORE = 'kv'
export const KEY_STORE = 'keys'

export function openDatabase(factory: IDBFactory, name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, DB_VERSION)
    request.onupgradeneeded = () => {
      const db = request.result
      for (const store of [KV_STORE, KEY_STORE]) {
        if (!db.objectStoreNames.contains(store)) db.createObjectStore(store)
      }
    }
    request.onsuccess = () => {
      const db = request.result
      // Let a newer version (another tab, a later SDK) upgrade instead of blocking forever.
      db.onversionchange = () => db.close()
      resolve(db)
    }
    request.onerror = () => reject(request.error ?? new Error(`Could not open IndexedDB database "${name}".`))
  })
}

/**
 * Runs one request in its own transaction and resolves with its result once the transaction has
 * committed (so a resolved write is durable, and a failed commit is reported).
 */
export function transact<T>(
  db: IDBDatabase,
  storeName: string,
  mode: IDBTransactionMode,
  fn: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode)
    const request = fn(tx.objectStore(storeName))
    tx.oncomplete = () => resolve(request.result)
    tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed.'))
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted.'))
  })
}

/**
 * Stores `fresh` under `key` unless a value is there already, in one readwrite transaction, and
 * resolves with whichever value is stored: two tabs racing on first use agree on one.
 */
export function getOrAdd(db: IDBDatabase, storeName: string, key: string, fresh: unknown): Promise<unknown> {
  return new Promise<unknown>((resolve, reject) => {
    const tx = db.transaction(storeName, 'readwrite')
    const store = tx.objectStore(storeName)
    let result: unknown = fresh
    const existing = store.get(key)
    existing.onsuccess = () => {
      if (existing.result === undefined) store.add(fresh, key)
      else result = existing.result
    }
    tx.oncomplete = () => resolve(result)
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed.'))
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted.'))
  })
}

/** The global IndexedDB factory, or undefined (Node, some privacy modes, workers without it). */
export function globalIndexedDb(): IDBFactory | undefined {
  try {
    const factory = (globalThis as { indexedDB?: IDBFactory | null }).indexedDB
    return factory ?? undefined
  } catch {
    return undefined
  }
}
