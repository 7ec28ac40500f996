/**
 * The shared Redis the relay's Redis tests use (REDIS_URL, default 127.0.0.1:6379). When REDIS_URL
 * is unset and nothing answers on 6379, the test run starts a redis-server of its own there (no
 * persistence) and stops it when the run ends.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { connect } from 'node:net'

export const DEFAULT_REDIS = { host: '127.0.0.1', port: 6379 }

/** True when a Redis answers PING at host:port. */
export function answersPing(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host)
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(2000, () => done(false))
    socket.once('error', () => done(false))
    socket.once('connect', () => socket.write('PING\r\n'))
    socket.on('data', (d: Buffer) => {
      reply += d.toString('latin1')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
  })
}

/** Starts redis-server in the foreground as our child; resolves once it accepts connections. */
export function startRedisServer(port: number, dir: string): Promise<ChildProcess> {
  const args = [
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d
      if (out.includes('Ready to accept connections')) resolve(child)
    })
    child.stderr.resume()
    child.once('error', (err) => reject(new Error(`could not start redis-server: ${err.message}`)))
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)))
  })
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
}
