import { readFile, writeFile } from 'node:fs/promises'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { wipe } from '../protocol/bytes.js'
import { copyBytes } from '../storage/internal.js'
import { DEVICE_PUBLIC_KEY_LENGTH, type DeviceKey, deviceKeyFromCryptoKeys, subtle } from './device.js'

const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' } as const
/** `0x01 ‖ public key (65) ‖ PKCS#8 private key`. */
const FILE_VERSION = 0x01

/**
 * A device key kept in a file (Node): created with mode 0o600 on first use, then reused, and loaded
 * as a non-extractable CryptoKey. Weaker than a browser's or an OS keystore's key: whoever can read
 * the file can sign as this device. Keep it apart from the session files (another directory,
 * another backup), so that a copy of the sessions alone cannot resume (docs/PROTOCOL.md §8.3).
 */
export async function fileDeviceKey(path: string): Promise<DeviceKey> {
  let bytes: Uint8Array
  try {
    bytes = new Uint8Array(await readFile(path))
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw unavailable(path, err)
    bytes = await create(path)
  }
  try {
    if (bytes[0] !== FILE_VERSION || bytes.length < 1 + DEVICE_PUBLIC_KEY_LENGTH + 32) {
      throw unavailable(path, new Error('not a Pairline device key file'))
    }
    const publicKey = await subtle().importKey(
      'raw',
      copyBytes(bytes.subarray(1, 1 + DEVICE_PUBLIC_KEY_LENGTH)),
      ECDSA,
      true,
      ['verify'],
    )
    const pkcs8 = copyBytes(bytes.subarray(1 + DEVICE_PUBLIC_KEY_LENGTH))
    try {
      const privateKey = await subtle().importKey('pkcs8', pkcs8, ECDSA, false, ['sign'])
      return await deviceKeyFromCryptoKeys({ publicKey, privateKey })
    } finally {
      wipe(pkcs8)
    }
  } catch (err) {
    throw err instanceof PairlineError ? err : unavailable(path, err)
  } finally {
    wipe(bytes)
  }
}

async function create(path: string): Promise<Uint8Array> {
  const pair = await subtle().generateKey(ECDSA, true, ['sign', 'verify'])
  const pub = new Uint8Array(await subtle().exportKey('raw', pair.publicKey))
  const pkcs8 = new Uint8Array(await subtle().exportKey('pkcs8', pair.privateKey))
  const out = new Uint8Array(1 + pub.length + pkcs8.length)
  out[0] = FILE_VERSION
  out.set(pub, 1)
  out.set(pkcs8, 1 + pub.length)
  wipe(pkcs8)
  try {
    await writeFile(path, out, { mode: 0o600, flag: 'wx' })
    return out
  } catch (err) {
    wipe(out)
    // Another process created it first: use that one.
    if ((err as { code?: string }).code === 'EEXIST') return new Uint8Array(await readFile(path))
    throw unavailable(path, err)
  }
}

function unavailable(path: string, cause: unknown): PairlineError {
  return new PairlineError(ErrorCode.DeviceKeyUnavailable, 'Could not load the device key file.', {
    details: path,
    cause,
  })
}
