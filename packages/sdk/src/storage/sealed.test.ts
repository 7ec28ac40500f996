import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { concatBytes, toBase64Url, utf8 } from '../protocol/bytes.js'
import { fileStorage, nodeSealedStorage } from './file.js'
import { memoryStorage } from './memory.js'
import { SEALED_IV_LENGTH, SEALED_TAG_LENGTH, SEALED_VERSION, sealedStorage } from './sealed.js'
import type { Storage } from './types.js'

const posix = process.platform !== 'win32'
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pairline-sealed-'))
  dirs.push(dir)
  return dir
}

const KEY_A = new Uint8Array(32).map((_, i) => i + 1)
const KEY_B = new Uint8Array(32).map((_, i) => 200 - i)
const SECRET = new Uint8Array(32).map((_, i) => (0x5a + i * 31) & 0xff)
const STATE = JSON.stringify({ topic: 'a1b2c3', peer: { name: 'Test Wallet' }, chains: ['eip155:1'] })
/** What the session layer stores: JSON (non-secret state) followed by a 32-byte secret. */
const SESSION_BLOB = concatBytes(utf8(STATE), SECRET)

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

const undecryptable = expect.objectContaining({
  code: 'STORAGE_FAILED',
  shortMessage: 'The stored session could not be decrypted.',
})

async function sealedPair(key = KEY_A): Promise<{ inner: Storage; sealed: Storage }> {
  const inner = memoryStorage()
  return { inner, sealed: await sealedStorage(inner, { kind: 'raw', key }) }
}

