import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { getOrAdd, KEY_STORE, openDatabase, transact } from '../storage/idb.js'
import { type DeviceKey, deviceKeyFromCryptoKeys, generateDeviceKeyPair } from './device.js'

/** Where the browser device key pair lives in the `keys` object store. */
export const DEVICE_KEY_ID = 'device-key'

/**
 * The browser device key: a non-extractable ECDSA P-256 key pair, generated once and kept
 * (structured-cloned) in IndexedDB next to the sealing key. Script in the origin can sign with it
 * while it runs, but no one can read its private bytes, so a copied database cannot resume (§8.3).
 * Two tabs racing on first use agree on one key (read-or-insert in one readwrite transaction).
 */
export async function loadOrCreateBrowserDeviceKey(
  factory: IDBFactory,
  namespace: string,
): Promise<DeviceKey> {
  let db: IDBDatabase | undefined
  try {
    db = await openDatabase(factory, namespace)
    const stored = await transact<unknown>(db, KEY_STORE, 'readonly', (s) => s.get(DEVICE_KEY_ID))
    if (stored !== undefined) return await deviceKeyFromCryptoKeys(stored as CryptoKeyPair)
    const fresh = await generateDeviceKeyPair()
    const chosen = await getOrAdd(db, KEY_STORE, DEVICE_KEY_ID, fresh)
    return await deviceKeyFromCryptoKeys(chosen as CryptoKeyPair)
  } catch (cause) {
    if (cause instanceof PairlineError) throw cause
    throw new PairlineError(ErrorCode.DeviceKeyUnavailable, 'Could not load the device key from IndexedDB.', {
      details: `database "${namespace}"`,
      cause,
    })
  } finally {
    db?.close()
  }
}
