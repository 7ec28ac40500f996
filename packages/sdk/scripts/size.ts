/**
 * Bundle size of what an app imports, minified and gzipped, with every dependency inlined (noble,
 * eventemitter3, isows, viem where used). Run: pnpm --filter @pairline/sdk size
 * Used by size.test.ts to hold the budgets.
 */
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const here = dirname(fileURLToPath(import.meta.url))

export type SizeEntry = { name: string; code: string }

export const ENTRIES: SizeEntry[] = [
  { name: 'dApp: createDapp', code: `export { createDapp } from '@pairline/sdk'` },
  { name: 'wallet: createWallet', code: `export { createWallet } from '@pairline/sdk/wallet'` },
  {
    name: 'protocol core (handshake + frames)',
    code: `export { startWalletHandshake, createDappHandshake, FrameSender, FrameReceiver } from '@pairline/sdk/protocol'`,
  },
  { name: 'wagmi connector: pairline', code: `export { pairline } from '@pairline/sdk/wagmi'` },
  {
    name: 'viem baseline: createWalletClient + custom',
    code: `export { createWalletClient, custom } from 'viem'`,
  },
  {
    name: 'dApp with viem: createDapp + createWalletClient + custom',
    code: `export { createDapp } from '@pairline/sdk'\nexport { createWalletClient, custom } from 'viem'`,
  },
]

export async function measure(entry: SizeEntry): Promise<{ minified: number; gzip: number }> {
  const out = await build({
    stdin: { contents: entry.code, resolveDir: here, loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['@pairline/source'],
    write: false,
    logLevel: 'silent',
  })
  const bytes = out.outputFiles[0]!.contents
  return { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const rows = ['| entry | minified | gzip |', '| --- | ---: | ---: |']
  for (const e of ENTRIES) {
    const m = await measure(e)
    rows.push(`| ${e.name} | ${(m.minified / 1024).toFixed(1)} KiB | ${(m.gzip / 1024).toFixed(1)} KiB |`)
  }
  console.log(rows.join('\n'))
}
