import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../errors/codes.js'
import { isPairlineError } from '../errors/is.js'
import { createRelayClient } from './relayClient.js'
import { checkRelayUrl } from './relayUrl.js'

describe('ws:// relays (RELAY_INSECURE)', () => {
  it.each([
    'wss://relay.example',
    'wss://203.0.113.7:443/x',
    'ws://127.0.0.1:8787',
    'ws://127.9.9.9',
    'ws://localhost:1',
    'ws://relay.localhost',
    'ws://[::1]:8787',
  ])('accepts %s', (url) => {
    expect(() => checkRelayUrl(url, false)).not.toThrow()
  })

  it.each([
    'ws://relay.example',
    'ws://203.0.113.7:8787',
    'ws://127.0.0.1.evil.example',
    'ws://localhost.evil.example',
    'ws://[::2]',
    'ws://10.0.0.1',
  ])('refuses %s unless the app opts in', (url) => {
    let err: unknown
    try {
      checkRelayUrl(url, false)
    } catch (e) {
      err = e
    }
    expect(isPairlineError(err, ErrorCode.RelayInsecure)).toBe(true)
    expect((err as Error).message).toBe(
      'The relay URL is unencrypted (ws://) and not on this machine: anyone on the network path could see its topics. Use a wss:// relay, or set allowInsecureRelay for one you trust.\n\n' +
        `Details: host ${new URL(url).host}\nCode: RELAY_INSECURE`,
    )
    expect(() => checkRelayUrl(url, true)).not.toThrow()
  })

  it('createRelayClient refuses at once, before any socket (and the option lets it through)', async () => {
    let sockets = 0
    class Counting {
      binaryType = ''
      readyState = 0
      constructor() {
        sockets++
      }
      send() {}
      close() {}
      addEventListener() {}
    }
    expect(() => createRelayClient({ url: 'ws://relay.example', WebSocket: Counting })).toThrow(
      expect.objectContaining({ code: 'RELAY_INSECURE' }),
    )
    expect(sockets).toBe(0)
    const client = createRelayClient({
      url: 'ws://relay.example',
      WebSocket: Counting,
      allowInsecureRelay: true,
    })
    expect(sockets).toBe(1)
    await client.close()
  })
})
