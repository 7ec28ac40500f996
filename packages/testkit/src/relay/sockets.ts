/**
 * Raw TCP sockets for the relay's attack tests (connections that never finish an upgrade) and a
 * throwaway TLS certificate. Real sockets on 127.0.0.0/8, the system's openssl, nothing mocked.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { connect as tcpConnect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Relay } from '@pairline/relay'
import type { RawSocket } from './harness.js'

/**
 * A TCP connection that sends `first` (by default the start of an HTTP upgrade, never finished)
 * and then nothing. `from`: the local address to connect from (any of 127.0.0.0/8 on Linux).
 */
export function halfOpen(
  relay: Relay,
  from = '127.0.0.1',
  first = 'GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\n',
): Promise<RawSocket> {
  const socket = tcpConnect({ port: relay.port, host: relay.host, localAddress: from })
  let received = Buffer.alloc(0)
  socket.on('data', (d: Buffer) => {
    received = Buffer.concat([received, d])
  })
  socket.on('error', () => {})
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.write(first)
      resolve({ socket, received: () => received, ended })
    })
    socket.once('error', reject)
  })
}

export type TestCert = { cert: Buffer; key: Buffer; certPath: string; keyPath: string; remove(): void }

/** A throwaway self-signed P-256 certificate for 127.0.0.1, made by the system's openssl. */
export function selfSignedCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'pairline-relay-tls-'))
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  execFileSync(
    'openssl',
    // biome-ignore format: one flag and its value per line would be harder to read
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyPath, '-out', certPath],
    { stdio: 'ignore' },
  )
  return {
    cert: readFileSync(certPath),
    key: readFileSync(keyPath),
    certPath,
    keyPath,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
