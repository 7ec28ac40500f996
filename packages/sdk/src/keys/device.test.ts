import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { memoryDeviceKey, verifyDeviceSignature } from './device.js'
import { fileDeviceKey } from './file.js'

const dir = await mkdtemp(join(tmpdir(), 'pairline-device-'))
afterAll(() => rm(dir, { recursive: true, force: true }))
const data = new TextEncoder().encode('pairline/v1/resume/init-signature test')

describe('device keys (docs/PROTOCOL.md §8.3)', () => {
  it('a memory key signs; only its own public key verifies, and only the signed bytes', async () => {
    const a = await memoryDeviceKey()
    const b = await memoryDeviceKey()
    const sig = await a.sign(data)
    expect(a.publicKey).toHaveLength(65)
    expect(sig).toHaveLength(64)
    expect(await verifyDeviceSignature(a.publicKey, data, sig)).toBe(true)
    expect(await verifyDeviceSignature(b.publicKey, data, sig)).toBe(false)
    expect(await verifyDeviceSignature(a.publicKey, data.subarray(1), sig)).toBe(false)
    expect(await verifyDeviceSignature(a.publicKey.subarray(1), data, sig)).toBe(false) // wrong length
    expect(await verifyDeviceSignature(new Uint8Array(65).fill(4), data, sig)).toBe(false) // not a point
  })

  it('a key file is created once with mode 0600 and gives the same key on every load', async () => {
    const path = join(dir, 'device.key')
    const first = await fileDeviceKey(path)
    const again = await fileDeviceKey(path)
    expect(again.publicKey).toEqual(first.publicKey)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(await verifyDeviceSignature(first.publicKey, data, await again.sign(data))).toBe(true)
  })

  it('a file that is not a device key is DEVICE_KEY_UNAVAILABLE, never silently replaced', async () => {
    const path = join(dir, 'junk.key')
    await writeFile(path, 'not a key')
    await expect(fileDeviceKey(path)).rejects.toMatchObject({
      code: 'DEVICE_KEY_UNAVAILABLE',
      shortMessage: 'Could not load the device key file.',
    })
  })
})
