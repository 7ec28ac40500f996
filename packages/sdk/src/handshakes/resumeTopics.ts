import type { Role } from '../protocol/handshake.js'
import type { Topic, TopicPair } from '../protocol/topics.js'
import type { Generation, ResumeState } from '../records/resumeState.js'

export const sendTopicOf = (role: Role, t: TopicPair): Topic => (role === 'wallet' ? t.w2d : t.d2w)
export const recvTopicOf = (role: Role, t: TopicPair): Topic => (role === 'wallet' ? t.d2w : t.w2d)

/** The generation whose receive topic is `topic`, and which of the state's it is (§8.2). */
export function generationFor(
  s: ResumeState,
  role: Role,
  topic: Topic,
): { g: Generation; kind: 'current' | 'candidate' | 'retired' } | null {
  const on = (g: Generation) => recvTopicOf(role, g.topics) === topic
  if (s.candidate && on(s.candidate)) return { g: s.candidate, kind: 'candidate' }
  if (on(s.current)) return { g: s.current, kind: 'current' }
  const r = s.retired.find(on)
  return r ? { g: r, kind: 'retired' } : null
}