describe('sealedStorage', () => {
  it('round-trips, and the inner storage never sees the plaintext', async () => {
    const { inner, sealed } = await sealedPair()
    await sealed.set('session:1', SESSION_BLOB)
    expect(await sealed.get('session:1')).toEqual(SESSION_BLOB)
    const raw = (await inner.get('session:1'))!
    expect(contains(raw, SESSION_BLOB)).toBe(false)
    expect(contains(raw, SECRET)).toBe(false)
    expect(contains(raw, SECRET.subarray(0, 8))).toBe(false)
    expect(contains(raw, utf8(STATE))).toBe(false)
    expect(contains(raw, utf8('Test Wallet'))).toBe(false)
    expect(new TextDecoder().decode(raw)).not.toContain('topic')
    // Sanity check of the search itself.
    expect(contains(SESSION_BLOB, SECRET)).toBe(true)
  })

  it('blob format: 0x01 ‖ iv(12) ‖ ciphertext ‖ tag(16), with a fresh IV per write', async () => {
    const { inner, sealed } = await sealedPair()
    await sealed.set('k', SESSION_BLOB)
    const first = (await inner.get('k'))!
    expect(first[0]).toBe(SEALED_VERSION)
    expect(first).toHaveLength(1 + SEALED_IV_LENGTH + SESSION_BLOB.length + SEALED_TAG_LENGTH)
    await sealed.set('k', SESSION_BLOB)
    const second = (await inner.get('k'))!
    expect(toBase64Url(second.subarray(1, 13))).not.toBe(toBase64Url(first.subarray(1, 13)))
    expect(toBase64Url(second)).not.toBe(toBase64Url(first))
    await sealed.set('empty', new Uint8Array(0))
    expect(await inner.get('empty')).toHaveLength(1 + 12 + 16)
    expect(await sealed.get('empty')).toEqual(new Uint8Array(0))
  })

  it('tampering with any byte is STORAGE_FAILED, and the error carries no bytes', async () => {
    const { inner, sealed } = await sealedPair()
    await sealed.set('k', SESSION_BLOB)
    const blob = (await inner.get('k'))!
    for (let i = 0; i < blob.length; i++) {
      for (const flip of [0x01, 0x80]) {
        const altered = blob.slice()
        altered[i]! ^= flip
        await inner.set('k', altered)
        const err = await sealed.get('k').catch((e: unknown) => e)
        expect(err).toEqual(undecryptable)
        const text = `${(err as Error).message} ${String((err as Error).cause ?? '')}`
        expect(text).not.toContain(toBase64Url(blob.subarray(13, 21)))
        expect(text).not.toContain(STATE.slice(0, 10))
      }
    }
  })

  it('truncated, empty or unknown-version blobs are STORAGE_FAILED', async () => {
    const { inner, sealed } = await sealedPair()
    await sealed.set('k', SESSION_BLOB)
    const blob = (await inner.get('k'))!
    for (const bad of [
      new Uint8Array(0),
      blob.subarray(0, 1),
      blob.subarray(0, 28),
      blob.subarray(0, blob.length - 1),
      concatBytes(blob, new Uint8Array([0])),
      concatBytes(new Uint8Array([0x02]), blob.subarray(1)),
    ]) {
      await inner.set('k', bad)
      await expect(sealed.get('k')).rejects.toThrow(undecryptable)
    }
  })

  it('a blob moved to another key is STORAGE_FAILED (the key name is authenticated)', async () => {
    const { inner, sealed } = await sealedPair()
    await sealed.set('session:alice', utf8('alice'))
    await sealed.set('session:bob', utf8('bob'))
    const alice = (await inner.get('session:alice'))!
    const bob = (await inner.get('session:bob'))!
    await inner.set('session:alice', bob)
    await inner.set('session:bob', alice)
    await expect(sealed.get('session:alice')).rejects.toThrow(undecryptable)
    await expect(sealed.get('session:bob')).rejects.toThrow(undecryptable)
    await inner.set('session:copy', alice)
    await expect(sealed.get('session:copy')).rejects.toThrow(undecryptable)
  })

  it('a wrong key is STORAGE_FAILED', async () => {
    const inner = memoryStorage()
    await (await sealedStorage(inner, { kind: 'raw', key: KEY_A })).set('k', SESSION_BLOB)
    const wrong = await sealedStorage(inner, { kind: 'raw', key: KEY_B })
    await expect(wrong.get('k')).rejects.toThrow(undecryptable)
    const right = await sealedStorage(inner, { kind: 'raw', key: KEY_A })
    expect(await right.get('k')).toEqual(SESSION_BLOB)
  })

  it('raw keys: exactly 32 bytes (else INVALID_ARGUMENT), and the caller keeps its copy', async () => {
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' })
    for (const key of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(0), Array.from(KEY_A), 'k']) {
      await expect(sealedStorage(memoryStorage(), { kind: 'raw', key: key as Uint8Array })).rejects.toThrow(
        invalid,
      )
    }
    const key = KEY_A.slice()
    await sealedStorage(memoryStorage(), { kind: 'raw', key })
    expect(key).toEqual(KEY_A)
  })

  it('rejects unknown key sources and non-storages with INVALID_ARGUMENT', async () => {
    const invalid = expect.objectContaining({ code: 'INVALID_ARGUMENT' })
    await expect(sealedStorage(memoryStorage(), { kind: 'nope' } as never)).rejects.toThrow(invalid)
    await expect(sealedStorage(memoryStorage(), undefined as never)).rejects.toThrow(invalid)
    await expect(sealedStorage({} as Storage, { kind: 'raw', key: KEY_A })).rejects.toThrow(invalid)
  })

  it('missing keys, delete and keys() pass through', async () => {
    const { inner, sealed } = await sealedPair()
    expect(await sealed.get('missing')).toBeUndefined()
    await sealed.set('s:1', new Uint8Array([1]))
    await sealed.set('s:2', new Uint8Array([2]))
    expect(await sealed.keys('s:')).toEqual(['s:1', 's:2'])
    await sealed.delete('s:1')
    await sealed.delete('s:1')
    expect(await inner.keys('')).toEqual(['s:2'])
  })

  it('failures of the inner storage are STORAGE_FAILED with the cause', async () => {
    const boom = new Error('disk on fire')
    const failing: Storage = {
      get: () => Promise.reject(boom),
      set: () => Promise.reject(boom),
      delete: () => Promise.reject(boom),
      keys: () => Promise.reject(boom),
    }
    const sealed = await sealedStorage(failing, { kind: 'raw', key: KEY_A })
    const attempts = [
      () => sealed.get('k'),
      () => sealed.set('k', SECRET),
      () => sealed.delete('k'),
      () => sealed.keys(''),
    ]
    for (const attempt of attempts) {
      expect(await attempt().catch((e: unknown) => e)).toMatchObject({ code: 'STORAGE_FAILED', cause: boom })
    }
  })

  it('points key-file users to @pairline/sdk/storage/file', async () => {
    await expect(sealedStorage(memoryStorage(), { kind: 'key-file', path: '/tmp/x' })).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('storage/file') }),
    )
  })
})

