/**
 * Key and channel names. Every key of a topic carries the hash tag `{<topic hex>}` (Redis Cluster
 * hashes only what is between the first `{` and `}`), so all of a topic lives in one slot.
 */
export type TopicKeys = { q: string; m: string; s: string; channel: string }

export const DEFAULT_PREFIX = 'pairline:'

/** A prefix must not contain braces: the first `{…}` of a key is its hash tag. */
export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9:_.-]{0,64}$/.test(prefix)) {
    throw new RangeError(
      `The Redis key prefix may use letters, digits and ":_.-" only, up to 64 (got ${JSON.stringify(prefix)}).`,
    )
  }
  return prefix
}

/** `topicKey` is the relay's 32-char latin1 key of a topic. */
export function topicKeys(prefix: string, topicKey: string): TopicKeys {
  const base = `${prefix}{${Buffer.from(topicKey, 'latin1').toString('hex')}}:`
  return { q: `${base}q`, m: `${base}m`, s: `${base}s`, channel: `${base}c` }
}

/** The shard channel on which other nodes tell this one that a message it stored was acked. */
export function nodeChannel(prefix: string, nodeId: string): string {
  return `${prefix}{node.${nodeId}}:released`
}

/** The epoch key of one Redis (or Cluster master), `tag` being a hash tag in one of its slots. */
export function epochKey(prefix: string, tag: string): string {
  return `${prefix}{${tag}}:epoch`
}
