import { browserStorage } from './browser.js'
import { globalIndexedDb } from './idb.js'
import { memoryStorage } from './memory.js'
import { sealedStorage } from './sealed.js'
import type { Storage } from './types.js'

export { type BrowserStorageOptions, browserStorage, type LocalStorageLike } from './browser.js'
export { memoryStorage } from './memory.js'
export { sealedStorage } from './sealed.js'
export type { SealingKeySource, Storage } from './types.js'

/**
 * The storage used when the app passes none. In a browser (IndexedDB present): browserStorage sealed
 * with a non-extractable WebCrypto key kept in IndexedDB. Elsewhere: memoryStorage, so sessions do not
 * survive a restart; Node apps that want persistence pass
 * `nodeSealedStorage(fileStorage({ directory }), { kind: 'key-file', path })` from `@pairline/sdk/storage/file`.
 */
export async function defaultStorage(): Promise<Storage> {
  if (globalIndexedDb()) return sealedStorage(browserStorage(), { kind: 'webcrypto-nonextractable' })
  return memoryStorage()
}
