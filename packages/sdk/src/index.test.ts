import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import * as dapp from './dapp/index.js'
import * as sdk from './index.js'
import * as modal from './modal/index.js'
import * as protocol from './protocol/index.js'
import * as qr from './qr/index.js'
import * as siwe from './siwe/index.js'
import * as file from './storage/file.js'
import * as tabs from './tabs/index.js'
import * as wagmi from './wagmi/index.js'
import * as wallet from './wallet/index.js'

const here = dirname(fileURLToPath(import.meta.url))
const pkg = JSON.parse(readFileSync(join(here, '../package.json'), 'utf8')) as {
  dependencies: Record<string, string>
  imports: Record<string, { default: { '@pairline/source': string } }>
}

/**
 * Every bare module specifier reachable from `entry` through relative imports (type imports too)
 * and the package's own `#` imports, followed to their `default` target: what bundlers and browsers
 * resolve (`#primitives`: noble; its `node` target, node:crypto, is tested in protocol/noise/).
 */
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
      else if (spec.startsWith('#')) visit(join(here, '..', pkg.imports[spec]!.default['@pairline/source']))
      else external.add(spec)
    }
  }
  visit(join(here, entry))
  return external
}

/** Every import cycle among the SDK's source files (type-only imports included). */
function cycles(): string[][] {
  const graph = new Map<string, string[]>()
  const visit = (path: string) => {
    if (graph.has(path)) return
    const deps: string[] = []
    graph.set(path, deps)
    for (const m of readFileSync(path, 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/g,
    )) {
      const dep = resolve(dirname(path), (m[1] as string).replace(/\.js$/, '.ts'))
      deps.push(dep)
      visit(dep)
    }
  }
  for (const entry of [
    'index.ts',
    'wallet/index.ts',
    'protocol/index.ts',
    'qr/index.ts',
    'storage/file.ts',
    'wagmi/index.ts',
    'modal/index.ts',
    'tabs/index.ts',
    'siwe/index.ts',
  ])
    visit(join(here, entry))
  const found: string[][] = []
  const stack: string[] = []
  const done = new Set<string>()
  const walk = (path: string) => {
    const at = stack.indexOf(path)
    if (at >= 0) return void found.push(stack.slice(at).map((p) => p.slice(here.length + 1)))
    if (done.has(path)) return
    stack.push(path)
    for (const dep of graph.get(path) ?? []) walk(dep)
    stack.pop()
    done.add(path)
  }
  for (const path of graph.keys()) walk(path)
  return found
}

describe('entry points', () => {
  it('no import cycles in the SDK (the dApp provider and session no longer import each other)', () => {
    expect(cycles()).toEqual([])
  })

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

  it('the wagmi connector imports @wagmi/core for its types only, and nothing of viem', () => {
    const external = [...externalImports('wagmi/index.ts')]
    expect(external.filter((s) => s.startsWith('viem'))).toEqual([])
    expect(external).toContain('@wagmi/core')
    const source = readFileSync(join(here, 'wagmi/connector.ts'), 'utf8')
    expect(source).toMatch(/^import type \{[^}]+\} from '@wagmi\/core'$/m)
    expect(source).not.toMatch(/^import \{[^}]*\} from '@wagmi\/core'/m)
  })

  it('the modal reaches no viem, only the SDK’s dependencies, and loads outside a browser', () => {
    const external = [...externalImports('modal/index.ts')]
    expect(external.filter((s) => s.startsWith('viem') || s.startsWith('@wagmi'))).toEqual([])
    expect(
      external
        .map((s) =>
          s
            .split('/')
            .slice(0, s.startsWith('@') ? 2 : 1)
            .join('/'),
        )
        .filter((p) => !(p in pkg.dependencies)),
    ).toEqual([])
    expect(external).toContain('qrcode')
    modal.defineConnectModal() // a no-op without customElements
    expect(typeof modal.PairlineConnectElement).toBe('function')
  })

  it('no key-returning export: /protocol has no exportSession, its frame ciphers no exportState', () => {
    expect(protocol).not.toHaveProperty('exportSession')
    expect('exportState' in protocol.FrameSender.prototype).toBe(false)
    expect('exportState' in protocol.FrameReceiver.prototype).toBe(false)
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
        "memoryDeviceKey",
        "memoryStorage",
        "sealedStorage",
      ]
    `)
  })
  it('@pairline/sdk/dapp', () => {
    expect(names(dapp)).toMatchInlineSnapshot(`
      [
        "READ_ONLY_METHODS",
        "WALLET_METHODS",
        "createDapp",
      ]
    `)
  })
  it('@pairline/sdk/wallet', () => {
    expect(names(wallet)).toMatchInlineSnapshot(`
      [
        "createWallet",
        "pairingUriFromLink",
        "redirectTarget",
      ]
    `)
  })
  it('@pairline/sdk/siwe', () => {
    expect(names(siwe)).toMatchInlineSnapshot(`
      [
        "siweVerifier",
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
        "fileDeviceKey",
        "fileStorage",
        "nodeSealedStorage",
      ]
    `)
  })
  it('@pairline/sdk/modal', () => {
    expect(names(modal)).toMatchInlineSnapshot(`
      [
        "CONNECT_MODAL_TAG",
        "PairlineConnectElement",
        "connectModal",
        "defineConnectModal",
        "universalLink",
      ]
    `)
  })
  it('@pairline/sdk/tabs', () => {
    expect(names(tabs)).toMatchInlineSnapshot(`
      [
        "createTabDapp",
      ]
    `)
  })
  it('@pairline/sdk/wagmi', () => {
    expect(names(wagmi)).toMatchInlineSnapshot(`
      [
        "pairline",
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
        "FRAME_MIN_PADDED",
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
        "assertProposalFits",
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
        "pairingUriFromLink",
        "parseFrame",
        "parsePairingUri",
        "peekMessageType",
        "redirectTarget",
        "startResume",
        "startWalletHandshake",
        "toBase64Url",
        "universalLink",
        "unpad",
        "validateMetadata",
        "validateNamespaces",
        "wipe",
        "wipeHandshakeResult",
      ]
    `)
  })
})
