/**
 * Node-only storage: `@pairline/sdk/storage/file`. Kept out of the main entry so browser bundles never
 * see `node:fs`.
 */
import { link, mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { fromUtf8, utf8, wipe } from '../protocol/bytes.js'
import { getRandomSource } from '../protocol/random.js'
import {
  assertKey,
  assertPrefix,
  assertStorage,
  assertValue,
  copyBytes,
  invalidArgument,
  storageFailed,
} from './internal.js'
import {
  importRawSealingKey,
  SEALING_KEY_LENGTH,
  sealedStorage as sealedStorageCore,
  sealWithKey,
} from './sealed.js'
import type { SealingKeySource, Storage } from './types.js'

export { fileDeviceKey } from '../keys/file.js'
export type { SealingKeySource, Storage } from './types.js'

export type FileStorageOptions = {
  /** Created (with missing parents) with mode 0o700 on first write; an existing directory is left as is. */
  directory: string
}

/** File names are the lowercase hex of the key's UTF-8 bytes; file names are at most 255 bytes. */
export const MAX_FILE_KEY_BYTES = 127
const FILE_MODE = 0o600
const DIRECTORY_MODE = 0o700
const TEMP_PREFIX = '.tmp-'
const HEX_NAME = /^(?:[0-9a-f]{2})+$/

/**
 * One file per key in `directory`, written atomically (temporary file, fsync, rename), mode 0o600.
 * Values are stored as given: wrap with {@link sealedStorage} for secrets.
 *
 * File names are the lowercase hex of the key (not base64url, which would let two keys collide on
 * case-insensitive file systems such as macOS and Windows defaults), so keys are limited to
 * {@link MAX_FILE_KEY_BYTES} UTF-8 bytes.
 */
export function fileStorage(options: FileStorageOptions): Storage {
  const directory = (options as Partial<FileStorageOptions> | undefined)?.directory
  if (typeof directory !== 'string' || directory.length === 0) {
    throw invalidArgument('fileStorage needs a directory path.', `got ${typeof directory}`)
  }
  const random = getRandomSource()
  const pathOf = (key: string) => join(directory, fileName(key))
  const failed = (operation: string, key: string | undefined, cause: unknown) =>
    storageFailed(
      'File storage failed.',
      cause,
      `${operation}${key === undefined ? '' : ` "${key}"`} in ${directory}: ${errorText(cause)}`,
    )

  return {
    async get(key) {
      const path = pathOf(key)
      try {
        return copyBytes(await readFile(path))
      } catch (err) {
        if (errorCode(err) === 'ENOENT') return undefined
        throw failed('get', key, err)
      }
    },
    async set(key, value) {
      const path = pathOf(key)
      assertValue(value)
      try {
        await mkdir(directory, { recursive: true, mode: DIRECTORY_MODE })
        await writeAtomically(path, join(directory, TEMP_PREFIX + hex(random(8))), value)
      } catch (err) {
        throw failed('set', key, err)
      }
    },
    async delete(key) {
      const path = pathOf(key)
      try {
        await unlink(path)
      } catch (err) {
        if (errorCode(err) !== 'ENOENT') throw failed('delete', key, err)
      }
    },
    async keys(prefix) {
      assertPrefix(prefix)
      let names: string[]
      try {
        names = await readdir(directory)
      } catch (err) {
        if (errorCode(err) === 'ENOENT') return []
        throw failed('keys', undefined, err)
      }
      const keys: string[] = []
      for (const name of names) {
        if (!HEX_NAME.test(name)) continue // temporary and foreign files
        const key = fromUtf8(fromHex(name))
        if (key?.startsWith(prefix)) keys.push(key)
      }
      return keys.sort()
    },
  }
}

/**
 * {@link sealedStorageCore | sealedStorage} from the main entry, under its own name for Node, plus `{ kind: 'key-file', path }`: 32 random bytes in a
 * file created with mode 0o600 (parents 0o700) on first use and reused afterwards. Concurrent first
 * uses agree on one key (the file appears atomically via link()). A key file of the wrong size raises
 * STORAGE_FAILED rather than being replaced.
 */
export async function nodeSealedStorage(inner: Storage, keySource: SealingKeySource): Promise<Storage> {
  if ((keySource as { kind?: unknown } | null | undefined)?.kind !== 'key-file') {
    return sealedStorageCore(inner, keySource)
  }
  assertStorage(inner, 'The inner storage')
  const path = (keySource as { path?: unknown }).path
  if (typeof path !== 'string' || path.length === 0) {
    throw invalidArgument('A key-file sealing key needs a file path.', `got ${typeof path}`)
  }
  const bytes = await readOrCreateKeyFile(path)
  try {
    return sealWithKey(inner, await importRawSealingKey(bytes))
  } finally {
    wipe(bytes)
  }
}

async function readOrCreateKeyFile(path: string): Promise<Uint8Array> {
  const random = getRandomSource()
  try {
    const existing = await readIfExists(path)
    if (existing) return checkKeyFile(existing, path)
    await mkdir(dirname(path), { recursive: true, mode: DIRECTORY_MODE })
    const fresh = random(SEALING_KEY_LENGTH)
    const temp = `${path}${TEMP_PREFIX}${hex(random(8))}`
    try {
      await writeNew(temp, fresh)
      try {
        // link() fails with EEXIST if another process created the key first: then we use theirs.
        await link(temp, path)
      } catch (err) {
        const code = errorCode(err)
        if (code !== 'EEXIST') {
          // File systems without hard links: exclusive create (not atomic for concurrent readers).
          await writeFile(path, fresh, { flag: 'wx', mode: FILE_MODE }).catch((err2: unknown) => {
            if (errorCode(err2) !== 'EEXIST') throw err2
          })
        }
      }
    } finally {
      wipe(fresh)
      await unlink(temp).catch(() => {})
    }
    const created = await readIfExists(path)
    if (!created) throw new Error('the key file vanished right after it was created')
    return checkKeyFile(created, path)
  } catch (err) {
    throw storageFailed('Could not read or create the sealing key file.', err, `${path}: ${errorText(err)}`)
  }
}

function checkKeyFile(bytes: Uint8Array, path: string): Uint8Array {
  if (bytes.length === SEALING_KEY_LENGTH) return bytes
  wipe(bytes)
  throw new PairlineError(ErrorCode.StorageFailed, 'The sealing key file is corrupt.', {
    details: `${path} holds ${bytes.length} bytes, expected ${SEALING_KEY_LENGTH}; it was left untouched`,
  })
}

async function readIfExists(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path)
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined
    throw err
  }
}

