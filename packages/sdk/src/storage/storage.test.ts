import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest'
import { utf8 } from '../protocol/bytes.js'
import { browserStorage, type LocalStorageLike } from './browser.js'
import { fileStorage } from './file.js'
import { defaultStorage, memoryStorage, sealedStorage } from './index.js'
import { loadOrCreateBrowserKey, sealWithKey } from './sealed.js'
import type { Storage } from './types.js'

/** A minimal in-memory Web Storage object (what browserStorage's `localStorage` option is for). */
function fakeLocalStorage(): LocalStorageLike & { items: Map<string, string> } {
  const items = new Map<string, string>()
  return {
    items,
    get length() {
      return items.size
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, String(v)),
    removeItem: (k) => void items.delete(k),
  }
}

type FakeRequest = {
  result: unknown
  error: unknown
  onsuccess: (() => void) | null
  onerror: (() => void) | null
  onupgradeneeded?: (() => void) | null
}

/**
 * Just enough IndexedDB for these tests: asynchronous requests, transactions that commit after their
 * last request (and may queue more from onsuccess), and transactions serialized per database like
 * overlapping readwrite transactions in browsers. Uint8Arrays are cloned; other values kept as is.
 * The real thing is exercised in Chromium by the browser tests.
 */
function fakeIndexedDb() {
  type Data = { version: number; stores: Map<string, Map<unknown, unknown>>; chain: Promise<void> }
  const databases = new Map<string, Data>()
  const later = (fn: () => void) => void setTimeout(fn, 0)
  const clone = (v: unknown) => (v instanceof Uint8Array ? v.slice() : v)
  let opened = 0
  let closed = 0

  function transaction(data: Data, storeName: string) {
    if (!data.stores.has(storeName)) throw new DOMException('No such store', 'NotFoundError')
    const ops: (() => void)[] = []
    let finished = () => {}
    let failed = false
    const tx = {
      error: null as unknown,
      oncomplete: null as (() => void) | null,
      onerror: null as (() => void) | null,
      onabort: null as (() => void) | null,
      objectStore: (_name: string) => ({
        get: (k: unknown) => request((s) => clone(s.get(k))),
        put: (v: unknown, k: unknown) =>
          request((s) => {
            s.set(k, clone(v))
            return k
          }),
        add: (v: unknown, k: unknown) =>
          request((s) => {
            if (s.has(k)) throw new DOMException('Key exists', 'ConstraintError')
            s.set(k, clone(v))
            return k
          }),
        delete: (k: unknown) => request((s) => void s.delete(k)),
        getAllKeys: () => request((s) => [...s.keys()]),
      }),
    }
    const request = (fn: (store: Map<unknown, unknown>) => unknown) => {
      const req: FakeRequest = { result: undefined, error: null, onsuccess: null, onerror: null }
      ops.push(() => {
        try {
          req.result = fn(data.stores.get(storeName)!)
        } catch (err) {
          req.error = err
          tx.error = err
          failed = true
          req.onerror?.()
          tx.onerror?.()
          tx.onabort?.()
          return
        }
        req.onsuccess?.()
      })
      return req
    }
    const pump = () => {
      if (failed) return finished()
      const op = ops.shift()
      if (op) {
        op()
        return later(pump)
      }
      tx.oncomplete?.()
      finished()
    }
    data.chain = data.chain.then(
      () =>
        new Promise<void>((resolve) => {
          finished = resolve
          later(pump)
        }),
    )
    return tx
  }

  const factory = {
    open(name: string, version: number) {
      const req: FakeRequest = { result: undefined, error: null, onsuccess: null, onerror: null }
      later(() => {
        let data = databases.get(name)
        if (!data) {
          data = { version: 0, stores: new Map(), chain: Promise.resolve() }
          databases.set(name, data)
        }
        const d = data
        opened++
        req.result = {
          objectStoreNames: { contains: (n: string) => d.stores.has(n) },
          createObjectStore: (n: string) => void d.stores.set(n, new Map()),
          transaction: (n: string) => transaction(d, n),
          close: () => void closed++,
          addEventListener: () => {},
          onversionchange: null,
        }
        if (d.version < version) {
          d.version = version
          req.onupgradeneeded?.()
        }
        req.onsuccess?.()
      })
      return req
    },
  }
  return {
    factory: factory as unknown as IDBFactory,
    databases,
    counts: () => ({ opened, closed }),
  }
}

