/**
 * Every ```ts snippet of the READMEs type-checks as written, against the packages' source, with
 * the workspace's strict options (they include what TypeScript 5.9's `tsc --init` turns on:
 * `strict`, `noUncheckedIndexedAccess`, `exactOptionalPropertyTypes`). What a snippet leaves to the
 * app (`showQr`, `askUser`, `account`, …) is declared once in APP below, with the type the README
 * implies; a snippet that declares the same name itself shadows it. Each snippet is its own module.
 * A failure names the README file and line.
 */
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { ROOT } from './packaging/pack.js'

const READMES = ['README.md', 'packages/sdk/README.md', 'packages/relay/README.md', 'packages/wire/README.md']

/** The app's own parts that the snippets call but do not define. */
const APP = `
import type { WalletSession } from '@pairline/sdk/wallet'
import type { Account } from 'viem'
declare global {
  function showQr(qr: string): void
  function showCode(code: string): void
  function askUser(question: unknown): Promise<boolean>
  function show(...what: unknown[]): void
  function use(provider: unknown): void
  function fetchNonce(): Promise<string>
  function handle(topic: Uint8Array, id: Uint8Array, payload: Uint8Array): void
  const account: Account
  const key: \`0x\${string}\`
  const scannedUri: string
  const connectButton: HTMLButtonElement
  const relayUrl: string
  const metadata: { name: string; url: string }
  const rpcUrl: string
  const session: WalletSession
  const topic: Uint8Array
  const messageId: Uint8Array
  const ciphertext: Uint8Array
  const bytesFromRelay: Uint8Array
}
export {}
`

type Snippet = { readme: string; line: number; file: string; code: string }

function snippets(): Snippet[] {
  const out: Snippet[] = []
  for (const readme of READMES) {
    const lines = readFileSync(join(ROOT, readme), 'utf8').split('\n')
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== '```ts') continue
      const end = lines.indexOf('```', i + 1)
      // In packages/sdk, so that `@pairline/sdk` (its own name), viem, ethers and @wagmi/core resolve.
      const file = join(ROOT, 'packages/sdk/__readme__', `${readme.replace(/[/.]/g, '_')}_${i + 2}.ts`)
      out.push({ readme, line: i + 2, file, code: `${lines.slice(i + 1, end).join('\n')}\nexport {}\n` })
      i = end
    }
  }
  return out
}

function typeErrors(all: Snippet[]): string[] {
  const base = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.base.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  if (!base) throw new Error('tsconfig.base.json did not parse')
  const app = join(ROOT, 'packages/sdk/__readme__/app.d.ts')
  const virtual = new Map<string, string>([[app, APP], ...all.map((s) => [s.file, s.code] as const)])
  const host = ts.createCompilerHost({ ...base.options, noEmit: true })
  const { fileExists, readFile, getSourceFile } = host
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f)
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f)
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f)
    return text === undefined
      ? getSourceFile.call(host, f, lang, ...rest)
      : ts.createSourceFile(f, text, lang)
  }
  const program = ts.createProgram([app, ...all.map((s) => s.file)], { ...base.options, noEmit: true }, host)
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, ' ')
    const s = all.find((x) => x.file === d.file?.fileName)
    if (!s || d.start === undefined)
      return `${d.file ? relative(ROOT, d.file.fileName) : ''} TS${d.code}: ${text}`
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start)
    return `${s.readme}:${s.line + line} TS${d.code}: ${text}`
  })
}

describe('README snippets', () => {
  const all = snippets()

  it('are found in every README that has TypeScript', () => {
    expect(new Set(all.map((s) => s.readme))).toEqual(new Set(READMES))
    expect(all.length).toBeGreaterThanOrEqual(13)
  })

  it('type-check as written, strictly, against the source', { timeout: 120_000 }, () => {
    expect(typeErrors(all)).toEqual([])
  })
})

describe('entry-point tables', () => {
  const exports = Object.keys(
    (JSON.parse(readFileSync(join(ROOT, 'packages/sdk/package.json'), 'utf8')) as { exports: object })
      .exports,
  ).map((k) => (k === '.' ? '@pairline/sdk' : `@pairline/sdk/${k.slice(2)}`))

  it.each(['README.md', 'packages/sdk/README.md'])(
    '%s lists every entry point of @pairline/sdk',
    (readme) => {
      const text = readFileSync(join(ROOT, readme), 'utf8')
      const rows = new Set([...text.matchAll(/^\| `(@pairline\/sdk[^`]*)` \|/gm)].map((m) => m[1]))
      expect(exports.filter((e) => !rows.has(e))).toEqual([])
    },
  )
})
