/**
 * The mailbox in Redis, one topic per hash slot: every key of a topic carries the hash tag `{topic}`,
 * so a topic's keys and its shard channel live on one Redis (or one Cluster master) and each script
 * below touches one slot only. That is what lets the same code run on one Redis and on a Cluster.
 *
 * Per topic (docs/OPERATORS.md has the measurements behind this layout):
 *   q  sorted set  message id -> publish sequence (delivery order, message count)
 *   m  hash        message id -> record: expiresAt (13 digits, unix ms) ‖ origin node (12) ‖ frame
 *   s  hash        b: stored payload bytes, n: last sequence number
 *   c  shard channel carrying each new frame to the nodes with subscribers
 *
 * Why Lua: the dedup check, the limit check, the write and the publish must be one step. With
 * separate commands two nodes could both pass the limit check for the last free slot, or both store
 * the same (topic, id); a node dying between the write and the publish would leave a stored message
 * that online subscribers never get. A script runs alone on its Redis, so none of that can happen.
 */

/** Bytes of a record before the frame. */
export const RECORD_HEADER = 25
/** Bytes of a MESSAGE frame before the payload: op ‖ topic ‖ id. */
export const FRAME_HEADER = 49

const PRUNE = `
local function prune(now)
  local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
  if #ids == 0 then return {}, 0, 0 end
  local recs = redis.call('HMGET', KEYS[2], unpack(ids))
  local live, dead, freed = {}, {}, 0
  for i, r in ipairs(recs) do
    if r and tonumber(string.sub(r, 1, 13)) > now then
      live[#live + 1] = r
    else
      dead[#dead + 1] = ids[i]
      if r then freed = freed + #r - ${RECORD_HEADER + FRAME_HEADER} end
    end
  end
  if #dead > 0 then
    redis.call('ZREM', KEYS[1], unpack(dead))
    redis.call('HDEL', KEYS[2], unpack(dead))
    redis.call('HINCRBY', KEYS[3], 'b', -freed)
  end
  return live, #dead, freed
end
`

/**
 * KEYS q m s; ARGV id, origin node, frame, now, maxMessages, maxBytes, channel, expiresAt,
 * unsubscribed expiry cap, may store (1 or 0: the node's own quotas or totals refused it).
 * Returns {status, subscribers, expiresAt}: status 1 stored, 0 duplicate (not delivered), -1 topic
 * mailbox full, 2 not stored (the node refused); subscribers is how many nodes got the frame.
 * The order is the Broker.publish contract (broker/types.ts): dedup, deliver, cap, limits, store.
 */
export const PUBLISH = `${PRUNE}
local id, origin, frame = ARGV[1], ARGV[2], ARGV[3]
local now, maxN, maxB, exp = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[8])
if redis.call('HEXISTS', KEYS[2], id) == 1 then return {0, 0, exp} end
-- Delivered first, whatever follows: online readers never depend on mailbox space.
local subscribers = redis.call('SPUBLISH', ARGV[7], frame)
-- Nobody subscribed on any node: a pairing needs minutes, not the days a publisher may ask for.
if subscribers == 0 and exp > tonumber(ARGV[9]) then exp = tonumber(ARGV[9]) end
if ARGV[10] ~= '1' then return {2, subscribers, exp} end
local size = #frame - ${FRAME_HEADER}
local n = redis.call('ZCARD', KEYS[1])
local b = tonumber(redis.call('HGET', KEYS[3], 'b') or '0')
if n >= maxN or b + size > maxB then
  -- Only when at a limit: expired messages still counted are dropped, then the check is repeated.
  local _, removed, freed = prune(now)
  n, b = n - removed, b - freed
  if n >= maxN or b + size > maxB then return {-1, subscribers, exp} end
end
local seq = redis.call('HINCRBY', KEYS[3], 'n', 1)
redis.call('ZADD', KEYS[1], seq, id)
redis.call('HSET', KEYS[2], id, string.format('%013.0f', exp) .. origin .. frame)
redis.call('HINCRBY', KEYS[3], 'b', size)
-- The topic's keys live as long as its longest-lived message, so a topic whose nodes all died is
-- still freed by Redis itself. NX then GT: GT alone never sets a TTL on a key that has none.
for i = 1, 3 do
  redis.call('PEXPIREAT', KEYS[i], exp, 'NX')
  redis.call('PEXPIREAT', KEYS[i], exp, 'GT')
end
return {1, subscribers, exp}
`

/** KEYS q m s; ARGV now. Drops expired messages; returns the frames of the others, in publish order. */
export const READ = `${PRUNE}
local live = prune(tonumber(ARGV[1]))
for i, r in ipairs(live) do live[i] = string.sub(r, ${RECORD_HEADER + 1}) end
return live
`

/**
 * KEYS q m s; ARGV id. Removes the message for every node (first ack wins). Returns the origin node
 * ‖ payload size of what it removed, or false when there was nothing to remove.
 */
export const ACK = `
local r = redis.call('HGET', KEYS[2], ARGV[1])
if not r then return false end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[1], ARGV[1])
local size = #r - ${RECORD_HEADER + FRAME_HEADER}
redis.call('HINCRBY', KEYS[3], 'b', -size)
return string.sub(r, 14, ${RECORD_HEADER}) .. size
`

/** KEYS q m s; ARGV now. Drops expired messages; returns how many. */
export const PRUNE_EXPIRED = `${PRUNE}
local _, removed = prune(tonumber(ARGV[1]))
return removed
`

/**
 * KEYS epoch; ARGV candidate. The epoch of this Redis (or Cluster master): created once, and gone
 * only if Redis lost its data, in which case the first node to look creates a new one.
 */
export const EPOCH = `
redis.call('SET', KEYS[1], ARGV[1], 'NX')
return redis.call('GET', KEYS[1])
`
