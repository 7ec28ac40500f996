import { wipe } from '../protocol/bytes.js'
import type { Storage } from '../storage/types.js'
import { decodeRecord } from './record.js'

/**
 * The stored sessions under `prefix` that are still worth restoring: expired ones are deleted,
 * ones already live in this process are skipped. The caller owns (and wipes) each `secret`.
 */
export async function* storedSessions<T extends { expiresAt: number; channel: { sessionId: string } }>(
  storage: Storage,
  prefix: string,
  nowSeconds: number,
  isLive: (sessionId: string) => boolean,
): AsyncGenerator<{ json: T; secret: Uint8Array }> {
  for (const key of await storage.keys(prefix)) {
    const bytes = await storage.get(key)
    if (!bytes) continue
    let record: { json: T; secret: Uint8Array }
    try {
      record = decodeRecord<T>(bytes)
    } finally {
      wipe(bytes) // it holds the resume psk; `record.secret` is a copy the caller wipes
    }
    const expired = record.json.expiresAt <= nowSeconds
    if (expired || isLive(record.json.channel.sessionId)) {
      if (expired) await storage.delete(key)
      wipe(record.secret)
      continue
    }
    yield record
  }
}
