import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { httpGet, randomId, randomTopic, TestClient } from '@pairline/testkit/relay'
import { encodePublish } from '@pairline/wire'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from './cli.js'
import { DEFAULT_LIMITS, limitEnvName, limitFlagName, type RelayLimits } from './limits.js'

const ROOT = resolve(import.meta.dirname, '../../..')
const BIN = 'packages/relay/src/bin.ts'

type Cli = {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const children: ChildProcess[] = []
const clients: TestClient[] = []
afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate()
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
})

/** The real CLI in a child process (its SIGTERM handler calls process.exit). */
function spawnCli(args: string[], env: Record<string, string> = {}): Cli {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PAIRLINE_RELAY_')),
  )
  const child = spawn(process.execPath, ['--conditions=@pairline/source', '--import', 'tsx', BIN, ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  let err = ''
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d
  })
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) =>
    child.once('exit', (code, signal) => res({ code, signal })),
  )
  return { child, stdout: () => out, stderr: () => err, exited }
}

/** Resolves with the ws:// URL the CLI prints, or rejects with what it wrote if it exits first. */
function listening(cli: Cli, timeoutMs = 10_000): Promise<string> {
  return new Promise((res, rej) => {
    const timer = setTimeout(
      () => rej(new Error(`no URL within ${timeoutMs} ms: ${cli.stderr()}`)),
      timeoutMs,
    )
    const check = () => {
      const m =
        /listening on (ws:\/\/127\.0\.0\.1:\d+) {2}\(health: (http:\/\/127\.0\.0\.1:\d+\/healthz)\)\n/.exec(
          cli.stdout(),
        )
      if (!m) return
      clearTimeout(timer)
      expect(m[2]).toBe(`http://${m[1]!.slice(5)}/healthz`)
      res(m[1]!)
    }
    cli.child.stdout?.on('data', check)
    void cli.exited.then(({ code }) => {
      clearTimeout(timer)
      rej(new Error(`exited with ${code}: ${cli.stderr()}`))
    })
  })
}

