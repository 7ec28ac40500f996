import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { fileStorage, MAX_FILE_KEY_BYTES } from './file.js'

const posix = process.platform !== 'win32'
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pairline-file-'))
  dirs.push(dir)
  return dir
}

const mode = async (path: string) => (await stat(path)).mode & 0o777

describe('fileStorage', () => {
  it('creates the directory (and parents) 0o700 on first write, and each file 0o600', async () => {
    const root = await tempDir()
    const directory = join(root, 'a', 'b', 'sessions')
    const s = fileStorage({ directory })
    expect(await s.keys('')).toEqual([]) // reading never creates anything
    expect(await s.get('k')).toBeUndefined()
    await s.delete('k')
    await expect(stat(join(root, 'a'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'stat' })
    await s.set('session:1', new Uint8Array([1, 2, 3]))
    expect(await readdir(directory)).toEqual(['73657373696f6e3a31']) // hex of "session:1"
    expect(await readFile(join(directory, '73657373696f6e3a31'))).toEqual(Buffer.from([1, 2, 3]))
    if (posix) {
      expect(await mode(directory)).toBe(0o700)
      expect(await mode(join(root, 'a'))).toBe(0o700)
      expect(await mode(join(directory, '73657373696f6e3a31'))).toBe(0o600)
    }
  })

  it('persists across instances (a restart)', async () => {
    const directory = await tempDir()
    await fileStorage({ directory }).set('k', new Uint8Array([7]))
    expect(await fileStorage({ directory }).get('k')).toEqual(new Uint8Array([7]))
  })

  it('writes atomically: no temporary files left, even after many concurrent writes', async () => {
    const directory = await tempDir()
    const s = fileStorage({ directory })
    await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => s.set(`k${i}`, new Uint8Array(1000).fill(i))),
      ...Array.from({ length: 30 }, (_, i) => s.set('same', new Uint8Array(1000).fill(i))),
    ])
    const names = await readdir(directory)
    expect(names).toHaveLength(31)
    expect(names.every((n) => /^[0-9a-f]+$/.test(n))).toBe(true)
    // Whichever write won, the file is one whole value, never a mix.
    const same = (await s.get('same'))!
    expect(same).toHaveLength(1000)
    expect(new Set(same).size).toBe(1)
    if (posix) for (const n of names) expect(await mode(join(directory, n))).toBe(0o600)
  })

  it('keeps case-distinct keys apart (safe on case-insensitive file systems)', async () => {
    const s = fileStorage({ directory: await tempDir() })
    await s.set('a', new Uint8Array([1]))
    await s.set('A', new Uint8Array([2]))
    expect(await s.get('a')).toEqual(new Uint8Array([1]))
    expect(await s.get('A')).toEqual(new Uint8Array([2]))
    expect(await s.keys('')).toEqual(['A', 'a'])
  })

  it('ignores foreign and temporary files in keys()', async () => {
    const directory = await tempDir()
    const s = fileStorage({ directory })
    await s.set('x', new Uint8Array([1]))
    await writeFile(join(directory, '.tmp-0123456789abcdef'), 'partial')
    await writeFile(join(directory, 'README'), 'hi')
    await writeFile(join(directory, 'ff'), 'not utf-8 as a name')
    await mkdir(join(directory, 'sub'))
    expect(await s.keys('')).toEqual(['x'])
  })

  it(`limits keys to ${MAX_FILE_KEY_BYTES} UTF-8 bytes`, async () => {
    const s = fileStorage({ directory: await tempDir() })
    const longest = 'k'.repeat(MAX_FILE_KEY_BYTES)
    await s.set(longest, new Uint8Array([1]))
    expect(await s.keys('')).toEqual([longest])
    await expect(s.set(`${longest}k`, new Uint8Array([1]))).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    await expect(s.get('é'.repeat(64))).rejects.toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }))
  })

  it('wraps I/O failures as STORAGE_FAILED with the cause', async () => {
    const root = await tempDir()
    const notADirectory = join(root, 'file')
    await writeFile(notADirectory, 'x')
    const s = fileStorage({ directory: notADirectory })
    const attempts = [
      () => s.set('k', new Uint8Array(1)),
      () => s.get('k'),
      () => s.keys(''),
      () => s.delete('k'),
    ]
    for (const attempt of attempts) {
      const err = await attempt().catch((e: unknown) => e)
      expect(err).toMatchObject({ code: 'STORAGE_FAILED', shortMessage: 'File storage failed.' })
      expect((err as Error).cause).toMatchObject({ code: expect.stringMatching(/^E[A-Z]+$/) })
    }
    expect(await readdir(root)).toEqual(['file'])
  })

  it('needs a directory', () => {
    expect(() => fileStorage({ directory: '' })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
    expect(() => fileStorage(undefined as unknown as { directory: string })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    )
  })
})
