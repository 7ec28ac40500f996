import { WebSocket as DefaultWebSocket } from 'isows'
import { getRandomSource } from '../protocol/random.js'
import { systemTimers, type Timers } from '../util/timers.js'
import { type Backoff, MAX_TIMER_MS, resolveBackoff } from './backoff.js'
import type { ConnectionConfig } from './connection.js'
import { invalidArgument } from './errors.js'
import { checkRelayUrl } from './relayUrl.js'
import type { RelayClientOptions } from './types.js'

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000
export const DEFAULT_PING_INTERVAL_MS = 20_000

export type ResolvedOptions = ConnectionConfig & {
  backoff: Backoff
  random: () => number
  randomBytes: (length: number) => Uint8Array
  timers: Timers
}

function timerMs(name: string, value: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TIMER_MS) {
    throw invalidArgument(
      `${name} must be a whole number of ms from 1 to ${MAX_TIMER_MS}.`,
      `got ${String(value)}`,
    )
  }
  return value
}

function isFunction(value: unknown): boolean {
  return typeof value === 'function'
}

/** Checks the options and fills in the defaults; INVALID_ARGUMENT at once on anything wrong. */
export function resolveOptions(options: RelayClientOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('Relay client options are required.')
  const { url } = options
  let protocol: string | null = null
  try {
    protocol = typeof url === 'string' ? new URL(url).protocol : null
  } catch {
    protocol = null
  }
  if (protocol !== 'ws:' && protocol !== 'wss:') {
    throw invalidArgument('The relay url must be a ws:// or wss:// URL.', `got ${JSON.stringify(url)}`)
  }
  checkRelayUrl(url, options.allowInsecureRelay === true)
  for (const name of ['WebSocket', 'random', 'randomBytes'] as const) {
    if (options[name] !== undefined && !isFunction(options[name])) {
      throw invalidArgument(`${name} must be a function.`, `got ${typeof options[name]}`)
    }
  }
  return {
    url,
    WebSocket: options.WebSocket ?? DefaultWebSocket,
    requestTimeoutMs: timerMs('requestTimeoutMs', options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS),
    pingIntervalMs: timerMs('pingIntervalMs', options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS),
    backoff: resolveBackoff(options.reconnect),
    random: options.random ?? Math.random,
    randomBytes: options.randomBytes ?? getRandomSource(),
    timers: options.timers ?? systemTimers,
  }
}
