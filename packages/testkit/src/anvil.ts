import { type ChildProcess, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/**
 * A real local chain: anvil from `@foundry-rs/anvil`, as a child process on 127.0.0.1 and a free
 * port. Test and demo helper; not part of any published package.
 */
export type Anvil = { rpcUrl: string; chainId: number; stop(): Promise<void> }

/** anvil's first default dev account (public test key, funded with 10,000 ETH on every anvil). */
export const ANVIL_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
] as const

export function anvilBinary(): string {
  const require = createRequire(import.meta.url)
  const platform = `@foundry-rs/anvil-${process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`
  try {
    return join(dirname(require.resolve(`${platform}/package.json`)), 'bin', 'anvil')
  } catch {
    // pnpm keeps the platform package next to @foundry-rs/anvil, not at the top level
    const main = dirname(require.resolve('@foundry-rs/anvil/package.json'))
    const nested = createRequire(join(main, 'package.json'))
    return join(dirname(nested.resolve(`${platform}/package.json`)), 'bin', 'anvil')
  }
}

export async function startAnvil(options: { chainId?: number } = {}): Promise<Anvil> {
  const chainId = options.chainId ?? 31337
  const child: ChildProcess = spawn(
    anvilBinary(),
    ['--host', '127.0.0.1', '--port', '0', '--chain-id', String(chainId)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`anvil did not start: ${out.slice(-500)}`)), 20_000)
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = /Listening on ([\d.]+:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(`http://${m[1]}`)
      }
    })
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`anvil exited with ${code}: ${out.slice(-500)}`))
    })
  })
  child.stdout?.resume()
  child.stderr?.resume()
  return {
    rpcUrl,
    chainId,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
