import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RelayError, RelayFailure } from './errors.js'

/**
 * The operations listener: GET /healthz and GET /metrics, on their own address and port
 * (127.0.0.1 by default), never on the client port: metrics tell an attacker what the relay is
 * short of, and an operator's scraper is the only client they are for.
 */
export type OpsServer = { readonly url: string; close(): Promise<void> }

export async function startOps(
  host: string,
  port: number,
  health: () => { ok: boolean; text: string },
  metrics: () => string,
): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/healthz') {
      const h = health()
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'text/plain' }).end(`${h.text}\n`)
    } else if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics())
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
    }
  })
  server.on('clientError', (_err, socket) => socket.destroy())
  await listenOn(server, host, port, 'operations')
  const bound = (server.address() as AddressInfo).port
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** server.listen() as a promise; RELAY_LISTEN_FAILED (with the system code) when it cannot bind. */
export function listenOn(
  server: import('node:net').Server,
  host: string,
  port: number,
  what: string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (err: Error & { code?: string }) =>
      reject(
        new RelayError(RelayFailure.ListenFailed, `The ${what} listener could not bind ${host}:${port}.`, {
          details: err.code ?? err.message,
          cause: err,
        }),
      )
    server.once('error', fail)
    server.listen(port, host, () => {
      server.off('error', fail)
      resolve()
    })
  })
}
