import { globalIndexedDb } from '../storage/idb.js'
import type { Storage } from '../storage/types.js'
import { loadOrCreateBrowserDeviceKey } from './browser.js'
import { type DeviceKey, memoryDeviceKey } from './device.js'

const perStorage = new WeakMap<object, Promise<DeviceKey>>()

/**
 * The device key used when the app passes none. In a browser: a non-extractable key kept in
 * IndexedDB (database `pairline`), so sessions resume after a reload and a copy of the database's
 * contents resumes nowhere. Elsewhere: one key per storage object for the life of the process, so a
 * restart with the same storage object resumes, and a record copied into other storage does not.
 */
export function defaultDeviceKey(storage: Storage): Promise<DeviceKey> {
  const factory = globalIndexedDb()
  if (factory) return loadOrCreateBrowserDeviceKey(factory, 'pairline')
  let key = perStorage.get(storage)
  if (!key) {
    key = memoryDeviceKey()
    perStorage.set(storage, key)
  }
  return key
}
