import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as dapp from './dapp/index.js'
import * as sdk from './index.js'
import * as protocol from './protocol/index.js'
import * as qr from './qr/index.js'
import * as file from './storage/file.js'
import * as wallet from './wallet/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const pkg = JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')) as {
  dependencies: Record<string, string>
}

/** Every bare module specifier reachable from `entry` through relative imports (type imports too). */
function externalImports(entry: string): Set<string> {
  const seen = new Set<string>()
  const external = new Set<string>()
  const visit = (path: string) => {
    if (seen.has(path)) return
    seen.add(path)
    const text = readFileSync(path, 'utf8')
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)) {
      const spec = m[1] as string
      if (spec.startsWith('.')) visit(resolve(dirname(path), spec.replace(/\.js$/, '.ts')))
      else external.add(spec)
    }
  }
  visit(join(here, entry))
  return external
}

describe('entry points', () => {
  it.each(['index.ts', 'dapp/index.ts'])('%s reaches nothing of viem (runtime or types)', (entry) => {
    const external = [...externalImports(entry)]
    expect(external.filter((s) => s === 'viem' || s.startsWith('viem/'))).toEqual([])
    // and only the package's own dependencies: no peer (viem) or dev dependency
    const pkgName = (s: string) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/')
    expect(external.map(pkgName).filter((p) => !(p in pkg.dependencies))).toEqual([])
  })

  it('the wallet side does use viem (a peer dependency)', () => {
    expect([...externalImports('wallet/index.ts')]).toContain('viem')
  })

  it('exports nothing mutable: the method lists are frozen arrays', () => {
    expect(Object.isFrozen(sdk.READ_ONLY_METHODS)).toBe(true)
    expect(Object.isFrozen(sdk.WALLET_METHODS)).toBe(true)
    expect(() => (sdk.READ_ONLY_METHODS as string[]).push('personal_sign')).toThrow(TypeError)
    expect(sdk.READ_ONLY_METHODS).not.toContain('personal_sign')
  })

  it('the root exports exactly the dApp side, errors and storage', () => {
    for (const name of Object.keys(dapp)) expect(sdk).toHaveProperty(name)
    expect(sdk).not.toHaveProperty('createWallet')
  })
})

// API changes are deliberate: update these snapshots on purpose, in the same change as the docs.
describe('public exports', () => {
  const names = (m: object) => Object.keys(m).sort()
  it('@pairline/sdk', () => {
    expect(names(sdk)).toMatchInlineSnapshot(`
      [
        "DappSession",
        "ErrorCode",
        "PairlineError",
        "ProviderRpcError",
        "READ_ONLY_METHODS",
        "RpcCode",
        "WALLET_METHODS",
        "browserStorage",
        "createDapp",
        "defaultStorage",
        "isPairlineError",
        "memoryStorage",
        "sealedStorage",
      ]
    `)
  })
  it('@pairline/sdk/dapp', () => {
    expect(names(dapp)).toMatchInlineSnapshot(`
      [
        "DappSession",
        "READ_ONLY_METHODS",
        "WALLET_METHODS",
        "createDapp",
      ]
    `)
  })
  it('@pairline/sdk/wallet', () => {
    expect(names(wallet)).toMatchInlineSnapshot(`
      [
        "WalletSession",
        "createWallet",
      ]
    `)
  })
  it('@pairline/sdk/qr', () => {
    expect(names(qr)).toMatchInlineSnapshot(`
      [
        "DEFAULT_QR_ERROR_CORRECTION",
        "DEFAULT_QR_MARGIN",
        "toDataUrl",
        "toSvg",
        "toTerminal",
      ]
    `)
  })
  it('@pairline/sdk/storage/file', () => {
    expect(names(file)).toMatchInlineSnapshot(`
      [
        "MAX_FILE_KEY_BYTES",
        "fileStorage",
        "nodeSealedStorage",
      ]
    `)
  })
  it('@pairline/sdk/protocol', () => {
    expect(names(protocol)).toMatchInlineSnapshot(`
      [
        "BLAKE2S",
        "CAIP2",
        "DEFAULT_COUNTER_LIMIT",
        "DEFAULT_GRACE_SECONDS",
        "DEFAULT_PAIRING_TTL_SECONDS",
        "DEFAULT_REKEY_POLICY",
        "FRAME_HEADER_LEN",
        "FrameReceiver",
        "FrameSender",
        "HandshakeState",
        "LABELS",
        "MAX_EPOCH_SKIP",
        "MAX_FRAME_LEN",
        "MAX_FRAME_PLAINTEXT",
        "MAX_HANDSHAKE_PAYLOAD",
        "MIN_FRAME_LEN",
        "MessageType",
        "PATTERNS",
        "REPLAY_WINDOW",
        "ReplayWindow",
        "SAS_DIGITS",
        "SHA256",
        "URI_VERSION",
        "WIRE_VERSION",
        "answerResume",
        "createDappHandshake",
        "decodeHello",
        "decodeProposal",
        "deriveSas",
        "encodeHello",
        "encodePairingUri",
        "encodeProposal",
        "fromBase64Url",
        "generateKeyPair",
        "getRandomSource",
        "isLowOrderPublicKey",
        "keyPairFromPrivate",
        "nextEpochKey",
        "pad",
        "paddedLength",
        "pairingPrologue",
        "pairingTopics",
        "parseFrame",
        "parsePairingUri",
        "peekMessageType",
        "startResume",
        "startWalletHandshake",
        "toBase64Url",
        "unpad",
        "validateMetadata",
        "validateNamespaces",
        "wipe",
        "wipeHandshakeResult",
      ]
    `)
  })
})
