import type { Body } from '../messages/envelope.js'
import type { Role } from '../protocol/handshake.js'
import type { TopicPair } from '../protocol/topics.js'
import type { ResumeJson } from '../records/resumeState.js'

/**
 * What a channel persists between restarts. Only the resume psks are secret: they are kept apart from the
 * JSON part and the whole blob is sealed by the storage layer. Transport keys are never stored:
 * a restored channel always runs a fresh resume handshake (docs/PROTOCOL.md §8).
 */
export type ChannelState = {
  role: Role
  /** 16 bytes, base64url */
  sessionId: string
  topics: TopicPair
  /** last seq this side assigned */
  sendSeq: number
  /** highest seq received in order */
  recvSeq: number
  /** seqs received above recvSeq (out of order), ascending */
  recvAhead: number[]
  /** reliable messages sent and not yet acknowledged, with their seq */
  unacked: { seq: number; body: Body }[]
  /** generations, attempts and device keys of the resume (§8.2); absent in records from before it */
  resume?: ResumeJson
}
