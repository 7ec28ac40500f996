import { TOPIC_LEN } from '@pairline/wire'
import { fromBase64Url } from '../protocol/bytes.js'
import type { Topic } from '../protocol/topics.js'
import { invalidArgument } from './errors.js'

/** A topic with its 32 bytes, decoded once at the API boundary. */
export type ParsedTopic = { topic: Topic; bytes: Uint8Array }

/** INVALID_ARGUMENT unless `topic` is the canonical base64url of 32 bytes. */
export function parseTopic(topic: unknown): ParsedTopic {
  const bytes = typeof topic === 'string' ? fromBase64Url(topic) : null
  if (bytes === null || bytes.length !== TOPIC_LEN) {
    const got = typeof topic === 'string' ? `${topic.length} characters` : typeof topic
    throw invalidArgument('A topic must be 32 bytes in base64url (43 characters).', `got ${got}`)
  }
  return { topic: topic as Topic, bytes }
}

/** Parses a list of topics, dropping repeats. */
export function parseTopics(topics: unknown): ParsedTopic[] {
  if (!Array.isArray(topics)) throw invalidArgument('Topics must be an array.', `got ${typeof topics}`)
  const seen = new Set<Topic>()
  const out: ParsedTopic[] = []
  for (const t of topics) {
    const parsed = parseTopic(t)
    if (seen.has(parsed.topic)) continue
    seen.add(parsed.topic)
    out.push(parsed)
  }
  return out
}

/** Splits `items` into runs of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}
