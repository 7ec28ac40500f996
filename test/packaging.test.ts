/**
 * The packages as users get them: build, `pnpm pack`, install the tarballs with npm into fresh
 * projects in a temporary directory outside the workspace, import every entry point in Node (ESM)
 * and type-check strictly with `skipLibCheck: false`. publint and attw (esm-only) lint the tarballs.
 * Entry points come from each package.json's `exports` map, so the test follows the packages.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildAndPack, type Manifest, type Packed, packedManifest, ROOT, readJson } from './packaging/pack.js'
import {
  freshProject,
  type Imported,
  importEverySource,
  importInNode,
  type Project,
  typeCheck,
} from './packaging/project.js'
import { run } from './packaging/run.js'

const FIXTURES = join(ROOT, 'test', 'packaging', 'fixtures')
const BIN = join(ROOT, 'node_modules', '.bin')

let work: string
let packed: Packed[]
let walletApp: Project
let dappApp: Project
const pkg = (name: string): Packed => packed.find((p) => p.manifest.name === name)!

/** The exact versions the workspace pins, so the fresh projects match what the tests ran against. */
async function pins(): Promise<Record<string, string>> {
  const root = await readJson<Manifest>(join(ROOT, 'package.json'))
  const sdk = await readJson<Manifest>(join(ROOT, 'packages/sdk/package.json'))
  return { ...sdk.devDependencies, ...root.devDependencies }
}

/** The names each entry point's source exports, loaded in this process (the reference). */
async function sourceNames(p: Packed): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const [key, target] of Object.entries(p.manifest.exports)) {
    const module = (await import(pathToFileURL(join(p.dir, target['@pairline/source']!)).href)) as object
    out[key === '.' ? p.manifest.name : `${p.manifest.name}/${key.slice(2)}`] = Object.keys(module).sort()
  }
  return out
}

const namesOf = (imported: Imported, spec: string): string[] => {
  const r = imported[spec]
  if (!r || !('names' in r)) throw new Error(`${spec} failed to import: ${JSON.stringify(r)}`)
  return r.names
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pairline-pack-'))
  const started = performance.now()
  packed = await buildAndPack(join(work, 'tarballs'))
  const built = performance.now()
  const v = await pins()
  const tarballs = (...names: string[]) => names.map((n) => pkg(n).tarball)
  ;[walletApp, dappApp] = await Promise.all([
    freshProject(join(work, 'wallet-app'), [
      ...tarballs('@pairline/wire', '@pairline/sdk', '@pairline/relay'),
      `viem@${v.viem}`,
      `@wagmi/core@${v['@wagmi/core']}`,
      `typescript@${v.typescript}`,
      `@types/node@${v['@types/node']}`,
    ]),
    freshProject(join(work, 'dapp-app'), [
      ...tarballs('@pairline/wire', '@pairline/sdk'),
      `ethers@${v.ethers}`,
      `typescript@${v.typescript}`,
    ]),
  ])
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  console.info(`build + pack ${secs(built - started)}, npm install ${secs(performance.now() - built)}`)
})

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

describe('the tarballs', () => {
  it('are the three published packages, @pairline/wire before the two that depend on it', () => {
    const names = packed.map((p) => p.manifest.name)
    expect([...names].sort()).toEqual(['@pairline/relay', '@pairline/sdk', '@pairline/wire'])
    expect(names[0]).toBe('@pairline/wire')
  })

  it('hold README, LICENSE (MIT) and the built entry points, and no tests or test helpers', async () => {
    const license = await readFile(join(ROOT, 'LICENSE'), 'utf8')
    for (const p of packed) {
      expect(p.files, p.manifest.name).toEqual(
        expect.arrayContaining(['README.md', 'LICENSE', 'package.json']),
      )
      expect(await readFile(join(p.dir, 'LICENSE'), 'utf8'), p.manifest.name).toBe(license)
      expect(p.manifest.license).toBe('MIT')
      const stray = p.files.filter(
        (f) => !/^(dist|src|bin)\//.test(f) && !/^(README\.md|LICENSE|package\.json)$/.test(f),
      )
      expect(stray, p.manifest.name).toEqual([])
      const testy = p.files.filter((f) => /\.test\.|(^|\/)testing(\/|\.)|testClient|testkit|anvil/i.test(f))
      expect(testy, p.manifest.name).toEqual([])
      for (const [key, target] of Object.entries(p.manifest.exports)) {
        expect(p.files, `${p.manifest.name} ${key}`).toContain(target.types.slice(2))
        expect(p.files, `${p.manifest.name} ${key}`).toContain(target.import.slice(2))
      }
    }
  })

  it('depend on released versions only: no workspace ranges, no testkit, viem an optional peer', async () => {
    for (const p of packed) {
      const m = await packedManifest(p, work)
      const ranges = { ...m.dependencies, ...m.peerDependencies }
      expect(
        Object.values(ranges).filter((r) => r.startsWith('workspace:')),
        m.name,
      ).toEqual([])
      expect(Object.keys(ranges), m.name).not.toContain('@pairline/testkit')
      if (m.name === '@pairline/sdk') {
        expect(m.dependencies?.['@pairline/wire']).toBe(pkg('@pairline/wire').manifest.version)
        expect(m.peerDependenciesMeta?.viem?.optional).toBe(true)
        expect(Object.keys(m.dependencies ?? {})).not.toContain('viem')
      }
    }
  })

  it('pass publint --strict', async () => {
    for (const p of packed) {
      const r = await run(join(BIN, 'publint'), ['run', p.tarball, '--strict'], { cwd: work })
      expect({ code: r.code, out: r.stdout.trim().split('\n').at(-1) }, r.stdout + r.stderr).toEqual({
        code: 0,
        out: 'All good!',
      })
    }
  })

  it('pass attw --profile esm-only: every entry resolves to types and JS for node16 (ESM) and bundlers', async () => {
    for (const p of packed) {
      const args = [p.tarball, '--profile', 'esm-only', '--format', 'json']
      const r = await run(join(BIN, 'attw'), args, { cwd: work })
      expect(r.code, r.stderr).toBe(0)
      const report = JSON.parse(r.stdout) as { problems: Record<string, { resolutionKind?: string }[]> }
      const esmProblems = Object.values(report.problems)
        .flat()
        .filter((x) => x.resolutionKind !== 'node10' && x.resolutionKind !== 'node16-cjs')
      expect(esmProblems, p.manifest.name).toEqual([])
    }
  })
})