describe('pairline-relay (child process)', () => {
  it('starts on --port 0, prints its URL, honours flags over env and env over defaults, exits 0 on SIGTERM', async () => {
    const cli = spawnCli(['--port', '0', '--max-frame-bytes', '1024'], {
      PAIRLINE_RELAY_MAX_FRAME_BYTES: '65536', // the flag wins
      PAIRLINE_RELAY_MAX_TOPICS_PER_CONNECTION: '2', // no flag: the env variable is used
    })
    const url = await listening(cli)
    expect(url).not.toBe('ws://127.0.0.1:0')
    expect(await httpGet(`http://${url.slice(5)}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' })

    const c = await TestClient.connect(url)
    clients.push(c)
    expect(await c.subscribe([randomTopic(), randomTopic()])).toBe('OK')
    expect(await c.subscribe([randomTopic()])).toBe('TOO_MANY_TOPICS')
    const bigger = await TestClient.connect(url)
    clients.push(bigger)
    expect(await c.publish(randomTopic(), randomId(), 60, new Uint8Array(1024 - 57))).toBe('OK')
    bigger.raw(encodePublish(1, randomTopic(), randomId(), 60, new Uint8Array(1025 - 57)))
    expect((await bigger.closed).code).toBe(1009)

    const started = Date.now()
    cli.child.kill('SIGTERM')
    expect((await c.nextError()).name).toBe('SHUTTING_DOWN')
    expect((await c.closed).code).toBe(1012)
    expect(await cli.exited).toEqual({ code: 0, signal: null })
    expect(Date.now() - started).toBeLessThan(5000)
    expect(cli.stderr()).toMatch(/info relay listening host=127\.0\.0\.1 port=\d+\n/)
    expect(cli.stderr()).toMatch(/info shutting down signal=SIGTERM\n[^\n]*info relay stopped\n/)
  })

  it('takes its port from PAIRLINE_RELAY_PORT', async () => {
    const cli = spawnCli([], { PAIRLINE_RELAY_PORT: '0' })
    const url = await listening(cli)
    expect(await httpGet(`http://${url.slice(5)}/healthz`)).toMatchObject({ status: 200 })
    cli.child.kill('SIGINT')
    expect(await cli.exited).toEqual({ code: 0, signal: null })
  })

  it('exits 2 with a clear message on a bad flag value', async () => {
    const cli = spawnCli(['--port', '0', '--max-frame-bytes', 'big'])
    expect(await cli.exited).toEqual({ code: 2, signal: null })
    expect(cli.stderr()).toBe('pairline-relay: --max-frame-bytes must be a non-negative integer, got "big"\n')
    expect(cli.stdout()).toBe('')
  })
})

describe('main() argument checks (in process: these fail before any relay starts)', () => {
  it.each([
    [['--max-frame-bytes', 'abc'], /^--max-frame-bytes must be a non-negative integer, got "abc"$/],
    [['--port', '1.5'], /^--port must be a non-negative integer, got "1\.5"$/],
    [['--port', ''], /^--port must be a non-negative integer, got ""$/],
    [['--publish-rate', '0x10'], /^--publish-rate must be a non-negative integer, got "0x10"$/],
    [['--frame-rate', '1e3'], /^--frame-rate must be a non-negative integer, got "1e3"$/],
    [['--max-connections', ' 5'], /^--max-connections must be a non-negative integer, got " 5"$/],
    [['--max-frame-bytes', '0'], /^Relay limit maxFrameBytes must be a positive integer \(got 0\)\.$/],
    [['--nope'], /Unknown option '--nope'/],
    [['--port'], /argument missing/],
    [['--port', '-1'], /ambiguous/],
    [['--redis', 'localhost:6379'], /^--redis must be a redis:\/\/ or rediss:\/\/ URL$/],
    [['--redis', 'redis://a', '--redis-cluster', 'b:1'], /^--redis and --redis-cluster exclude each other$/],
    [['--redis-cluster', 'b'], /^A Redis Cluster node is host:port \(got "b"\)\.$/],
    [['--redis', 'redis://a', '--redis-prefix', '{x}'], /^The Redis key prefix may use letters/],
  ])('%j is refused', async (argv, message) => {
    await expect(main(argv, {})).rejects.toThrow(message)
  })

  it.each([
    [{ PAIRLINE_RELAY_MAX_TOPICS_PER_CONNECTION: 'lots' }, /--max-topics-per-connection .* got "lots"/],
    [{ PAIRLINE_RELAY_PORT: '' }, /^--port must be a non-negative integer, got ""$/],
    [{ PAIRLINE_RELAY_PORT: 'http' }, /^--port must be a non-negative integer, got "http"$/],
  ])('env %j is refused', async (env, message) => {
    await expect(main([], env)).rejects.toThrow(message)
  })

  it('--help lists every limit with its flag, env variable and default', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await main(['--help'], {})
      const help = write.mock.calls.map((c) => String(c[0])).join('')
      expect(help).toMatch(/^pairline-relay: run a Pairline relay\n/)
      for (const k of Object.keys(DEFAULT_LIMITS) as (keyof RelayLimits)[]) {
        expect(help).toMatch(new RegExp(`${limitFlagName(k)} +${limitEnvName(k)} +${DEFAULT_LIMITS[k]}\\n`))
      }
    } finally {
      write.mockRestore()
    }
  })
})

describe('limit names', () => {
  it('maps each limit to its documented flag and environment variable', () => {
    expect(limitFlagName('maxTopicsPerConnection')).toBe('--max-topics-per-connection')
    expect(limitEnvName('maxTopicsPerConnection')).toBe('PAIRLINE_RELAY_MAX_TOPICS_PER_CONNECTION')
    expect(limitEnvName('maxTtlSeconds')).toBe('PAIRLINE_RELAY_MAX_TTL_SECONDS')
    expect(limitFlagName('heartbeatIntervalMs')).toBe('--heartbeat-interval-ms')
  })
})
