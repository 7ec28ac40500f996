/** The real `pairline-relay` CLI in a child process, for tests that need the process itself. */
import { type ChildProcess, spawn } from 'node:child_process'
import { resolve } from 'node:path'

export const REPO_ROOT = resolve(import.meta.dirname, '../../../..')
const BIN = 'packages/relay/src/bin.ts'

export type RelayCli = {
  child: ChildProcess
  stdout: () => string
  stderr: () => string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

const children: ChildProcess[] = []

/** SIGKILLs every CLI started by spawnRelayCli that is still running (afterEach). */
export function killRelayClis(): void {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
}

/** Starts the CLI (its SIGTERM handler calls process.exit); PAIRLINE_RELAY_* from this env are not passed. */
export function spawnRelayCli(args: string[], env: Record<string, string> = {}): RelayCli {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('PAIRLINE_RELAY_')),
  )
  // A free operations port too, unless the test picks one: 8788 may be taken on a shared machine.
  const ops = args.includes('--ops-port') || 'PAIRLINE_RELAY_OPS_PORT' in env ? [] : ['--ops-port', '0']
  const child = spawn(
    process.execPath,
    ['--conditions=@pairline/source', '--import', 'tsx', BIN, ...args, ...ops],
    { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  )
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

/**
 * Resolves with the client URL and the /healthz URL the CLI prints (an event: its stdout), or
 * rejects with what it wrote if it exits first.
 */
export function relayListening(cli: RelayCli): Promise<{ url: string; health: string }> {
  return new Promise((res, rej) => {
    const check = () => {
      const m =
        /listening on (wss?:\/\/127\.0\.0\.1:\d+) {2}\(health: (http:\/\/127\.0\.0\.1:\d+\/healthz)\)\n/.exec(
          cli.stdout(),
        )
      if (m) res({ url: m[1]!, health: m[2]! })
    }
    check()
    cli.child.stdout?.on('data', check)
    void cli.exited.then(({ code }) => rej(new Error(`exited with ${code}: ${cli.stderr()}`)))
  })
}
