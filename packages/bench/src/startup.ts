/**
 * Start-up row: a cold Node process (plain node, the SDK bundled for Node with esbuild the way an
 * app ships it) from start to an approved session, against a bare `node` start measured in the
 * same rounds. The wallet answering it runs here, warm; the relay in a child.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createWallet } from '@pairline/sdk/wallet'
import { build } from 'esbuild'
import { privateKeyToAccount } from 'viem/accounts'
import { Child } from '../../relay/bench/run.js'
import { absoluteGoal, alternate, median, type Row } from './measure.js'

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const
const here = new URL('.', import.meta.url).pathname

async function bundleSdk(dir: string): Promise<{ file: string; viem: boolean }> {
  const file = join(dir, 'sdk.mjs')
  const out = await build({
    stdin: { contents: `export { createDapp } from '@pairline/sdk'`, resolveDir: here, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    conditions: ['@pairline/source'],
    // ws's optional native add-ons stay out; node's built-ins through a real require
    external: ['bufferutil', 'utf-8-validate'],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    outfile: file,
    metafile: true,
    logLevel: 'silent',
  })
  const viem = Object.keys(out.metafile.inputs).some((p) => /node_modules\/(\.pnpm\/)?viem/.test(p))
  return { file, viem }
}

type Times = { booted: number; imported: number; approved: number }

function coldDapp(sdk: string, relayUrl: string, wallet: ReturnType<typeof createWallet>): Promise<Times> {
  const child = spawn(process.execPath, [join(here, 'startupChild.mjs')], {
    env: { ...process.env, SDK_BUNDLE: sdk, RELAY_URL: relayUrl, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => code !== 0 && reject(new Error(`cold dApp exited with ${code}`)))
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { uri?: string } & Times
      if (msg.uri)
        void wallet
          .pair(msg.uri)
          .then((p) => p.approve())
          .catch(reject)
      else resolve(msg)
    })
  })
}

function bareNode(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'console.log(performance.now())'], {
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve) =>
    createInterface({ input: child.stdout }).once('line', (l) => resolve(Number(l))),
  )
}

export async function startupRows(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pairline-bench-'))
  const relay = new Child('relay', 'startup')
  const wallet = createWallet({
    metadata: { name: 'bench', url: 'https://bench.example' },
    accounts: [privateKeyToAccount(KEY)],
    chains: [1],
  })
  try {
    const [{ file, viem }] = await Promise.all([bundleSdk(dir), relay.ready()])
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}')
    await coldDapp(file, relay.url, wallet) // the disk cache warm, as for an app started twice
    const times: Times[] = []
    const r = await alternate({
      ours: async () => {
        const all: Times[] = []
        for (let i = 0; i < 3; i++) all.push(await coldDapp(file, relay.url, wallet))
        times.push(...all)
        return median(all.map((t) => t.approved))
      },
      floor: async () => {
        const all: number[] = []
        for (let i = 0; i < 3; i++) all.push(await bareNode())
        return median(all)
      },
    })
    const section = 'start-up'
    return [
      absoluteGoal(
        {
          section,
          quantity: 'cold dApp-only Node process to an approved session (loopback relay)',
          unit: 'ms',
          ours: r.ours,
          baselineName: 'bare `node -e` start to its first line',
          baseline: r.floor,
          note: `imports done at ${median(times.map((t) => t.imported)).toFixed(0)} ms (node itself up at ${median(times.map((t) => t.booted)).toFixed(0)} ms); viem ${viem ? 'IS' : 'is not'} in the dApp's bundle`,
        },
        250,
      ),
    ]
  } finally {
    await Promise.all([wallet.close(), relay.stop()])
    rmSync(dir, { recursive: true, force: true })
  }
}