/** Creates `path` exclusively (mode 0o600), writes `data` and fsyncs it. */
async function writeNew(path: string, data: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx', FILE_MODE)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

async function writeAtomically(path: string, temp: string, data: Uint8Array): Promise<void> {
  try {
    await writeNew(temp, data)
    await rename(temp, path)
  } catch (err) {
    await unlink(temp).catch(() => {})
    throw err
  }
  await syncDirectory(dirname(path))
}

/** Makes the rename durable where the platform allows it (not on Windows). */
async function syncDirectory(directory: string): Promise<void> {
  try {
    const handle = await open(directory, 'r')
    try {
      await handle.sync()
    } finally {
      await handle.close()
    }
  } catch {
    // best effort
  }
}

function fileName(key: string): string {
  assertKey(key)
  const bytes = utf8(key)
  if (bytes.length > MAX_FILE_KEY_BYTES) {
    throw invalidArgument(
      `File storage keys are limited to ${MAX_FILE_KEY_BYTES} UTF-8 bytes.`,
      `got ${bytes.length} bytes`,
    )
  }
  return hex(bytes)
}

function hex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += b.toString(16).padStart(2, '0')
  return out
}

function fromHex(text: string): Uint8Array {
  const out = new Uint8Array(text.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return out
}

function errorCode(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
