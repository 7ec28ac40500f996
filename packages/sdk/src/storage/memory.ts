import { assertKey, assertPrefix, assertValue, copyBytes } from './internal.js'
import type { Storage } from './types.js'

/** Storage in a Map: nothing survives a restart. Values are copied in and out. */
export function memoryStorage(): Storage {
  const map = new Map<string, Uint8Array>()
  return {
    async get(key) {
      assertKey(key)
      const value = map.get(key)
      return value === undefined ? undefined : copyBytes(value)
    },
    async set(key, value) {
      assertKey(key)
      assertValue(value)
      map.set(key, copyBytes(value))
    },
    async delete(key) {
      assertKey(key)
      map.delete(key)
    },
    async keys(prefix) {
      assertPrefix(prefix)
      return [...map.keys()].filter((k) => k.startsWith(prefix)).sort()
    },
  }
}
