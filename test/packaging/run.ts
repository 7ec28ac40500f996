import { spawn } from 'node:child_process'
import { stripVTControlCharacters } from 'node:util'

export type RunResult = { code: number | null; stdout: string; stderr: string }

/** Runs a command without a shell and collects its output; never rejects on a non-zero exit. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      // Plain output whatever the caller's terminal: CI may set FORCE_COLOR, and the tests read text.
      env: { ...(options.env ?? process.env), FORCE_COLOR: '0', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d
    })
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
    })
    child.once('error', reject)
    child.once('close', (code) =>
      resolve({ code, stdout: stripVTControlCharacters(stdout), stderr: stripVTControlCharacters(stderr) }),
    )
  })
}

/** Like `run`, but a non-zero exit rejects with the command and the tail of its output. */
export async function runOk(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<RunResult> {
  const r = await run(command, args, options)
  if (r.code !== 0) {
    const tail = `${r.stdout}\n${r.stderr}`.trim().slice(-3000)
    throw new Error(`\`${command} ${args.join(' ')}\` in ${options.cwd} exited ${r.code}:\n${tail}`)
  }
  return r
}