const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})
afterEach(() => {
  vi.unstubAllGlobals()
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pairline-storage-'))
  dirs.push(dir)
  return dir
}

const backends: [string, () => Promise<Storage>][] = [
  ['memoryStorage', async () => memoryStorage()],
  ['fileStorage', async () => fileStorage({ directory: join(await tempDir(), 'sessions') })],
  ['browserStorage (localStorage)', async () => browserStorage({ localStorage: fakeLocalStorage() })],
  ['browserStorage (IndexedDB)', async () => browserStorage({ indexedDB: fakeIndexedDb().factory })],
  [
    'sealedStorage (raw key)',
    async () => sealedStorage(memoryStorage(), { kind: 'raw', key: new Uint8Array(32) }),
  ],
  [
    'sealedStorage (browser key)',
    async () => {
      const { factory } = fakeIndexedDb()
      return sealWithKey(browserStorage({ indexedDB: factory }), await loadOrCreateBrowserKey(factory, 'ns'))
    },
  ],
]

describe.each(backends)('%s: the Storage contract', (_name, make) => {
  it('round-trips bytes, overwrites, and returns undefined for missing keys', async () => {
    const s = await make()
    expect(await s.get('missing')).toBeUndefined()
    await s.set('a', new Uint8Array([1, 2, 3]))
    expect(await s.get('a')).toEqual(new Uint8Array([1, 2, 3]))
    await s.set('a', new Uint8Array([9]))
    expect(await s.get('a')).toEqual(new Uint8Array([9]))
    await s.set('empty', new Uint8Array(0))
    expect(await s.get('empty')).toEqual(new Uint8Array(0))
    const big = new Uint8Array(100_000).map((_, i) => i * 7)
    await s.set('big', big)
    expect(await s.get('big')).toEqual(big)
  })

  it('returns plain Uint8Array copies, unaffected by later mutation of either side', async () => {
    const s = await make()
    const value = new Uint8Array([1, 2, 3])
    await s.set('k', value)
    value[0] = 99
    const read = (await s.get('k'))!
    expect(read.constructor).toBe(Uint8Array)
    expect(read).toEqual(new Uint8Array([1, 2, 3]))
    read[1] = 99
    expect(await s.get('k')).toEqual(new Uint8Array([1, 2, 3]))
  })

  it('deletes, and deleting a missing key is fine', async () => {
    const s = await make()
    await s.set('k', new Uint8Array([1]))
    await s.delete('k')
    expect(await s.get('k')).toBeUndefined()
    await expect(s.delete('k')).resolves.toBeUndefined()
    await expect(s.delete('never-there')).resolves.toBeUndefined()
  })

  it('lists keys by prefix, sorted', async () => {
    const s = await make()
    expect(await s.keys('')).toEqual([])
    for (const k of ['session:b', 'session:a', 'pairing:x', 'sess', 'session:ünï/🔑']) {
      await s.set(k, utf8(k))
    }
    expect(await s.keys('session:')).toEqual(['session:a', 'session:b', 'session:ünï/🔑'])
    expect(await s.keys('sess')).toEqual(['sess', 'session:a', 'session:b', 'session:ünï/🔑'])
    expect(await s.keys('')).toEqual(['pairing:x', 'sess', 'session:a', 'session:b', 'session:ünï/🔑'])
    expect(await s.keys('nothing')).toEqual([])
    expect(await s.get('session:ünï/🔑')).toEqual(utf8('session:ünï/🔑'))
  })

  it('handles concurrent writes to different keys', async () => {
    const s = await make()
    const keys = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`)
    await Promise.all(keys.map((k, i) => s.set(k, new Uint8Array([i]))))
    expect(await s.keys('k')).toEqual(keys)
    const values = await Promise.all(keys.map((k) => s.get(k)))
    expect(values).toEqual(keys.map((_, i) => new Uint8Array([i])))
  })

  it('rejects bad keys and values with INVALID_ARGUMENT', async () => {
    const s = await make()
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' })
    await expect(s.get('')).rejects.toThrow(invalid)
    await expect(s.set('', new Uint8Array(1))).rejects.toThrow(invalid)
    await expect(s.set('lone-\ud800', new Uint8Array(1))).rejects.toThrow(invalid)
    await expect(s.set('k', [1, 2] as unknown as Uint8Array)).rejects.toThrow(invalid)
    await expect(s.delete(42 as unknown as string)).rejects.toThrow(invalid)
    await expect(s.keys(undefined as unknown as string)).rejects.toThrow(invalid)
  })
})

describe('browserStorage', () => {
  it('localStorage fallback: base64url values under "<namespace>:<key>"', async () => {
    const local = fakeLocalStorage()
    local.setItem('unrelated', 'x')
    const s = browserStorage({ localStorage: local })
    await s.set('session:1', new Uint8Array([0xfb, 0xff, 0x00]))
    expect(local.items.get('pairline:session:1')).toBe('-_8A')
    const other = browserStorage({ localStorage: local, namespace: 'app2' })
    await other.set('session:2', new Uint8Array([1]))
    expect(await s.keys('')).toEqual(['session:1'])
    expect(await other.keys('')).toEqual(['session:2'])
    expect(await other.get('session:1')).toBeUndefined()
  })

  it('localStorage fallback: corrupt values and quota errors are STORAGE_FAILED', async () => {
    const local = fakeLocalStorage()
    const s = browserStorage({ localStorage: local })
    local.setItem('pairline:k', 'not base64url!')
    await expect(s.get('k')).rejects.toThrow(expect.objectContaining({ code: 'STORAGE_FAILED' }))
    const quota = new DOMException('full', 'QuotaExceededError')
    local.setItem = () => {
      throw quota
    }
    const err = await s.set('k2', new Uint8Array(1)).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'STORAGE_FAILED', cause: quota })
  })

  it('uses the global localStorage when there is no IndexedDB, and fails clearly with neither', async () => {
    vi.stubGlobal('indexedDB', undefined)
    vi.stubGlobal('localStorage', undefined)
    expect(() => browserStorage()).toThrow(expect.objectContaining({ code: 'STORAGE_FAILED' }))
    const local = fakeLocalStorage()
    vi.stubGlobal('localStorage', local)
    await browserStorage().set('k', new Uint8Array([1]))
    expect(local.items.get('pairline:k')).toBe('AQ')
  })

  it('IndexedDB: database "<namespace>", store "kv", bytes kept as Uint8Array', async () => {
    const idb = fakeIndexedDb()
    vi.stubGlobal('indexedDB', idb.factory)
    const s = browserStorage({ namespace: 'my-app' })
    await s.set('k', new Uint8Array([1, 2]))
    const kv = idb.databases.get('my-app')?.stores.get('kv')
    expect(kv?.get('k')).toEqual(new Uint8Array([1, 2]))
    await s.get('k')
    await s.keys('')
    expect(idb.counts().opened).toBe(1) // one connection, reused
  })

  it('IndexedDB failures are STORAGE_FAILED with the cause', async () => {
    const boom = new Error('open failed')
    const broken = {
      open: () => {
        throw boom
      },
    } as unknown as IDBFactory
    const err = await browserStorage({ indexedDB: broken })
      .get('k')
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'STORAGE_FAILED', cause: boom })
  })

  it('rejects an empty namespace', () => {
    expect(() => browserStorage({ namespace: '', localStorage: fakeLocalStorage() })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})

describe('browser sealing key (webcrypto-nonextractable)', () => {
  it('is generated once, non-extractable, kept in the "keys" store, and reused', async () => {
    const idb = fakeIndexedDb()
    const key = await loadOrCreateBrowserKey(idb.factory, 'pairline')
    expect(key.extractable).toBe(false)
    expect(key.algorithm).toMatchObject({ name: 'AES-GCM', length: 256 })
    await expect(crypto.subtle.exportKey('raw', key)).rejects.toMatchObject({
      message: 'key is not extractable',
    })
    expect(idb.databases.get('pairline')?.stores.get('keys')?.get('sealing-key')).toBe(key)
    expect(await loadOrCreateBrowserKey(idb.factory, 'pairline')).toBe(key)
    expect(await loadOrCreateBrowserKey(idb.factory, 'other')).not.toBe(key)
    expect(idb.counts().closed).toBe(idb.counts().opened) // no leaked connections
  })

  it('concurrent first uses (two tabs) agree on one key', async () => {
    const idb = fakeIndexedDb()
    const keys = await Promise.all(Array.from({ length: 5 }, () => loadOrCreateBrowserKey(idb.factory, 'p')))
    for (const k of keys) expect(k).toBe(keys[0])
  })

  it('sealedStorage finds it through globalThis.indexedDB; values survive a "reload"', async () => {
    const idb = fakeIndexedDb()
    vi.stubGlobal('indexedDB', idb.factory)
    const first = await sealedStorage(browserStorage(), { kind: 'webcrypto-nonextractable' })
    await first.set('session:1', utf8('secret state'))
    const stored = idb.databases.get('pairline')?.stores.get('kv')?.get('session:1') as Uint8Array
    expect(stored[0]).toBe(0x01)
    const second = await sealedStorage(browserStorage(), { kind: 'webcrypto-nonextractable' })
    expect(await second.get('session:1')).toEqual(utf8('secret state'))
  })

  it('without IndexedDB it is STORAGE_FAILED', async () => {
    await expect(sealedStorage(memoryStorage(), { kind: 'webcrypto-nonextractable' })).rejects.toThrow(
      expect.objectContaining({ code: 'STORAGE_FAILED' }),
    )
  })

  it('a foreign value under the key id is STORAGE_FAILED, not overwritten', async () => {
    const idb = fakeIndexedDb()
    await loadOrCreateBrowserKey(idb.factory, 'p')
    idb.databases.get('p')?.stores.get('keys')?.set('sealing-key', 'junk')
    await expect(loadOrCreateBrowserKey(idb.factory, 'p')).rejects.toThrow(
      expect.objectContaining({ code: 'STORAGE_FAILED' }),
    )
    expect(idb.databases.get('p')?.stores.get('keys')?.get('sealing-key')).toBe('junk')
  })
})

describe('defaultStorage', () => {
  it('is memoryStorage outside browsers', async () => {
    const s = await defaultStorage()
    await s.set('k', new Uint8Array([1]))
    expect(await s.get('k')).toEqual(new Uint8Array([1]))
  })

  it('is sealed IndexedDB storage in browsers', async () => {
    const idb = fakeIndexedDb()
    vi.stubGlobal('indexedDB', idb.factory)
    const s = await defaultStorage()
    await s.set('k', utf8('plaintext'))
    const stored = idb.databases.get('pairline')?.stores.get('kv')?.get('k') as Uint8Array
    expect(stored).toHaveLength(1 + 12 + 9 + 16)
    expect(await s.get('k')).toEqual(utf8('plaintext'))
    expect(idb.databases.get('pairline')?.stores.get('keys')?.has('sealing-key')).toBe(true)
  })
})
