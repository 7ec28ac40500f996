import { MESSAGE_ID_LEN } from '@pairline/wire'
import { invalidArgument } from './errors.js'
import { parseTopic } from './topic.js'
import type { PublishOptions } from './types.js'

export const DEFAULT_TTL_SECONDS = 86_400
const MAX_TTL_SECONDS = 0xffff_ffff

/** Checks a publish's arguments (INVALID_ARGUMENT at once) and copies the buffers it keeps. */
export function publishArgs(
  topic: unknown,
  payload: unknown,
  opts: PublishOptions,
  randomBytes: (n: number) => Uint8Array,
): { topic: Uint8Array; id: Uint8Array; ttl: number; payload: Uint8Array } {
  const { bytes } = parseTopic(topic)
  if (!(payload instanceof Uint8Array) || payload.length === 0) {
    throw invalidArgument('A payload must be a non-empty Uint8Array.')
  }
  const ttl = opts.ttlSeconds ?? DEFAULT_TTL_SECONDS
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
    throw invalidArgument('ttlSeconds must be a whole number of seconds from 1.', `got ${String(ttl)}`)
  }
  const id = (opts.id ?? randomBytes(MESSAGE_ID_LEN)) as unknown
  checkMessageId(id)
  // Copies: the request may be sent again later, whatever the caller does with its buffers.
  return { topic: bytes, id: id.slice(), ttl, payload: payload.slice() }
}

export function checkMessageId(id: unknown): asserts id is Uint8Array {
  if (!(id instanceof Uint8Array) || id.length !== MESSAGE_ID_LEN) {
    throw invalidArgument(`A message id must be a Uint8Array of ${MESSAGE_ID_LEN} bytes.`)
  }
}
