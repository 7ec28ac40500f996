import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))

type Run = { code: number | null; signal: NodeJS.Signals | null; output: string; ms: number }

const HANG_MS = 240_000

/**
 * Runs the real demo as `pnpm demo` does, in a child process, and collects everything it prints.
 * `timeoutMs` only stops a hang: loading the demo's code alone takes many seconds on a loaded
 * machine, so it is generous and never a measure of speed.
 */
function runDemo(args: string[], timeoutMs = HANG_MS): Promise<Run> {
  const started = performance.now()
  const child = spawn(
    process.execPath,
    ['--conditions=@pairline/source', '--import', 'tsx', 'examples/demo/src/demo.ts', ...args],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`the demo did not exit within ${timeoutMs} ms:\n${output}`))
    }, timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, output, ms: performance.now() - started })
    })
  })
}

describe.concurrent('pnpm demo', () => {
  it(
    'pairs, signs, sends, switches chain and disconnects, every step verified',
    async () => {
      const run = await runDemo([])
      expect(run.output).toContain(
        'demo.pairline.example wants you to sign in with your Ethereum account:\n    0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266\n',
      )
      expect(run.output).toContain(
        '✓ signed in as 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 on chain 31337 (EIP-4361, verified)',
      )
      expect(run.output).toContain('✓ signature verified')
      expect(run.output).toContain('✓ typed data verified')
      expect(run.output).toContain('✓ transaction mined')
      expect(run.output).toContain('✓ chain switched to 31338')
      expect(run.output).toContain('✓ disconnected')
      expect(run.output).toContain('(self-declared, unverified)')
      expect(run.output).toMatch(/wallet code (\d{3} \d{3})[\s\S]*dApp {3}code \1/)
      expect(run.output).toContain('All 6 steps verified')
      expect(run.output).not.toContain('✗')
      // CI logs: no colours and no cursor movement when stdout is not a terminal.
      expect(run.output).not.toContain('\x1b[')
      expect({ code: run.code, signal: run.signal }, run.output).toEqual({ code: 0, signal: null })
    },
    HANG_MS + 10_000,
  )

  it(
    'gives up on a relay that does not answer, with exit code 1 and a hint',
    async () => {
      const run = await runDemo(['--relay', 'ws://127.0.0.1:1'])
      expect(run.code, run.output).toBe(1)
      expect(run.output).toContain('could not connect to the relay at ws://127.0.0.1:1')
      expect(run.output).toMatch(/hint: is a relay running there, and is port 1 reachable\?/)
      expect(run.output).toContain('not run')
      // It tries for ~8 s once the code is loaded, then stops the chains and exits. Only the lower
      // bound is asserted: a loaded machine makes it later, never sooner (no wall-clock upper bound).
      const [, total, loading] =
        /total\s+(\d+) ms\s+since the process started \((\d+) ms/.exec(run.output) ?? []
      expect(Number(total) - Number(loading)).toBeGreaterThan(7_000)
    },
    HANG_MS + 10_000,
  )

  it(
    'explains its options; a bad one is exit code 2',
    async () => {
      const [help, bad] = await Promise.all([runDemo(['--', '--help']), runDemo(['--relay', 'http://x'])])
      expect(help.code).toBe(0)
      expect(help.output).toContain('--interactive')
      expect(bad.code).toBe(2)
      expect(bad.output).toContain('--relay must be a ws:// or wss:// URL')
    },
    HANG_MS + 10_000,
  )
})
