import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  httpGet,
  killRelayClis,
  REPO_ROOT,
  randomId,
  randomTopic,
  relayListening,
  spawnRelayCli,
  TestClient,
} from '@pairline/testkit/relay'
import { encodePublish } from '@pairline/wire'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { main } from './cli.js'
import { RelayFailure } from './errors.js'
import { DEFAULT_LIMITS, limitEnvName, limitFlagName, type RelayLimits } from './limits.js'

const clients: TestClient[] = []
afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate()
  killRelayClis()
})

describe('pairline-relay (child process)', () => {
  it('starts on --port 0, prints its URL, honours flags over env and env over defaults, exits 0 on SIGTERM', async () => {
    const cli = spawnRelayCli(['--port', '0', '--max-frame-bytes', '1024'], {
      PAIRLINE_RELAY_MAX_FRAME_BYTES: '65536', // the flag wins
      PAIRLINE_RELAY_MAX_TOPICS_PER_CONNECTION: '2', // no flag: the env variable is used
    })
    const { url, health } = await relayListening(cli)
    expect(url).not.toBe('ws://127.0.0.1:0')
    expect(health).not.toBe(`http://${url.slice(5)}/healthz`) // its own listener
    expect(await httpGet(health)).toMatchObject({ status: 200, body: 'ok\n' })
    expect(await httpGet(`http://${url.slice(5)}/metrics`)).toMatchObject({ status: 426 })

    const c = await TestClient.connect(url)
    clients.push(c)
    expect(await c.subscribe([randomTopic(), randomTopic()])).toBe('OK')
    expect(await c.subscribe([randomTopic()])).toBe('TOO_MANY_TOPICS')
    const bigger = await TestClient.connect(url)
    clients.push(bigger)
    expect(await c.publish(randomTopic(), randomId(), 60, new Uint8Array(1024 - 57))).toBe('OK')
    bigger.raw(encodePublish(1, randomTopic(), randomId(), 60, new Uint8Array(1025 - 57)))
    expect((await bigger.closed).code).toBe(1009)

    cli.child.kill('SIGTERM')
    expect((await c.nextError()).name).toBe('SHUTTING_DOWN')
    expect((await c.closed).code).toBe(1012)
    expect(await cli.exited).toEqual({ code: 0, signal: null })
    expect(cli.stderr()).toMatch(/info relay listening host=127\.0\.0\.1 port=\d+\n/)
    expect(cli.stderr()).toMatch(/info shutting down signal=SIGTERM\n[^\n]*info relay stopped\n/)
  })

  it('takes its port from PAIRLINE_RELAY_PORT', async () => {
    const cli = spawnRelayCli([], { PAIRLINE_RELAY_PORT: '0', PAIRLINE_RELAY_OPS_PORT: '0' })
    const { health } = await relayListening(cli)
    expect(await httpGet(health)).toMatchObject({ status: 200 })
    cli.child.kill('SIGINT')
    expect(await cli.exited).toEqual({ code: 0, signal: null })
  })

  it('exits 2 with a clear message on a bad flag value', async () => {
    const cli = spawnRelayCli(['--port', '0', '--max-frame-bytes', 'big'])
    expect(await cli.exited).toEqual({ code: 2, signal: null })
    expect(cli.stderr()).toBe(
      'pairline-relay: --max-frame-bytes must be a non-negative integer, got "big" [RELAY_INVALID_OPTION]\n',
    )
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
    [['--tls-cert', 'x.pem'], /^--tls-cert and --tls-key go together\.$/],
  ])('%j is refused', async (argv, message) => {
    await expect(main(argv, {})).rejects.toThrow(message)
  })

  it('says which code: RELAY_INVALID_OPTION, RELAY_INVALID_LIMIT, RELAY_TLS_FAILED', async () => {
    await expect(main(['--port', 'x'], {})).rejects.toMatchObject({
      name: 'RelayError',
      code: 'RELAY_INVALID_OPTION',
    })
    await expect(main(['--max-frame-bytes', '0'], {})).rejects.toMatchObject({ code: 'RELAY_INVALID_LIMIT' })
    await expect(
      main(['--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], {}),
    ).rejects.toMatchObject({
      code: 'RELAY_TLS_FAILED',
      message: '--tls-cert cannot be read. (/nonexistent/cert.pem: ENOENT)',
    })
    await expect(main(['--trusted-proxies', '10.0.0.0/8,nonsense', '--port', '0'], {})).rejects.toMatchObject(
      {
        code: 'RELAY_INVALID_OPTION',
        message: 'A trusted proxy must be an IP address or a CIDR range. (got "nonsense")',
      },
    )
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

  it('--help names every environment variable the CLI reads', async () => {
    const source = readFileSync(resolve(REPO_ROOT, 'packages/relay/src/cli.ts'), 'utf8')
    const read = new Set([...source.matchAll(/\bPAIRLINE_RELAY_(?!\$)[A-Z_]+/g)].map((m) => m[0]))
    expect(read.size).toBeGreaterThanOrEqual(10)
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true)
    try {
      await main(['--help'], {})
      const help = write.mock.calls.map((c) => String(c[0])).join('')
      expect([...read].filter((name) => !new RegExp(`\\benv ${name}\\n`).test(help))).toEqual([])
    } finally {
      write.mockRestore()
    }
  })
})

describe('docs', () => {
  const doc = readFileSync(resolve(REPO_ROOT, 'docs/PROTOCOL.md'), 'utf8')
  const section = (from: string, to: string) => doc.slice(doc.indexOf(from), doc.indexOf(to))

  it('every limit is in the one limits table of PROTOCOL.md §13.5', () => {
    const table = section('### 13.5', '**Fair storage.**')
    const missing = (Object.keys(DEFAULT_LIMITS) as (keyof RelayLimits)[]).filter(
      (k) => !table.includes(`\`${limitFlagName(k)}`) && !table.includes(`, \`${limitFlagName(k)}\``),
    )
    expect(missing).toEqual([])
  })

  it('every RelayError code is in the table of PROTOCOL.md §13.6', () => {
    const table = section('### 13.6', '### 13.7')
    expect(Object.values(RelayFailure).filter((c) => !table.includes(`| \`${c}\` |`))).toEqual([])
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