describe('nodeSealedStorage from @pairline/sdk/storage/file (key-file)', () => {
  it('creates the key file 0o600 (parents 0o700) on first use and reuses it', async () => {
    const root = await tempDir()
    const path = join(root, 'keys', 'pairline.key')
    const directory = join(root, 'sessions')
    const first = await nodeSealedStorage(fileStorage({ directory }), { kind: 'key-file', path })
    await first.set('session:1', SESSION_BLOB)
    const keyBytes = await readFile(path)
    expect(keyBytes).toHaveLength(32)
    if (posix) {
      expect((await stat(path)).mode & 0o777).toBe(0o600)
      expect((await stat(join(root, 'keys'))).mode & 0o777).toBe(0o700)
    }
    expect(await readdir(join(root, 'keys'))).toEqual(['pairline.key']) // no temporary files left

    // A restart: new instances, same key file, same decryptions.
    const second = await nodeSealedStorage(fileStorage({ directory }), { kind: 'key-file', path })
    expect(await second.get('session:1')).toEqual(SESSION_BLOB)
    expect(await readFile(path)).toEqual(keyBytes)
    // And the bytes on disk are sealed.
    const [name] = await readdir(directory)
    const onDisk = await readFile(join(directory, name!))
    expect(contains(onDisk, SECRET)).toBe(false)
    expect(contains(onDisk, utf8(STATE))).toBe(false)
  })

  it('concurrent first uses agree on one key', async () => {
    const root = await tempDir()
    const path = join(root, 'k')
    const inner = memoryStorage()
    const all = await Promise.all(
      Array.from({ length: 8 }, () => nodeSealedStorage(inner, { kind: 'key-file', path })),
    )
    await all[0]!.set('k', SECRET)
    for (const s of all) expect(await s.get('k')).toEqual(SECRET)
    expect(await readdir(root)).toEqual(['k'])
  })

  it('a different key file cannot decrypt', async () => {
    const root = await tempDir()
    const inner = memoryStorage()
    await (await nodeSealedStorage(inner, { kind: 'key-file', path: join(root, 'a') })).set('k', SECRET)
    const other = await nodeSealedStorage(inner, { kind: 'key-file', path: join(root, 'b') })
    await expect(other.get('k')).rejects.toThrow(undecryptable)
  })

  it('a key file of the wrong size is STORAGE_FAILED and left untouched', async () => {
    const path = join(await tempDir(), 'short.key')
    await writeFile(path, new Uint8Array(16))
    await expect(nodeSealedStorage(memoryStorage(), { kind: 'key-file', path })).rejects.toThrow(
      expect.objectContaining({ code: 'STORAGE_FAILED', shortMessage: 'The sealing key file is corrupt.' }),
    )
    expect(await readFile(path)).toHaveLength(16)
  })

  it('an unusable path is STORAGE_FAILED with the cause; an empty one INVALID_ARGUMENT', async () => {
    const root = await tempDir()
    await writeFile(join(root, 'file'), 'x')
    const err = await nodeSealedStorage(memoryStorage(), {
      kind: 'key-file',
      path: join(root, 'file', 'k'),
    }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'STORAGE_FAILED', cause: expect.objectContaining({ code: 'ENOTDIR' }) })
    await expect(nodeSealedStorage(memoryStorage(), { kind: 'key-file', path: '' })).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })

  it('also accepts the other key sources', async () => {
    const inner = memoryStorage()
    await (await nodeSealedStorage(inner, { kind: 'raw', key: KEY_A })).set('k', SECRET)
    expect(await (await sealedStorage(inner, { kind: 'raw', key: KEY_A })).get('k')).toEqual(SECRET)
  })
})