describe('a fresh Node project with viem and wagmi: wallet, relay, wagmi app and every entry point', () => {
  it('imports every entry point of every package in Node, with the names their source exports', async () => {
    const specs = packed.flatMap((p) => p.entries)
    const imported = await importInNode(walletApp, specs)
    for (const p of packed) {
      for (const [spec, names] of Object.entries(await sourceNames(p)))
        expect(namesOf(imported, spec), spec).toEqual(names)
    }
    expect(namesOf(imported, '@pairline/sdk/wallet')).toContain('createWallet')
    expect(namesOf(imported, '@pairline/sdk')).toEqual(
      expect.arrayContaining(['createDapp', 'PairlineError']),
    )
    expect(namesOf(imported, '@pairline/relay')).toContain('createRelay')
    expect(namesOf(imported, '@pairline/wire')).toContain('decodeRelayFrame')
  })

  it('type-checks every entry point, a wallet + relay app and a wagmi app strictly, with skipLibCheck: false', async () => {
    const app = await readFile(join(FIXTURES, 'wallet-viem.ts'), 'utf8')
    const wagmiApp = await readFile(join(FIXTURES, 'dapp-wagmi.ts'), 'utf8')
    const r = await typeCheck(
      walletApp,
      {
        'src/entries.ts': importEverySource(packed.flatMap((p) => p.entries)),
        'src/app.ts': app,
        'src/wagmi.ts': wagmiApp,
      },
      ['node'],
    )
    expect({ code: r.code, out: r.stdout.trim() }).toEqual({ code: 0, out: '' })
  })

  it('runs the relay bin (`npx pairline-relay --help`)', async () => {
    const r = await run(join(walletApp.dir, 'node_modules', '.bin', 'pairline-relay'), ['--help'], {
      cwd: walletApp.dir,
    })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Usage: pairline-relay')
  })
})

describe('a fresh dApp project with ethers and without viem', () => {
  // /wallet and /siwe (sign-in verification with viem's SIWE helpers) need viem, a peer
  const needViem = ['@pairline/sdk/wallet', '@pairline/sdk/siwe']
  const viemFree = () => pkg('@pairline/sdk').entries.filter((s) => !needViem.includes(s))
  // /wagmi imports nothing at run time (so it imports here), but its types need @wagmi/core.
  const typedHere = () => viemFree().filter((s) => s !== '@pairline/sdk/wagmi')

  it('has no viem installed (an optional peer is not pulled in)', () => {
    expect(existsSync(join(dappApp.dir, 'node_modules', 'viem'))).toBe(false)
    expect(existsSync(join(dappApp.dir, 'node_modules', 'ethers'))).toBe(true)
  })

  it('imports the root and every entry point but /wallet and /siwe in Node; those name the missing viem', async () => {
    const imported = await importInNode(dappApp, [...viemFree(), ...needViem])
    const source = await sourceNames(pkg('@pairline/sdk'))
    for (const spec of viemFree()) expect(namesOf(imported, spec), spec).toEqual(source[spec])
    expect(namesOf(imported, '@pairline/sdk/dapp')).toContain('createDapp')
    expect(namesOf(imported, '@pairline/sdk/dapp')).not.toContain('createWallet')
    expect(namesOf(imported, '@pairline/sdk')).not.toContain('createWallet')
    const wallet = imported['@pairline/sdk/wallet']
    expect(wallet).toMatchObject({ error: 'ERR_MODULE_NOT_FOUND' })
    expect(wallet && 'message' in wallet ? wallet.message : '').toContain("'viem'")
    const siwe = imported['@pairline/sdk/siwe']
    expect(siwe).toMatchObject({ error: 'ERR_MODULE_NOT_FOUND' })
    expect(siwe && 'message' in siwe ? siwe.message : '').toContain("'viem'")
  })

  it('type-checks the dApp entry points and an ethers app strictly, with skipLibCheck: false', async () => {
    const app = await readFile(join(FIXTURES, 'dapp-ethers.ts'), 'utf8')
    const r = await typeCheck(
      dappApp,
      { 'src/entries.ts': importEverySource(typedHere()), 'src/app.ts': app },
      [],
    )
    expect({ code: r.code, out: r.stdout.trim() }).toEqual({ code: 0, out: '' })
  })
})
