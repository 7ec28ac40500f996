/**
 * Relay nodes as real child processes (the CLI, `pairline-relay --redis …`), and a WebSocket that
 * plays the load balancer in front of them: the SDK takes one relay URL, and this constructor,
 * passed as its `WebSocket` option, opens each new connection to whichever node is picked then.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { WebSocket } from 'ws'

const ROOT = resolve(import.meta.dirname, '../../..')
const BIN = 'packages/relay/src/bin.ts'

export type RelayNode = {
  readonly url: string
  readonly child: ChildProcess
  /** What it wrote to stderr so far (its log). */
  log(): string
  /** `/metrics` value of one metric (no labels), or undefined. */
  metric(name: string): Promise<number | undefined>
  /** SIGKILL: no goodbye to clients, nothing flushed. Resolves once it has exited. */
  kill(): Promise<void>
}

const running = new Set<ChildProcess>()

/** Starts `pairline-relay --port 0 …args` and resolves with its URL once it listens. */
export async function startRelayNode(args: readonly string[]): Promise<RelayNode> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PAIRLINE_RELAY_')),
  )
  const child = spawn(
    process.execPath,
    // --ops-port 0: each node's /healthz and /metrics listener on a free port too
    ['--conditions=@pairline/source', '--import', 'tsx', BIN, '--port', '0', '--ops-port', '0', ...args],
    {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  running.add(child)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  void exited.then(() => running.delete(child))
  let out = ''
  let err = ''
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d
  })
  const [url, ops] = await new Promise<[string, string]>((res, rej) => {
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      out += d
      const m =
        /listening on (ws:\/\/127\.0\.0\.1:\d+) {2}\(health: (http:\/\/127\.0\.0\.1:\d+)\/healthz\)/.exec(out)
      if (m) res([m[1] as string, m[2] as string])
    })
    void exited.then(() => rej(new Error(`relay node exited before listening: ${err.slice(-800)}`)))
  })
  return {
    url,
    child,
    log: () => err,
    async metric(name) {
      const text = await (await fetch(`${ops}/metrics`)).text()
      const line = text.split('\n').find((l) => l.startsWith(`${name} `))
      return line === undefined ? undefined : Number(line.slice(name.length + 1))
    },
    async kill() {
      child.kill('SIGKILL')
      await exited
    },
  }
}

/** SIGKILLs every relay node still running (afterEach / afterAll). */
export async function killRelayNodes(): Promise<void> {
  await Promise.all(
    [...running].map((c) => {
      const done = new Promise<void>((r) => c.once('exit', () => r()))
      c.kill('SIGKILL')
      return done
    }),
  )
}

/** Counts of relay frames seen by one routed client (PROTOCOL.md §13.2, §13.3 op bytes). */
export type FrameCounts = { publishes: number; messages: number; errors: number; connections: number }

/**
 * A WebSocket class for the SDK's `WebSocket` option: every connection goes to `pick()` (the load
 * balancer's choice), whatever URL the SDK asked for, and its frames are counted.
 */
export function routedWebSocket(
  pick: () => string,
  counts: FrameCounts,
): new (
  url: string,
  protocols?: string[],
) => WebSocket {
  return class RoutedWebSocket extends WebSocket {
    constructor(_url: string, protocols?: string[]) {
      super(pick(), protocols)
      counts.connections++
      this.on('message', (data: Buffer | ArrayBuffer) => {
        // The SDK asks for ArrayBuffers (binaryType), ws would give Buffers otherwise.
        const op = data instanceof ArrayBuffer ? new Uint8Array(data)[0] : data[0]
        if (op === 0x83) counts.messages++
        if (op === 0x82) counts.errors++
      })
    }
    override send(data: Parameters<WebSocket['send']>[0]): void {
      if ((data as Uint8Array)[0] === 0x03) counts.publishes++
      super.send(data)
    }
  }
}

export const frameCounts = (): FrameCounts => ({ publishes: 0, messages: 0, errors: 0, connections: 0 })
