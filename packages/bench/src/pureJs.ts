/**
 * The parent's side of pureJsChild.ts: a child process started with `--conditions=pairline-pure-js`
 * (the SDK on noble, as browsers run it) beside this one (node:crypto, what the SDK runs in Node),
 * asked for one measurement at a time so rounds still alternate with the floors measured here.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

export type PureJs = {
  /** CPU µs per operation in the child. */
  measure(
    op:
      | 'frameKib'
      | 'seal64'
      | 'nobleKib'
      | 'nobleSeal64'
      | 'nobleSealPadded64'
      | 'core'
      | 'pairing'
      | 'close',
    n: number,
    relayUrl?: string,
  ): Promise<number>
  stop(): Promise<void>
}

export async function startPureJs(): Promise<PureJs> {
  const flags = ['--conditions=@pairline/source', '--conditions=pairline-pure-js', '--import', 'tsx']
  const proc = spawn(process.execPath, [...flags, join(ROOT, 'packages/bench/src/pureJsChild.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const lines = createInterface({ input: proc.stdout })[Symbol.asyncIterator]()
  const next = async (): Promise<{ us?: number; error?: string; library?: unknown }> => {
    for (;;) {
      const r = await lines.next()
      if (r.done) throw new Error('the pure-JS child exited')
      // Anything else the child prints is passed on to stderr.
      if (r.value.startsWith('{'))
        return JSON.parse(r.value) as { us?: number; error?: string; library?: unknown }
      process.stderr.write(`[pure-js] ${r.value}\n`)
    }
  }
  const hello = await next()
  const want = JSON.stringify({ aead: 'noble', x25519: 'noble' })
  if (JSON.stringify(hello.library) !== want)
    throw new Error(`pure-JS child runs ${JSON.stringify(hello.library)}`)
  return {
    async measure(op, n, relayUrl) {
      proc.stdin.write(`${JSON.stringify({ op, n, relayUrl })}\n`)
      const r = await next()
      if (r.error !== undefined || r.us === undefined) throw new Error(`pure-JS child: ${r.error}`)
      return r.us
    },
    async stop() {
      const exited = once(proc, 'exit')
      proc.stdin.end()
      await exited
    },
  }
}
