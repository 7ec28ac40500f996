import type { Storage } from './types.js'

/** A Storage that creates the real one on first use (factories such as defaultStorage are async). */
export function lazyStorage(make: () => Promise<Storage>): Storage {
  let inner: Promise<Storage> | null = null
  const get = () => {
    inner ??= make()
    return inner
  }
  return {
    get: async (key) => (await get()).get(key),
    set: async (key, value) => (await get()).set(key, value),
    delete: async (key) => (await get()).delete(key),
    keys: async (prefix) => (await get()).keys(prefix),
  }
}
